//! Authentication of platform API tokens and authorization of each request.
//!
//! A token is a JWT naming a stored token record; revoking deletes the record,
//! so a revoked token fails like an unknown one (401). Scoping follows the
//! spec's description of `createAPIToken`: unrestricted tokens act on every
//! organization of their owner, organization-scoped tokens on one
//! organization, group-scoped tokens on one group with an explicit scope list.

use http::HeaderMap;

use crate::jwt::{self, SqlClaims, VerifyError};
use crate::state::{Database, Org, State};
use emulator_core::ApiError;

/// Every scope a group-scoped token can hold (`full-access` expands to these).
pub(crate) const ALL_SCOPES: [&str; 9] = [
    "read",
    "db:create",
    "db:delete",
    "db:configure",
    "db:mint-token",
    "db:rotate-creds",
    "group:configure",
    "group:mint-token",
    "group:rotate-creds",
];

/// Who is calling, and with which restrictions.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub username: String,
    pub organization: Option<String>,
    pub group: Option<String>,
    pub scopes: Vec<String>,
}

/// What an operation needs from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// A read inside a group (group-scoped tokens need `read`).
    Read,
    /// A change inside a group (group-scoped tokens need this scope).
    Scoped(&'static str),
    /// An organization-level read (group-scoped tokens are refused).
    OrgRead,
    /// An organization-level change (group-scoped tokens are refused; viewers too).
    OrgWrite,
    /// Member management: owners and admins only.
    Admin,
}

/// Extract the bearer token from the headers.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Resolve the caller from the `Authorization` header.
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let token = bearer(headers).ok_or_else(|| {
        ApiError::unauthorized("missing Authorization header with a Bearer platform API token")
    })?;
    let claims = jwt::verify_platform(&state.secret, token)
        .ok_or_else(|| ApiError::unauthorized("invalid token"))?;
    let record = state
        .api_token(&claims.jti)
        .filter(|t| t.owner == claims.sub)
        .ok_or_else(|| ApiError::unauthorized("token has been revoked or does not exist"))?;
    Ok(Principal {
        username: record.owner.clone(),
        organization: record.organization.clone(),
        group: record.group.clone(),
        scopes: record.scopes.clone(),
    })
}

/// Verify a database token of `db`, or a token of its group (valid for
/// every database of the group). Keys include the rotation generations, so
/// a token minted before a rotation fails its signature check.
pub(crate) fn sql_token(
    state: &State,
    org: &Org,
    db: &Database,
    token: &str,
) -> Result<SqlClaims, VerifyError> {
    let group = org.group(&db.group);
    let group_gen = group.map_or(0, |g| g.token_generation);
    let db_key = jwt::db_key(&state.secret, &db.id, db.token_generation, group_gen);
    match jwt::verify_sql(token, &db_key) {
        Ok(c) if c.id.as_deref() == Some(db.id.as_str()) => Ok(c),
        Ok(_) => Err(VerifyError::Signature),
        Err(db_err) => match group {
            Some(g) => {
                let key = jwt::group_key(&state.secret, &g.uuid, group_gen);
                match jwt::verify_sql(token, &key) {
                    Ok(c) if c.gid.as_deref() == Some(g.uuid.as_str()) => Ok(c),
                    // Report the database key's reason (expired, rotated...).
                    _ => Err(db_err),
                }
            }
            None => Err(db_err),
        },
    }
}

impl Principal {
    /// Check access to organization `slug` for an operation needing `need`.
    pub(crate) fn check_org(&self, state: &State, slug: &str, need: Need) -> Result<(), ApiError> {
        if let Some(scoped) = &self.organization
            && scoped != slug
        {
            return Err(ApiError::forbidden(format!(
                "token is scoped to organization {scoped} and cannot access organization {slug}"
            )));
        }
        // A non-member sees the same answer as for a missing organization, so
        // organization names do not leak.
        let role = state
            .org(slug)
            .and_then(|o| o.role_of(&self.username))
            .ok_or_else(|| ApiError::not_found(format!("organization {slug} not found")))?;
        if let Some(group) = &self.group {
            let scope = match need {
                Need::Read => "read",
                Need::Scoped(s) => s,
                Need::OrgRead | Need::OrgWrite | Need::Admin => {
                    return Err(ApiError::forbidden(format!(
                        "token is restricted to group {group} and cannot perform organization-level operations"
                    )));
                }
            };
            if !self.scopes.iter().any(|s| s == scope) {
                return Err(ApiError::forbidden(format!(
                    "token is missing the {scope} scope"
                )));
            }
        }
        match need {
            Need::Admin if role != "owner" && role != "admin" => Err(ApiError::forbidden(
                "only owners and admins of the organization can do this",
            )),
            Need::Scoped(_) | Need::OrgWrite if role == "viewer" => Err(ApiError::forbidden(
                "viewers cannot modify the organization",
            )),
            _ => Ok(()),
        }
    }

    /// Refuse a group-scoped token acting on another group.
    pub(crate) fn check_group(&self, group: &str) -> Result<(), ApiError> {
        match &self.group {
            Some(g) if g != group => Err(ApiError::forbidden(format!(
                "token is restricted to group {g} and cannot access group {group}"
            ))),
            _ => Ok(()),
        }
    }

    /// Refuse group-scoped tokens (for user-level operations such as token management).
    pub(crate) fn check_not_group_scoped(&self) -> Result<(), ApiError> {
        match &self.group {
            Some(g) => Err(ApiError::forbidden(format!(
                "token is restricted to group {g} and cannot perform this operation"
            ))),
            None => Ok(()),
        }
    }
}
