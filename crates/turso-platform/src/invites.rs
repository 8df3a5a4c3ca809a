//! Pending invites of an organization (the v2 invite API).

use serde::{Deserialize, Serialize};
use turso_platform_generated::types;

use crate::error::{Error, Result};
use crate::model::{Role, to_input};
use crate::runtime::Retry;
use crate::validate;

crate::org_handle! {
    /// The pending invites of an organization. Obtained with
    /// [`crate::Client::invites`] or [`crate::OrgScope::invites`].
    Invites
}

/// A pending invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Invite {
    /// The invite's identifier.
    #[serde(default)]
    pub id: Option<i64>,
    /// The invited email address.
    #[serde(default)]
    pub email: Option<String>,
    /// The role the invitee will get.
    pub role: Role,
    /// When the invite was created.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// The answer to a new invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InviteCreated {
    /// The invited email address.
    #[serde(default)]
    pub email: Option<String>,
    /// The organization.
    #[serde(default)]
    pub organization: Option<String>,
    /// The role the invitee will get.
    pub role: Role,
}

/// Who to invite: exactly one of an email or a username, with a role.
///
/// ```
/// use turso_platform::{InviteRequest, Role};
/// let by_email = InviteRequest::email("dana@example.com", Role::Member);
/// let by_name = InviteRequest::username("bob", Role::Viewer);
/// # let _ = (by_email, by_name);
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct InviteRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    role: Role,
}

impl InviteRequest {
    /// Invites an email address (it receives a sign-up link if needed).
    pub fn email(email: impl Into<String>, role: Role) -> Self {
        InviteRequest {
            email: Some(email.into()),
            username: None,
            role,
        }
    }

    /// Invites an existing Turso user by username.
    pub fn username(username: impl Into<String>, role: Role) -> Self {
        InviteRequest {
            email: None,
            username: Some(username.into()),
            role,
        }
    }
}

impl Invites {
    /// Every pending invite.
    pub async fn list(&self) -> Result<Vec<Invite>> {
        let org = self.org()?;
        let g = self.client.generated();
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            invites: Vec<Invite>,
        }
        let b: Body = self
            .client
            .run("listOrganizationInvitesV2", Retry::Auto, || {
                g.list_organization_invites_v2()
                    .organization_slug(&org)
                    .send()
            })
            .await?;
        Ok(b.invites)
    }

    /// Invites someone; an existing pending invite for the same email is replaced.
    pub async fn create(&self, request: &InviteRequest) -> Result<InviteCreated> {
        if request.email.as_deref().is_some_and(|e| !e.contains('@')) {
            return Err(Error::invalid_input("the invite email has no '@'"));
        }
        if !matches!(request.role, Role::Admin | Role::Member | Role::Viewer) {
            return Err(Error::invalid_input(format!(
                "the role {} cannot be given by invite; use admin, member or viewer",
                request.role
            )));
        }
        let org = self.org()?;
        let body: types::InviteOrganizationMemberV2Body = to_input("invite", request)?;
        let g = self.client.generated();
        #[derive(Deserialize)]
        struct Body {
            invited: InviteCreated,
        }
        let b: Body = self
            .client
            .run("inviteOrganizationMemberV2", Retry::Never, || {
                g.invite_organization_member_v2()
                    .organization_slug(&org)
                    .body(body)
                    .send()
            })
            .await?;
        Ok(b.invited)
    }

    /// Deletes the pending invite for `email`.
    pub async fn delete(&self, email: &str) -> Result<()> {
        validate::segment("email", email)?;
        let org = self.org()?;
        let g = self.client.generated();
        let deleted = self
            .client
            .run("deleteOrganizationInviteByEmailV2", Retry::Auto, || {
                g.delete_organization_invite_by_email_v2()
                    .organization_slug(&org)
                    .email(email)
                    .send()
            })
            .await;
        crate::Client::deleted_if_lost(deleted, || ())
    }
}
