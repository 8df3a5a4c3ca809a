//! Members of an organization: list, get, add, change role, remove.

use turso_platform_generated::types;

use crate::model::Role;
use crate::{Deleted, Idempotency, Result, validate};

crate::org_handle! {
    /// The members of an organization. Obtained with [`crate::Client::members`] or
    /// [`crate::OrgScope::members`].
    Members
}

/// A member of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Member {
    /// The member's username.
    pub username: String,
    /// The member's role (`None` when the service did not say).
    pub role: Option<Role>,
    /// The member's email, when the service shares it.
    pub email: Option<String>,
}

/// Refuses, before anything is sent, a role the API does not let anyone give
/// (`owner`, or a value this crate does not know), with a message that says
/// which ones it does.
fn assignable(role: &Role) -> Result<()> {
    match role {
        Role::Admin | Role::Member | Role::Viewer => Ok(()),
        other => Err(crate::error::invalid_input(format!(
            "the role {other} cannot be assigned; use admin, member or viewer"
        ))),
    }
}

impl Members {
    /// Every member.
    pub async fn list(&self) -> Result<Vec<Member>> {
        let answer = self
            .scope
            .call("listOrganizationMembers", Idempotency::Safe, |g, org| {
                g.list_organization_members().organization_slug(org).send()
            })
            .await?;
        Ok(answer.members.into_iter().map(Into::into).collect())
    }

    /// One member.
    pub async fn get(&self, username: &str) -> Result<Member> {
        validate::segment("username", username)?;
        let answer = self
            .scope
            .call("getOrganizationMember", Idempotency::Safe, |g, org| {
                g.get_organization_member()
                    .organization_slug(org)
                    .username(username)
                    .send()
            })
            .await?;
        Ok(answer.member.into())
    }

    /// Adds an existing Turso user as a member with `role` (admin, member or viewer).
    pub async fn add(&self, username: &str, role: Role) -> Result<Member> {
        validate::segment("username", username)?;
        assignable(&role)?;
        let body = types::AddOrganizationMemberBody {
            role: (&role).try_into()?,
            username: username.to_string(),
        };
        let answer = self
            .scope
            .call("addOrganizationMember", Idempotency::Unsafe, |g, org| {
                g.add_organization_member()
                    .organization_slug(org)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Changes a member's role (admin, member or viewer).
    pub async fn update_role(&self, username: &str, role: Role) -> Result<Member> {
        validate::segment("username", username)?;
        assignable(&role)?;
        let body = types::UpdateMemberRoleBody {
            role: (&role).try_into()?,
        };
        let answer = self
            .scope
            .call("updateMemberRole", Idempotency::Safe, |g, org| {
                g.update_member_role()
                    .organization_slug(org)
                    .username(username)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(answer.member.into())
    }

    /// Removes a member; the [`Deleted`] names the username. A retry that
    /// finds nothing left after an attempt whose answer was lost counts as
    /// success.
    pub async fn remove(&self, username: &str) -> Result<Deleted> {
        validate::segment("username", username)?;
        let removed = self
            .scope
            .call("removeOrganizationMember", Idempotency::Safe, |g, org| {
                g.remove_organization_member()
                    .organization_slug(org)
                    .username(username)
                    .send()
            })
            .await
            .map(|_| true);
        sdk_runtime::deleted_after_lost_answer(username.to_string(), removed)
    }
}

impl From<types::Member> for Member {
    fn from(m: types::Member) -> Self {
        Member {
            username: m.username,
            role: m.role.map(Into::into),
            email: m.email,
        }
    }
}

impl From<types::UpdateMemberRoleResponseMember> for Member {
    fn from(m: types::UpdateMemberRoleResponseMember) -> Self {
        Member {
            username: m.username,
            role: m.role.map(Into::into),
            email: m.email,
        }
    }
}

/// The add call answers only the username and the role.
impl From<types::AddOrganizationMemberResponse> for Member {
    fn from(m: types::AddOrganizationMemberResponse) -> Self {
        Member {
            username: m.member,
            role: m.role.map(Into::into),
            email: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_members_convert() {
        let answer: types::ListOrganizationMembersResponse = serde_json::from_value(json!({
            "members": [
                {"username": "ada", "role": "owner", "email": "ada@example.com"},
                {"username": "bob", "role": "auditor"}
            ]
        }))
        .unwrap();
        let members: Vec<Member> = answer.members.into_iter().map(Into::into).collect();
        assert_eq!(members[0].username, "ada");
        assert_eq!(members[0].role, Some(Role::Owner));
        assert_eq!(members[0].email.as_deref(), Some("ada@example.com"));
        assert_eq!(members[1].role, Some(Role::Other("auditor".into())));
        assert_eq!(members[1].email, None);

        let added: types::AddOrganizationMemberResponse =
            serde_json::from_value(json!({"member": "cy", "role": "viewer"})).unwrap();
        let added = Member::from(added);
        assert_eq!(
            (added.username.as_str(), added.role),
            ("cy", Some(Role::Viewer))
        );
    }

    #[test]
    fn only_assignable_roles_are_sent() {
        assert!(assignable(&Role::Owner).is_err());
        assert!(assignable(&Role::Other("root".into())).is_err());
        assert!(assignable(&Role::Viewer).is_ok());
    }
}
