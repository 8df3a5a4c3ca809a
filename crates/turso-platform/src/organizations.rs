//! Organizations: list, get, update and usage.

use turso_platform_generated::types;

use crate::databases::DatabaseUsage;
use crate::model::OrganizationType;
use crate::{Deleted, Idempotency, Result};

crate::org_handle! {
    /// Organizations: list those the token can see; get, update and read the usage
    /// of one (the default one, or [`Organizations::in_org`]).
    Organizations
}

/// An organization.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Organization {
    /// The display name (`personal` for a user's own organization).
    /// `None` when the service did not say.
    pub name: Option<String>,
    /// The slug used in API paths.
    pub slug: String,
    /// Personal or team (`None` when the service did not say).
    pub kind: Option<OrganizationType>,
    /// Whether overages are enabled.
    pub overages: bool,
    /// Whether members must use multi-factor authentication.
    pub require_mfa: bool,
    /// Whether reads are blocked.
    pub blocked_reads: bool,
    /// Whether writes are blocked.
    pub blocked_writes: bool,
    /// The plan identifier.
    pub plan_id: Option<String>,
    /// The billing cycle of a paid plan.
    pub plan_timeline: Option<String>,
    /// The external platform managing the organization, if any.
    pub platform: Option<String>,
}

/// Changes to an organization; unset fields stay as they are.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct OrganizationUpdate {
    /// Enables or disables overages.
    pub overages: Option<bool>,
    /// Requires (or not) multi-factor authentication for members.
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrganizationUsage {
    /// The organization's UUID.
    pub uuid: Option<String>,
    /// Totals.
    pub usage: UsageTotals,
    /// Per-database usage.
    pub databases: Vec<DatabaseUsage>,
}

/// Usage totals of an organization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsageTotals {
    /// Rows read.
    pub rows_read: i64,
    /// Rows written.
    pub rows_written: i64,
    /// Bytes stored.
    pub storage_bytes: i64,
    /// Bytes synced to embedded replicas.
    pub bytes_synced: i64,
    /// Number of databases.
    pub databases: i64,
    /// Number of locations.
    pub locations: i64,
    /// Number of groups.
    pub groups: i64,
}

impl Organizations {
    /// Every organization the token can see (not limited to one organization).
    pub async fn list(&self) -> Result<Vec<Organization>> {
        let answer = self
            .scope
            .client()
            .call("listOrganizations", Idempotency::Safe, |g| {
                g.list_organizations().send()
            })
            .await?;
        Ok(answer.into_iter().map(Into::into).collect())
    }

    /// The organization's details.
    pub async fn get(&self) -> Result<Organization> {
        let answer = self
            .scope
            .call("getOrganization", Idempotency::Safe, |g, org| {
                g.get_organization().organization_slug(org).send()
            })
            .await?;
        Ok(answer.organization.into())
    }

