//! The user the platform API token belongs to.

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Result;
use crate::runtime::Retry;

/// The current user. Obtained with [`crate::Client::user`].
#[derive(Debug, Clone)]
pub struct UserHandle {
    client: Client,
}

/// A Turso user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The username.
    pub username: String,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The email address.
    #[serde(default)]
    pub email: Option<String>,
    /// The avatar's URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// The user's plan.
    #[serde(default)]
    pub plan: Option<String>,
    /// Whether invites are waiting for the user.
    #[serde(default)]
    pub has_pending_invites: bool,
    /// Whether multi-factor authentication is on.
    #[serde(default)]
    pub mfa: bool,
}

impl UserHandle {
    pub(crate) fn new(client: Client) -> Self {
        UserHandle { client }
    }

    /// The user the token belongs to.
    pub async fn current(&self) -> Result<User> {
        #[derive(Deserialize)]
        struct Body {
            user: User,
        }
        let g = self.client.generated();
        let b: Body = self
            .client
            .run("getCurrentUser", Retry::Auto, || {
                g.get_current_user().send()
            })
            .await?;
        Ok(b.user)
    }
}
