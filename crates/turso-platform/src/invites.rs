//! Pending invites of an organization (the v2 invite API).

use turso_platform_generated::types;

use crate::model::Role;
use crate::{Deleted, Error, Idempotency, Result, validate};

crate::org_handle! {
    /// The pending invites of an organization. Obtained with
    /// [`crate::Client::invites`] or [`crate::OrgScope::invites`].
    Invites
}

/// A pending invite.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invite {
    /// The invite's identifier.
    pub id: Option<i64>,
    /// The invited email address.
    pub email: Option<String>,
    /// The role the invitee will get (`None` when the service did not say).
    pub role: Option<Role>,
    /// When the invite was created.
    pub created_at: Option<String>,
}

/// The answer to a new invite.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InviteCreated {
    /// The invited email address.
    pub email: Option<String>,
    /// The organization.
    pub organization: Option<String>,
    /// The role the invitee will get (`None` when the service did not say).
    pub role: Option<Role>,
}

/// Who to invite: exactly one of an email or a username, with a role.
///
/// ```
/// use turso_platform::{InviteRequest, Role};
/// let by_email = InviteRequest::email("dana@example.com", Role::Member);
/// let by_name = InviteRequest::username("bob", Role::Viewer);
/// # let _ = (by_email, by_name);
/// ```
#[derive(Debug, Clone)]
pub struct InviteRequest {
    email: Option<String>,
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

    /// The local checks, so that a request the service would refuse is not sent.
    fn check(&self) -> Result<()> {
        if self.email.as_deref().is_some_and(|e| !e.contains('@')) {
            return Err(crate::error::invalid_input("the invite email has no '@'"));
        }
        if !matches!(self.role, Role::Admin | Role::Member | Role::Viewer) {
            return Err(crate::error::invalid_input(format!(
                "the role {} cannot be given by invite; use admin, member or viewer",
                self.role
            )));
        }
        Ok(())
    }
}

impl Invites {
    /// Every pending invite.
    pub async fn list(&self) -> Result<Vec<Invite>> {
        let answer = self
            .scope
            .call("listOrganizationInvitesV2", Idempotency::Safe, |g, org| {
                g.list_organization_invites_v2()
                    .organization_slug(org)
                    .send()
            })
            .await?;
        Ok(answer.invites.into_iter().map(Into::into).collect())
    }

    /// Invites someone; an existing pending invite for the same email is replaced.
    pub async fn create(&self, request: &InviteRequest) -> Result<InviteCreated> {
        request.check()?;
        let body = types::InviteOrganizationMemberV2Body::try_from(request)?;
        let answer = self
            .scope
            .call(
                "inviteOrganizationMemberV2",
                Idempotency::Unsafe,
                |g, org| {
                    g.invite_organization_member_v2()
                        .organization_slug(org)
                        .body(body.clone())
                        .send()
                },
            )
            .await?;
        Ok(answer.invited.into())
    }

    /// Deletes the pending invite for `email`; the [`Deleted`] names the
    /// email. A retry that finds nothing left after an attempt whose answer
    /// was lost counts as success.
    pub async fn delete(&self, email: &str) -> Result<Deleted> {
        validate::segment("email", email)?;
        let deleted = self
            .scope
            .call(
                "deleteOrganizationInviteByEmailV2",
                Idempotency::Safe,
                |g, org| {
                    g.delete_organization_invite_by_email_v2()
                        .organization_slug(org)
                        .email(email)
                        .send()
                },
            )
            .await
            .map(|_| true);
        sdk_runtime::deleted_after_lost_answer(email, deleted)
    }
}

impl TryFrom<&InviteRequest> for types::InviteOrganizationMemberV2Body {
    type Error = Error;
    fn try_from(r: &InviteRequest) -> Result<Self> {
        Ok(types::InviteOrganizationMemberV2Body {
            email: r.email.clone(),
            role: (&r.role).try_into()?,
            username: r.username.clone(),
        })
    }
}

impl From<types::InviteV2> for Invite {
    fn from(i: types::InviteV2) -> Self {
        Invite {
            id: i.id,
            email: i.email,
            role: i.role.map(Into::into),
            created_at: i.created_at,
        }
    }
}

impl From<types::InviteCreatedV2> for InviteCreated {
    fn from(i: types::InviteCreatedV2) -> Self {
        InviteCreated {
            email: i.email,
            organization: i.organization,
            role: i.role.map(Into::into),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_invites_convert() {
        let answer: types::ListOrganizationInvitesV2Response = serde_json::from_value(json!({
            "invites": [
                {"id": 4, "email": "dana@example.com", "role": "member", "created_at": "2025-01-02"},
                {"role": "billing-admin"}
            ]
        }))
        .unwrap();
        let invites: Vec<Invite> = answer.invites.into_iter().map(Into::into).collect();
        assert_eq!(invites[0].id, Some(4));
        assert_eq!(invites[0].email.as_deref(), Some("dana@example.com"));
        assert_eq!(invites[0].role, Some(Role::Member));
        assert_eq!(invites[1].role, Some(Role::Other("billing-admin".into())));

        let created: types::InviteOrganizationMemberV2Response = serde_json::from_value(json!({
            "invited": {"email": "e@example.com", "organization": "acme", "role": "viewer"}
        }))
        .unwrap();
        let created = InviteCreated::from(created.invited);
        assert_eq!(created.organization.as_deref(), Some("acme"));
        assert_eq!(created.role, Some(Role::Viewer));
    }

    #[test]
    fn request_bodies() {
        let body = types::InviteOrganizationMemberV2Body::try_from(&InviteRequest::username(
            "bob",
            Role::Admin,
        ))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"username": "bob", "role": "admin"})
        );
        assert!(
            InviteRequest::email("nobody", Role::Member)
                .check()
                .is_err()
        );
        assert!(InviteRequest::email("a@b.c", Role::Owner).check().is_err());
        assert!(InviteRequest::email("a@b.c", Role::Member).check().is_ok());
    }
}
