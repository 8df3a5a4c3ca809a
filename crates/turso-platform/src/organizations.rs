//! Organizations: list, get, update and usage.

use serde::{Deserialize, Serialize};
use turso_platform_generated::types;

use crate::client::Client;
use crate::databases::DatabaseUsage;
use crate::error::Result;
use crate::model::{OrganizationType, to_input};
use crate::runtime::Retry;

crate::org_handle! {
    /// Organizations: list those the token can see; get, update and read the usage
    /// of one (the default one, or [`Organizations::in_org`]).
    Organizations
}

/// An organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Organization {
    /// The display name (`personal` for a user's own organization).
    pub name: String,
    /// The slug used in API paths.
    pub slug: String,
    /// Personal or team.
    #[serde(rename = "type")]
    pub kind: OrganizationType,
    /// Whether overages are enabled.
    #[serde(default)]
    pub overages: bool,
    /// Whether members must use multi-factor authentication.
    #[serde(default)]
    pub require_mfa: bool,
    /// Whether reads are blocked.
    #[serde(default)]
    pub blocked_reads: bool,
    /// Whether writes are blocked.
    #[serde(default)]
    pub blocked_writes: bool,
    /// The plan identifier.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// The billing cycle of a paid plan.
    #[serde(default)]
    pub plan_timeline: Option<String>,
    /// The external platform managing the organization, if any.
    #[serde(default)]
    pub platform: Option<String>,
}

/// Changes to an organization; unset fields stay as they are.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct OrganizationUpdate {
    /// Enables or disables overages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overages: Option<bool>,
    /// Requires (or not) multi-factor authentication for members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_mfa: Option<bool>,
}

impl OrganizationUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Enables or disables overages.
    pub fn overages(mut self, on: bool) -> Self {
        self.overages = Some(on);
        self
    }

    /// Requires (or not) multi-factor authentication.
    pub fn require_mfa(mut self, on: bool) -> Self {
        self.require_mfa = Some(on);
        self
    }
}

/// The usage of an organization in the current period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationUsage {
    /// The organization's UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Totals.
    #[serde(default)]
    pub usage: UsageTotals,
    /// Per-database usage.
    #[serde(default)]
    pub databases: Vec<DatabaseUsage>,
}

/// Usage totals of an organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageTotals {
    /// Rows read.
    #[serde(default)]
    pub rows_read: i64,
    /// Rows written.
    #[serde(default)]
    pub rows_written: i64,
    /// Bytes stored.
    #[serde(default)]
    pub storage_bytes: i64,
    /// Bytes synced to embedded replicas.
    #[serde(default)]
    pub bytes_synced: i64,
    /// Number of databases.
    #[serde(default)]
    pub databases: i64,
    /// Number of locations.
    #[serde(default)]
    pub locations: i64,
    /// Number of groups.
    #[serde(default)]
    pub groups: i64,
}

#[derive(Deserialize)]
struct OrgBody {
    organization: Organization,
}

#[derive(Deserialize)]
struct UsageBody {
    organization: OrganizationUsage,
}

impl Organizations {
    /// Every organization the token can see (not limited to one organization).
    pub async fn list(&self) -> Result<Vec<Organization>> {
        let g = self.client.generated();
        self.client
            .run("listOrganizations", Retry::Auto, || {
                g.list_organizations().send()
            })
            .await
    }

    /// The organization's details.
    pub async fn get(&self) -> Result<Organization> {
        let org = self.org()?;
        let g = self.client.generated();
        let b: OrgBody = self
            .client
            .run("getOrganization", Retry::Auto, || {
                g.get_organization().organization_slug(&org).send()
            })
            .await?;
        Ok(b.organization)
    }

    /// Updates the organization and returns it.
    pub async fn update(&self, update: &OrganizationUpdate) -> Result<Organization> {
        let org = self.org()?;
        let body: types::UpdateOrganizationBody = to_input("organization update", update)?;
        let g = self.client.generated();
        let b: OrgBody = self
            .client
            .run("updateOrganization", Retry::Auto, || {
                g.update_organization()
                    .organization_slug(&org)
                    .body(body)
                    .send()
            })
            .await?;
        Ok(b.organization)
    }

    /// The organization's usage in the current period.
    pub async fn usage(&self) -> Result<OrganizationUsage> {
        let org = self.org()?;
        let g = self.client.generated();
        let b: UsageBody = self
            .client
            .run("getOrganizationUsage", Retry::Auto, || {
                g.get_organization_usage().organization_slug(&org).send()
            })
            .await?;
        Ok(b.organization)
    }
}