    /// Updates the organization and returns it.
    pub async fn update(&self, update: &OrganizationUpdate) -> Result<Organization> {
        let body = types::UpdateOrganizationBody::from(update);
        let answer = self
            .scope
            .call("updateOrganization", Idempotency::Safe, |g, org| {
                g.update_organization()
                    .organization_slug(org)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(answer.organization.into())
    }

    /// Deletes the organization (`turso org destroy`). The service refuses a
    /// personal organization (`InvalidInput`), one that still holds databases
    /// (`AlreadyExists`, its 409) and a caller who is not the owner
    /// (`Forbidden`). Like every delete, one whose first answer was lost and
    /// whose retry finds the organization gone reports success. The
    /// [`Deleted`] names the organization's slug.
    pub async fn delete(&self) -> Result<Deleted> {
        let org = self.scope.org()?;
        let deleted = self
            .scope
            .call("deleteOrganization", Idempotency::Safe, |g, org| {
                g.delete_organization().organization_slug(org).send()
            })
            .await
            .map(|_| true);
        sdk_runtime::deleted_after_lost_answer(org, deleted)
    }

    /// The organization's usage in the current period.
    pub async fn usage(&self) -> Result<OrganizationUsage> {
        let answer = self
            .scope
            .call("getOrganizationUsage", Idempotency::Safe, |g, org| {
                g.get_organization_usage().organization_slug(org).send()
            })
            .await?;
        Ok(answer.organization.into())
    }
}

impl From<types::Organization> for Organization {
    fn from(o: types::Organization) -> Self {
        Organization {
            name: crate::model::non_empty(o.name),
            slug: o.slug,
            kind: o.type_.map(Into::into),
            overages: o.overages.unwrap_or_default(),
            require_mfa: o.require_mfa.unwrap_or_default(),
            blocked_reads: o.blocked_reads.unwrap_or_default(),
            blocked_writes: o.blocked_writes.unwrap_or_default(),
            plan_id: o.plan_id,
            plan_timeline: o.plan_timeline,
            platform: o.platform,
        }
    }
}

impl From<&OrganizationUpdate> for types::UpdateOrganizationBody {
    fn from(u: &OrganizationUpdate) -> Self {
        types::UpdateOrganizationBody {
            overages: u.overages,
            require_mfa: u.require_mfa,
        }
    }
}

impl From<types::GetOrganizationUsageResponseOrganizationUsage> for UsageTotals {
    fn from(u: types::GetOrganizationUsageResponseOrganizationUsage) -> Self {
        UsageTotals {
            rows_read: u.rows_read.unwrap_or_default(),
            rows_written: u.rows_written.unwrap_or_default(),
            storage_bytes: u.storage_bytes.unwrap_or_default(),
            bytes_synced: u.bytes_synced.unwrap_or_default(),
            databases: u.databases.unwrap_or_default(),
            locations: u.locations.unwrap_or_default(),
            groups: u.groups.unwrap_or_default(),
        }
    }
}

impl From<types::GetOrganizationUsageResponseOrganization> for OrganizationUsage {
    fn from(u: types::GetOrganizationUsageResponseOrganization) -> Self {
        OrganizationUsage {
            uuid: u.uuid,
            usage: u.usage.map(Into::into).unwrap_or_default(),
            databases: u.databases.into_iter().map(Into::into).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_organization_converts() {
        let answer: types::GetOrganizationResponse = serde_json::from_value(json!({
            "organization": {
                "name": "Acme",
                "slug": "acme",
                "type": "enterprise",
                "overages": true,
                "plan_id": "scaler"
            }
        }))
        .unwrap();
        let org = Organization::from(answer.organization);
        assert_eq!(org.slug, "acme");
        assert_eq!(org.kind, Some(OrganizationType::Other("enterprise".into())));
        assert!(org.overages);
        assert!(!org.require_mfa);
        assert_eq!(org.plan_id.as_deref(), Some("scaler"));

        let team: types::Organization =
            serde_json::from_value(json!({"name": "T", "slug": "t", "type": "team"})).unwrap();
        assert_eq!(Organization::from(team).kind, Some(OrganizationType::Team));
    }

    #[test]
    fn generated_usage_converts() {
        let answer: types::GetOrganizationUsageResponse = serde_json::from_value(json!({
            "organization": {
                "uuid": "u-1",
                "usage": {"rows_read": 7, "databases": 2},
                "databases": [{"uuid": "db-1", "total": {"rows_written": 3}}]
            }
        }))
        .unwrap();
        let usage = OrganizationUsage::from(answer.organization);
        assert_eq!(usage.uuid.as_deref(), Some("u-1"));
        assert_eq!(usage.usage.rows_read, 7);
        assert_eq!(usage.usage.databases, 2);
        assert_eq!(usage.usage.groups, 0);
        assert_eq!(usage.databases.len(), 1);
        assert_eq!(usage.databases[0].total.rows_written, 3);
    }

    #[test]
    fn update_body_sends_only_what_is_set() {
        let body = types::UpdateOrganizationBody::from(&OrganizationUpdate::new().overages(false));
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"overages": false})
        );
    }
}
