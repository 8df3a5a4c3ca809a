//! Where handles come from: [`OrgScope`], the resources of one organization,
//! and the [`Client`] methods that hand out handles on the default one.

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

    /// The organization itself: get, update, usage.
    pub fn organizations(&self) -> crate::Organizations {
        crate::Organizations::new(self.client.clone(), self.org.clone())
    }

    /// The organization's details.
    pub async fn get(&self) -> Result<crate::Organization> {
        self.organizations().get().await
    }

    /// Members.
    pub fn members(&self) -> crate::Members {
        crate::Members::new(self.client.clone(), self.org.clone())
    }

    /// Pending invites.
    pub fn invites(&self) -> crate::Invites {
        crate::Invites::new(self.client.clone(), self.org.clone())
    }

    /// Groups.
    pub fn groups(&self) -> crate::Groups {
        crate::Groups::new(self.client.clone(), self.org.clone())
    }

    /// Databases.
    pub fn databases(&self) -> crate::Databases {
        crate::Databases::new(self.client.clone(), self.org.clone())
    }

    /// Audit logs.
    pub fn audit_logs(&self) -> crate::AuditLogs {
        crate::AuditLogs::new(self.client.clone(), self.org.clone())
    }

    /// Plans, subscription and invoices.
    pub fn billing(&self) -> crate::Billing {
        crate::Billing::new(self.client.clone(), self.org.clone())
    }

    /// Platform API tokens (organization-scoped ones are listed and revoked here).
    pub fn api_tokens(&self) -> crate::ApiTokens {
        crate::ApiTokens::new(self.client.clone(), self.org.clone())
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
