//! Members of an organization: list, get, add, change role, remove.

use serde::{Deserialize, Serialize};
use turso_platform_generated::types;

use crate::error::{Error, Result};
use crate::model::{Role, to_input};
use crate::runtime::Retry;
use crate::validate;

crate::org_handle! {
    /// The members of an organization. Obtained with [`crate::Client::members`] or
    /// [`crate::OrgScope::members`].
    Members
}

/// A member of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Member {
    /// The member's username.
    pub username: String,
    /// The member's role.
    pub role: Role,
    /// The member's email, when the service shares it.
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Deserialize)]
struct MembersBody {
    #[serde(default)]
    members: Vec<Member>,
}

#[derive(Deserialize)]
struct MemberBody {
    member: Member,
}

#[derive(Deserialize)]
struct AddedBody {
    member: String,
    role: Role,
}

#[derive(Serialize)]
struct RoleBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    role: &'a Role,
}

fn assignable(role: &Role) -> Result<()> {
    match role {
        Role::Admin | Role::Member | Role::Viewer => Ok(()),
        other => Err(Error::invalid_input(format!(
            "the role {other} cannot be assigned; use admin, member or viewer"
        ))),
    }
}

impl Members {
    /// Every member.
    pub async fn list(&self) -> Result<Vec<Member>> {
        let org = self.org()?;
        let g = self.client.generated();
        let b: MembersBody = self
            .client
            .run("listOrganizationMembers", Retry::Auto, || {
                g.list_organization_members().organization_slug(&org).send()
            })
            .await?;
        Ok(b.members)
    }

    /// One member.
    pub async fn get(&self, username: &str) -> Result<Member> {
        validate::segment("username", username)?;
        let org = self.org()?;
        let g = self.client.generated();
        let b: MemberBody = self
            .client
            .run("getOrganizationMember", Retry::Auto, || {
                g.get_organization_member()
                    .organization_slug(&org)
                    .username(username)
                    .send()
            })
            .await?;
        Ok(b.member)
    }

    /// Adds an existing Turso user as a member with `role` (admin, member or viewer).
    pub async fn add(&self, username: &str, role: Role) -> Result<Member> {
        validate::segment("username", username)?;
        assignable(&role)?;
        let org = self.org()?;
        let body: types::AddOrganizationMemberBody = to_input(
            "member",
            &RoleBody {
                username: Some(username),
                role: &role,
            },
        )?;
        let g = self.client.generated();
        let b: AddedBody = self
            .client
            .run("addOrganizationMember", Retry::Never, || {
                g.add_organization_member()
                    .organization_slug(&org)
                    .body(body)
                    .send()
            })
            .await?;
        Ok(Member {
            username: b.member,
            role: b.role,
            email: None,
        })
    }

    /// Changes a member's role (admin, member or viewer).
    pub async fn update_role(&self, username: &str, role: Role) -> Result<Member> {
        validate::segment("username", username)?;
        assignable(&role)?;
        let org = self.org()?;
        let body: types::UpdateMemberRoleBody = to_input(
            "role",
            &RoleBody {
                username: None,
                role: &role,
            },
        )?;
        let g = self.client.generated();
        let b: MemberBody = self
            .client
            .run("updateMemberRole", Retry::Auto, || {
                g.update_member_role()
                    .organization_slug(&org)
                    .username(username)
                    .body(body)
                    .send()
            })
            .await?;
        Ok(b.member)
    }

    /// Removes a member; returns the removed username.
    pub async fn remove(&self, username: &str) -> Result<String> {
        validate::segment("username", username)?;
        let org = self.org()?;
        let g = self.client.generated();
        #[derive(Deserialize)]
        struct Removed {
            member: String,
        }
        let removed = self
            .client
            .run("removeOrganizationMember", Retry::Auto, || {
                g.remove_organization_member()
                    .organization_slug(&org)
                    .username(username)
                    .send()
            })
            .await;
        let b = crate::Client::deleted_if_lost(removed, || Removed {
            member: username.to_string(),
        })?;
        Ok(b.member)
    }
}
