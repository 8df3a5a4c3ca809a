//! Where handles come from: [`OrgScope`], the resources of one organization,
//! and the [`Client`] methods that hand out handles on the default one.
//!
//! Every handle of an organization's resources holds an [`OrgScope`], and
//! each of its operations is one [`OrgScope::call`]: the organization
//! resolved (the handle's, else the client's default) and handed, with the
//! generated client, to the closure that sends the request.

use std::future::Future;

use progenitor_client::ResponseValue;
use sdk_runtime::{ErrorPayload, Idempotency};

use crate::{Client, Result};

/// The resources of one organization (or of the default one).
///
/// Obtained with [`Client::organization`]; every handle it gives out targets
/// that organization.
///
/// ```no_run
/// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
/// let acme = client.organization("acme");
/// let groups = acme.groups().list().await?;
/// let members = acme.members().list().await?;
/// # let _ = (groups, members);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OrgScope {
    client: Client,
    org: Option<String>,
}

impl OrgScope {
    /// The organization's slug, or `None` for the client's default.
    pub fn slug(&self) -> Option<&str> {
        self.org.as_deref()
    }

    /// The client the handles send with.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The organization of a call: this scope's, else the client's default
    /// (checked as a path segment).
    pub(crate) fn org(&self) -> Result<&str> {
        let org = self
            .org
            .as_deref()
            .or(self.client.default_organization())
            .ok_or_else(|| {
                crate::error::invalid_input(
                    "no organization given and no default organization set: use \
                     client.organization(\"slug\"), .in_org(\"slug\"), \
                     ClientBuilder::organization or TURSO_ORG",
                )
            })?;
        crate::validate::segment("organization", org)?;
        Ok(org)
    }

    /// Runs one operation on this organization: [`Client::call`], with `send`
    /// handed the generated client and the organization's slug, e.g.
    /// `scope.call("listGroups", Idempotency::Safe, |g, org| g.list_groups().organization_slug(org).send())`.
    pub(crate) async fn call<'a, T, E, F, Fut>(
        &'a self,
        operation: &'static str,
        idempotency: Idempotency,
        mut send: F,
    ) -> Result<T>
    where
        F: FnMut(&'a turso_platform_generated::Client, &'a str) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>,
        E: ErrorPayload,
        T: serde::de::DeserializeOwned,
    {
        let org = self.org()?;
        self.client
            .call(operation, idempotency, |g| send(g, org))
            .await
    }

    /// The organization itself: get, update, usage.
    pub fn organizations(&self) -> crate::Organizations {
        crate::Organizations::new(self.clone())
    }

    /// The organization's details.
    pub async fn get(&self) -> Result<crate::Organization> {
        self.organizations().get().await
    }

    /// Members.
    pub fn members(&self) -> crate::Members {
        crate::Members::new(self.clone())
    }

    /// Pending invites.
    pub fn invites(&self) -> crate::Invites {
        crate::Invites::new(self.clone())
    }

    /// Groups.
    pub fn groups(&self) -> crate::Groups {
        crate::Groups::new(self.clone())
    }

    /// Databases.
    pub fn databases(&self) -> crate::Databases {
        crate::Databases::new(self.clone())
    }

    /// Audit logs.
    pub fn audit_logs(&self) -> crate::AuditLogs {
        crate::AuditLogs::new(self.clone())
    }

    /// Plans, subscription and invoices.
    pub fn billing(&self) -> crate::Billing {
        crate::Billing::new(self.clone())
    }

    /// Platform API tokens (organization-scoped ones are listed and revoked here).
    pub fn api_tokens(&self) -> crate::ApiTokens {
        crate::ApiTokens::new(self.clone())
    }
}

impl Client {
    /// Handles on the resources of organization `slug`.
    pub fn organization(&self, slug: impl Into<String>) -> OrgScope {
        OrgScope {
            client: self.clone(),
            org: Some(slug.into()),
        }
    }

    fn scope(&self) -> OrgScope {
        OrgScope {
            client: self.clone(),
            org: None,
        }
    }

    /// Organizations: list, get, update, usage.
    pub fn organizations(&self) -> crate::Organizations {
        self.scope().organizations()
    }

    /// Members of the default organization.
    pub fn members(&self) -> crate::Members {
        self.scope().members()
    }

    /// Pending invites of the default organization.
    pub fn invites(&self) -> crate::Invites {
        self.scope().invites()
    }

    /// Groups of the default organization.
    pub fn groups(&self) -> crate::Groups {
        self.scope().groups()
    }

    /// Databases of the default organization.
    pub fn databases(&self) -> crate::Databases {
        self.scope().databases()
    }

    /// Audit logs of the default organization.
    pub fn audit_logs(&self) -> crate::AuditLogs {
        self.scope().audit_logs()
    }

    /// Plans, subscription and invoices of the default organization.
    pub fn billing(&self) -> crate::Billing {
        self.scope().billing()
    }

    /// Platform API tokens (the user's, and the default organization's).
    pub fn api_tokens(&self) -> crate::ApiTokens {
        self.scope().api_tokens()
    }

    /// The locations databases can be placed in.
    pub fn locations(&self) -> crate::Locations {
        crate::Locations::new(self.clone())
    }

    /// The user the token belongs to.
    pub fn user(&self) -> crate::UserHandle {
        crate::UserHandle::new(self.clone())
    }
}
