//! The user the platform API token belongs to.

use turso_platform_generated::types;

use crate::{Client, Idempotency, Result};

/// The current user. Obtained with [`crate::Client::user`].
#[derive(Debug, Clone)]
pub struct UserHandle {
    client: Client,
}

/// A Turso user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct User {
    /// The username.
    pub username: String,
    /// The display name.
    pub name: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The avatar's URL.
    pub avatar_url: Option<String>,
    /// The user's plan.
    pub plan: Option<String>,
    /// Whether invites are waiting for the user.
    pub has_pending_invites: bool,
    /// Whether multi-factor authentication is on.
    pub mfa: bool,
}

impl UserHandle {
    pub(crate) fn new(client: Client) -> Self {
        UserHandle { client }
    }

    /// The user the token belongs to.
    pub async fn current(&self) -> Result<User> {
        let answer = self
            .client
            .call("getCurrentUser", Idempotency::Safe, |g| {
                g.get_current_user().send()
            })
            .await?;
        Ok(answer.user.into())
    }
}

impl From<types::GetCurrentUserResponseUser> for User {
    fn from(u: types::GetCurrentUserResponseUser) -> Self {
        User {
            username: u.username,
            name: u.name,
            email: u.email,
            avatar_url: u.avatar_url,
            plan: u.plan,
            has_pending_invites: u.has_pending_invites.unwrap_or_default(),
            mfa: u.mfa.unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_user_converts() {
        let answer: types::GetCurrentUserResponse = serde_json::from_value(serde_json::json!({
            "user": {
                "username": "iku",
                "email": "iku@example.com",
                "avatarUrl": "https://example.com/a.png",
                "mfa": true
            }
        }))
        .unwrap();
        let user = User::from(answer.user);
        assert_eq!(user.username, "iku");
        assert_eq!(user.email.as_deref(), Some("iku@example.com"));
        assert_eq!(
            user.avatar_url.as_deref(),
            Some("https://example.com/a.png")
        );
        assert!(user.mfa);
        assert!(!user.has_pending_invites);
        assert_eq!(user.name, None);
    }
}
