//! Platform API tokens: the user's tokens (create, list, validate, revoke) and
//! the tokens scoped to an organization (list, revoke).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use turso_platform_generated::types;

use crate::client::Token;
use crate::error::{Error, Result};
use crate::model::{ApiTokenScope, to_input};
use crate::runtime::Retry;
use crate::validate;

crate::org_handle! {
    /// Platform API tokens. Obtained with [`crate::Client::api_tokens`] or
    /// [`crate::OrgScope::api_tokens`]; the organization matters only for
    /// [`ApiTokens::list_for_organization`] and [`ApiTokens::revoke_for_organization`].
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use turso_platform::{ApiTokenScope, CreateApiToken};
    /// let created = client
    ///     .api_tokens()
    ///     .create("ci", &CreateApiToken::group("acme", "default", [ApiTokenScope::DbCreate]))
    ///     .await?;
    /// println!("{} {}", created.name, created.token); // the token prints as Token(****)
    /// # Ok(()) }
    /// ```
    ApiTokens
}

/// A platform API token (its value is never listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiToken {
    /// The token's ID.
    pub id: String,
    /// The token's name.
    pub name: String,
    /// The organization it is restricted to, if any.
    #[serde(default)]
    pub organization: Option<String>,
    /// The group it is restricted to, if any.
    #[serde(default)]
    pub group: Option<String>,
    /// The scopes of a group-scoped token.
    #[serde(default)]
    pub scopes: Vec<ApiTokenScope>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Who minted it (organization listings, for admins and owners).
    #[serde(default)]
    pub owner: Option<ApiTokenOwner>,
}

/// The user who minted a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiTokenOwner {
    /// The username.
    #[serde(default)]
    pub username: Option<String>,
    /// The email.
    #[serde(default)]
    pub email: Option<String>,
}

/// A newly created platform API token, with its value (shown only once).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CreatedApiToken {
    /// The token's ID.
    pub id: String,
    /// The token's name.
    pub name: String,
    /// The token itself.
    pub token: Token,
}

/// The restrictions of a new platform API token.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreateApiToken {
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scopes: Vec<ApiTokenScope>,
}

impl CreateApiToken {
    /// A token with the user's full access.
    pub fn unrestricted() -> Self {
        Self::default()
    }

    /// A token restricted to one organization.
    pub fn organization(slug: impl Into<String>) -> Self {
        CreateApiToken {
            organization: Some(slug.into()),
            ..Self::default()
        }
    }

    /// A token restricted to one group of an organization, with `scopes`.
    pub fn group<I>(org: impl Into<String>, group: impl Into<String>, scopes: I) -> Self
    where
        I: IntoIterator<Item = ApiTokenScope>,
    {
        CreateApiToken {
            organization: Some(org.into()),
            group: Some(group.into()),
            scopes: scopes.into_iter().collect(),
        }
    }

    fn check(&self) -> Result<()> {
        if let Some(group) = &self.group {
            validate::group_name(group)?;
            if self.scopes.is_empty() {
                return Err(Error::invalid_input(
                    "a group-scoped token needs at least one scope",
                ));
            }
        }
        Ok(())
    }
}

impl ApiTokens {
    /// The user's tokens.
    pub async fn list(&self) -> Result<Vec<ApiToken>> {
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            tokens: Vec<ApiToken>,
        }
        let g = self.client.generated();
        let b: Body = self
            .client
            .run("listAPITokens", Retry::Auto, || g.list_api_tokens().send())
            .await?;
        Ok(b.tokens)
    }

    /// Creates a token named `name` (sent once).
    pub async fn create(
        &self,
        name: &str,
        restrictions: &CreateApiToken,
    ) -> Result<CreatedApiToken> {
        validate::segment("token name", name)?;
        restrictions.check()?;
        let body: types::CreateApiTokenBody = to_input("token restrictions", restrictions)?;
        let g = self.client.generated();
        self.client
            .run("createAPIToken", Retry::Never, || {
                g.create_api_token().token_name(name).body(body).send()
            })
            .await
    }

    /// Revokes the user's token `name`; returns its name.
    pub async fn revoke(&self, name: &str) -> Result<String> {
        validate::segment("token name", name)?;
        #[derive(Deserialize)]
        struct Body {
            token: String,
        }
        let g = self.client.generated();
        let revoked = self
            .client
            .run("revokeAPIToken", Retry::Auto, || {
                g.revoke_api_token().token_name(name).send()
            })
            .await;
        let b = crate::Client::deleted_if_lost(revoked, || Body {
            token: name.to_string(),
        })?;
        Ok(b.token)
    }

    /// Checks the client's token: `Ok` when valid, with its expiry (`None` when
    /// it does not expire); [`crate::ErrorKind::Unauthorized`] when not.
    pub async fn validate(&self) -> Result<Option<DateTime<Utc>>> {
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            exp: Option<i64>,
        }
        let g = self.client.generated();
        let b: Body = self
            .client
            .run("validateAPIToken", Retry::Auto, || {
                g.validate_api_token().send()
            })
            .await?;
        Ok(b.exp
            .filter(|e| *e > 0)
            .and_then(|e| DateTime::from_timestamp(e, 0)))
    }

    /// The tokens scoped to the organization (all of them for admins and owners,
    /// one's own otherwise).
    pub async fn list_for_organization(&self) -> Result<Vec<ApiToken>> {
        let org = self.org()?;
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            tokens: Vec<ApiToken>,
        }
        let g = self.client.generated();
        let b: Body = self
            .client
            .run("listOrganizationAPITokens", Retry::Auto, || {
                g.list_organization_api_tokens()
                    .organization_slug(&org)
                    .send()
            })
            .await?;
        Ok(b.tokens)
    }

    /// Revokes the organization-scoped token with ID `id`; returns its ID.
    pub async fn revoke_for_organization(&self, id: &str) -> Result<String> {
        validate::segment("token id", id)?;
        let org = self.org()?;
        #[derive(Deserialize)]
        struct Body {
            token: String,
        }
        let g = self.client.generated();
        let revoked = self
            .client
            .run("revokeOrganizationAPIToken", Retry::Auto, || {
                g.revoke_organization_api_token()
                    .organization_slug(&org)
                    .token_id(id)
                    .send()
            })
            .await;
        let b = crate::Client::deleted_if_lost(revoked, || Body {
            token: id.to_string(),
        })?;
        Ok(b.token)
    }
}
