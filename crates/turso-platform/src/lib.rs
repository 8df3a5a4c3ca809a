#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
//!
//! # Crate layout
//!
//! - [`Client`] / [`ClientBuilder`]: configuration, and [`Client::call`], the
//!   path every operation takes; [`OrgScope`] (whose `call` each handle's
//!   operation is) and the handle methods in `scope`.
//! - Resource handles, one module each: [`Organizations`], [`Members`],
//!   [`Invites`], [`Groups`], [`Databases`], [`Instances`], [`Locations`],
//!   [`ApiTokens`], [`AuditLogs`], [`UserHandle`], [`Billing`]; uploads in
//!   [`UploadDatabase`]; database and group tokens in [`TokenRequest`].
//! - [`Error`] / [`ErrorKind`]: the runtime's error with this API's own
//!   kinds ([`ApiErrorKind`]); see the README's table.
//! - The runtime shared with the workspace's other facades (`sdk-runtime`):
//!   [`RetryPolicy`], [`Token`], [`Deleted`] (what every delete returns).
//! - [`validate`]: the local input checks.

/// A handle on one organization's resources: the struct (holding its
/// [`OrgScope`], whose `call` every operation goes through), its
/// constructor and `in_org`. Uses nothing but its arguments; it saves
/// writing these out for each of the eight handles.
macro_rules! org_handle {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            scope: $crate::OrgScope,
        }

        impl $name {
            pub(crate) fn new(scope: $crate::OrgScope) -> Self {
                $name { scope }
            }

            /// The same handle, targeting organization `slug` instead of the
            /// client's default organization.
            pub fn in_org(self, slug: impl Into<String>) -> Self {
                $name::new(self.scope.client().organization(slug))
            }
        }
    };
}
pub(crate) use org_handle;

mod api_tokens;
mod audit_logs;
mod billing;
mod client;
mod data_plane;
mod databases;
mod error;
mod groups;
mod instances;
mod invites;
mod locations;
mod members;
mod model;
mod organizations;
mod pagination;
mod scope;
mod tokens;
mod upload;
mod user;
pub mod validate;

pub use api_tokens::{ApiToken, ApiTokenOwner, ApiTokens, CreateApiToken, CreatedApiToken};
pub use audit_logs::{AuditLog, AuditLogPage, AuditLogs, PageInfo};
pub use billing::{Billing, Invoice, Plan, PlanPrice, PlanQuotas, Subscription};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_AGENT};
pub use databases::{
    CreateDatabase, CreatedDatabase, Database, DatabaseConfiguration, DatabaseConfigurationUpdate,
    DatabaseListOptions, DatabasePage, DatabaseParent, DatabaseStats, DatabaseUsage, Databases,
    Encryption, Ensured, InstanceUsage, QueryStats, Seed, UsageCounters,
};
pub use error::{ApiErrorKind, Error, ErrorKind, Result};
pub use groups::{CreateGroup, Extensions, Group, GroupConfiguration, Groups};
pub use instances::{Instance, Instances};
pub use invites::{Invite, InviteCreated, InviteRequest, Invites};
pub use locations::{Location, Locations};
pub use members::{Member, Members};
pub use model::{
    ApiTokenScope, AuditLogCode, EncryptionCipher, Extension, InstanceType, InvoiceType,
    OrganizationType, Role, SeedType, TokenAuthorization,
};
pub use organizations::{
    Organization, OrganizationUpdate, OrganizationUsage, Organizations, UsageTotals,
};
pub use scope::OrgScope;
pub use sdk_runtime::{Deleted, Idempotency, RetryPolicy, Token};
pub use tokens::{Expiration, TokenRequest};
pub use upload::{DEFAULT_CHUNKED_ABOVE, UploadCheckpoint, UploadDatabase, UploadProgress};
pub use user::{User, UserHandle};

/// The generated client crate, re-exported for the escape hatch
/// ([`Client::generated`]).
pub use turso_platform_generated as generated;

#[cfg(test)]
mod tests {
    use super::*;
    use turso_platform_generated::types;

    #[test]
    fn public_types_are_thread_safe() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Client>();
        assert_send_sync::<Error>();
        assert_send_sync::<Token>();
        assert_send_sync::<Databases>();
        assert_send_sync::<UploadDatabase>();
    }

    /// Every value of the facade enums is one the spec knows (and vice versa for
    /// the count), so inputs made from them are accepted.
    #[test]
    fn enums_match_the_spec() {
        fn check<F: serde::Serialize, G: serde::de::DeserializeOwned>(known: &[F]) {
            for v in known {
                let json = serde_json::to_value(v).unwrap();
                serde_json::from_value::<G>(json.clone()).unwrap_or_else(|e| panic!("{json}: {e}"));
            }
        }
        check::<_, types::KnownAuditLogCode>(AuditLogCode::known());
        check::<_, types::KnownMemberRole>(Role::known());
        check::<_, types::KnownInstanceType>(InstanceType::known());
        check::<_, types::CreateDatabaseTokenAuthorization>(TokenAuthorization::known());
        check::<_, types::KnownOrganizationType>(OrganizationType::known());
        check::<_, types::CreateDatabaseInputRemoteEncryptionEncryptionCipher>(
            EncryptionCipher::known(),
        );
        check::<_, types::CreateDatabaseInputSeedType>(SeedType::known());
        check::<_, types::CreateApiTokenBodyScopesItem>(ApiTokenScope::known());
        check::<_, types::ExtensionsArrayItem>(Extension::known());
        check::<_, types::ListOrganizationInvoicesType>(InvoiceType::known());
        assert_eq!(AuditLogCode::known().len(), 24);
        assert_eq!(EncryptionCipher::known().len(), 9);
        assert_eq!(ApiTokenScope::known().len(), 11);
    }
}
