//! The types of [`super::ApiTokens`] and their conversions from and to the
//! generated client's types.

use turso_platform_generated::types;

use crate::model::ApiTokenScope;
use crate::{Error, Result, Token, validate};

/// A platform API token (its value is never listed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiToken {
    /// The token's ID.
    pub id: String,
    /// The token's name.
    pub name: String,
    /// The organization it is restricted to, if any.
    pub organization: Option<String>,
    /// The group it is restricted to, if any.
    pub group: Option<String>,
    /// The scopes of a group-scoped token.
    pub scopes: Vec<ApiTokenScope>,
    /// When it was created.
    pub created_at: Option<String>,
    /// Who minted it (organization listings, for admins and owners).
    pub owner: Option<ApiTokenOwner>,
}

/// The user who minted a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiTokenOwner {
    /// The username.
    pub username: Option<String>,
    /// The email.
    pub email: Option<String>,
}

/// A newly created platform API token, with its value (shown only once).
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, Default)]
pub struct CreateApiToken {
    organization: Option<String>,
    group: Option<String>,
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

    /// The local checks: the service would refuse a group-scoped token without
    /// scopes, so it is not sent.
    pub(super) fn check(&self) -> Result<()> {
        if let Some(group) = &self.group {
            validate::group_name(group)?;
            if self.scopes.is_empty() {
                return Err(crate::error::invalid_input(
                    "a group-scoped token needs at least one scope",
                ));
            }
        }
        Ok(())
    }
}

impl TryFrom<&CreateApiToken> for types::CreateApiTokenBody {
    type Error = Error;
    fn try_from(r: &CreateApiToken) -> Result<Self> {
        Ok(types::CreateApiTokenBody {
            group: r.group.clone(),
            organization: r.organization.clone(),
            scopes: r
                .scopes
                .iter()
                .map(TryInto::try_into)
                .collect::<Result<_>>()?,
        })
    }
}

impl From<types::ApiToken> for ApiToken {
    fn from(t: types::ApiToken) -> Self {
        ApiToken {
            id: t.id,
            name: t.name,
            organization: t.organization,
            group: t.group,
            scopes: t.scopes.into_iter().map(ApiTokenScope::from).collect(),
            created_at: t.created_at,
            // The user's own listing does not say who minted a token.
            owner: None,
        }
    }
}

impl From<types::ListOrganizationApiTokensResponseTokensItem> for ApiToken {
    fn from(t: types::ListOrganizationApiTokensResponseTokensItem) -> Self {
        ApiToken {
            id: t.id.unwrap_or_default(),
            name: t.name.unwrap_or_default(),
            organization: t.organization,
            group: t.group,
            scopes: t.scopes.into_iter().map(ApiTokenScope::from).collect(),
            created_at: t.created_at,
            owner: t.owner.map(Into::into),
        }
    }
}

impl From<types::ListOrganizationApiTokensResponseTokensItemOwner> for ApiTokenOwner {
    fn from(o: types::ListOrganizationApiTokensResponseTokensItemOwner) -> Self {
        ApiTokenOwner {
            username: o.username,
            email: o.email,
        }
    }
}

impl From<types::CreateApiTokenResponse> for CreatedApiToken {
    fn from(t: types::CreateApiTokenResponse) -> Self {
        CreatedApiToken {
            id: t.id,
            name: t.name,
            token: Token::new(t.token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_tokens_convert() {
        let answer: types::ListApiTokensResponse = serde_json::from_value(json!({
            "tokens": [{
                "id": "t-1",
                "name": "ci",
                "organization": "acme",
                "group": "default",
                "scopes": ["db:create", "db:teleport"]
            }]
        }))
        .unwrap();
        let token = ApiToken::from(answer.tokens.into_iter().next().unwrap());
        assert_eq!((token.id.as_str(), token.name.as_str()), ("t-1", "ci"));
        assert_eq!(token.group.as_deref(), Some("default"));
        assert_eq!(
            token.scopes,
            [
                ApiTokenScope::DbCreate,
                ApiTokenScope::Other("db:teleport".into())
            ]
        );
        assert_eq!(token.owner, None);

        let answer: types::ListOrganizationApiTokensResponse = serde_json::from_value(json!({
            "tokens": [{"id": "t-2", "name": "deploy", "owner": {"username": "ada"}}]
        }))
        .unwrap();
        let token = ApiToken::from(answer.tokens.into_iter().next().unwrap());
        assert_eq!(token.owner.and_then(|o| o.username).as_deref(), Some("ada"));
    }

    #[test]
    fn created_token_never_prints() {
        let answer: types::CreateApiTokenResponse =
            serde_json::from_value(json!({"id": "t-3", "name": "ci", "token": "eyJ.secret"}))
                .unwrap();
        let created = CreatedApiToken::from(answer);
        assert_eq!(created.token.expose(), "eyJ.secret");
        assert!(!format!("{created:?}").contains("secret"));
    }

    #[test]
    fn request_bodies() {
        let body = types::CreateApiTokenBody::try_from(&CreateApiToken::group(
            "acme",
            "default",
            [ApiTokenScope::Read, ApiTokenScope::DbMintToken],
        ))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"organization": "acme", "group": "default", "scopes": ["read", "db:mint-token"]})
        );
        let body = types::CreateApiTokenBody::try_from(&CreateApiToken::unrestricted()).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), json!({}));
        let unknown = CreateApiToken::group("acme", "default", [ApiTokenScope::Other("x".into())]);
        assert!(types::CreateApiTokenBody::try_from(&unknown).is_err());
        assert!(
            CreateApiToken::group("acme", "default", [])
                .check()
                .is_err()
        );
    }
}
