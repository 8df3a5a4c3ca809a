//! What the facades of this workspace share, so that each API's facade is
//! only its resources:
//!
//! - [`Transport`]: how the generated clients send requests (authentication,
//!   per-request timeouts, body limits, error documents, tracing); each
//!   generated crate's hand-written `ClientHooks` implementation calls it;
//! - [`retry`]: the [`RetryPolicy`] and the loop that applies it to a call;
//! - [`Error`] / [`ErrorKind`]: the one error type;
//! - [`Token`]: secrets that never print;
//! - [`http`]: the HTTP client (no redirects) and base-URL checks;
//! - [`body`]: response bodies read within limits;
//! - [`config`]: the settings every client builder shares, and
//!   [`client_builder_settings!`] its setters;
//! - [`Ensured`]: the outcome of an idempotent create;
//! - [`tolerant`]: decoding an answer the generated type refused, value by
//!   value, and [`answer_tolerant`] that uses it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod body;
mod builder;
pub mod config;
mod ensured;
mod error;
mod headers;
pub mod http;
pub mod retry;
mod secret;
pub mod tolerant;
mod transport;

pub use ensured::Ensured;
pub use error::{Error, ErrorKind, ErrorPayload, Result, classify_status, error_body};
pub use retry::{Idempotency, RetryPolicy};
pub use secret::{Token, redact_tokens};
pub use transport::Transport;

use std::future::Future;

/// Awaits a generated call and gives its answer or its [`Error`].
pub async fn answer<T, E: ErrorPayload>(
    call: impl Future<
        Output = std::result::Result<
            progenitor_client::ResponseValue<T>,
            progenitor_client::Error<E>,
        >,
    >,
) -> Result<T> {
    match call.await {
        Ok(value) => Ok(value.into_inner()),
        Err(e) => Err(Error::from_generated(e).await),
    }
}

/// [`answer`], tolerant of what the answer's generated type refuses: a
/// success body that does not decode strictly is decoded again with
/// [`tolerant::decode`] (values of an unexpected type read as absent, list
/// items that cannot be identified are skipped, each reported through
/// `tracing`); only an answer whose own identity is missing is a
/// [`ErrorKind::Decode`] error, naming the field.
pub async fn answer_tolerant<T, E: ErrorPayload>(
    call: impl Future<
        Output = std::result::Result<
            progenitor_client::ResponseValue<T>,
            progenitor_client::Error<E>,
        >,
    >,
) -> Result<T>
where
    T: serde::de::DeserializeOwned,
{
    match call.await {
        Ok(value) => Ok(value.into_inner()),
        Err(progenitor_client::Error::InvalidResponsePayload(bytes, _)) => {
            tolerant::decode(&bytes).map_err(|source| Error::decode(&bytes, source, None))
        }
        Err(e) => Err(Error::from_generated(e).await),
    }
}
