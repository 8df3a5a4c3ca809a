#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
//!
//! # Crate layout
//!
//! - [`Client`] / [`ClientBuilder`]: configuration (over the shared
//!   `sdk_runtime::config`), and [`Client::call`], the path every operation
//!   takes.
//! - [`Databases`]: the one resource (list, get, create, create-if-missing,
//!   delete, credentials, wait until running); [`Credentials`] per engine.
//! - [`Engine`], [`Version`], [`Status`]: the API's vocabularies, open enums.
//! - [`Error`] / [`ErrorKind`]: the runtime's error with this API's own
//!   kinds ([`ApiErrorKind`]); see the README's table.
//! - From the runtime shared with the workspace's other facades
//!   (`sdk-runtime`): [`RetryPolicy`], [`Idempotency`], [`Token`],
//!   [`Ensured`], [`Deleted`].

mod client;
mod credentials;
mod databases;
mod error;
mod model;

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_AGENT, ENV_BASE_URL, ENV_TOKEN,
};
pub use credentials::{
    ConnectionString, Credentials, MongodbCredentials, OtherCredentials, RedisCredentials,
    SqlCredentials,
};
pub use databases::{CreateDatabase, CreatedDatabase, Database, Databases};
pub use error::{ApiErrorKind, Error, ErrorKind, Result};
pub use model::{Engine, Status, Version};
pub use sdk_runtime::{Deleted, Ensured, Idempotency, RetryPolicy, Token};

/// The generated client crate, for the escape hatch ([`Client::generated`]).
pub use databases_api_generated as generated;

#[cfg(test)]
mod tests {
    use super::*;

    /// Clients, handles, answers and errors can cross threads and tasks.
    const _: () = {
        const fn shareable<T: Send + Sync + 'static>() {}
        shareable::<(Client, Databases, Credentials, Database, Error)>();
    };

    #[test]
    fn debug_never_shows_the_token() {
        let client = Client::builder()
            .token("very-secret-token")
            .build()
            .unwrap();
        let printed = format!(
            "{client:?} {:?}",
            Client::builder().token("very-secret-token")
        );
        assert!(!printed.contains("very-secret-token"), "{printed}");
    }

    #[test]
    fn the_builder_refuses_unusable_settings() {
        let kind = |b: ClientBuilder| b.build().unwrap_err().kind().clone();
        assert_eq!(kind(Client::builder()), ErrorKind::Configuration);
        let insecure = Client::builder()
            .token("t")
            .base_url("http://db.example.com");
        assert_eq!(kind(insecure.clone()), ErrorKind::Configuration);
        assert!(insecure.allow_insecure_http(true).build().is_ok());
        let client = Client::builder()
            .token("t")
            .base_url("https://db.example.com/")
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "https://db.example.com");
    }
}
