//! Platform API tokens: create (unrestricted, organization-scoped or
//! group-scoped with scopes), list, validate, revoke by name or by id.
//!
//! An organization-scoped token acts on its organization only, on the
//! user-level endpoints too: `listAPITokens` shows it the tokens scoped to
//! that organization (organization- and group-scoped), and `revokeAPIToken`
//! reaches only those (any other name answers 404, so it learns nothing of
//! the rest). The user's unrestricted tokens, and tokens of other
//! organizations, are managed with an unrestricted token, as the service's
//! documentation of the organization token endpoints says ("unrestricted
//! tokens are unreachable here and must be revoked via
//! `DELETE /v1/auth/api-tokens/{tokenName}`"): a token narrowed to one
//! organization must not widen itself by revoking or enumerating the
//! credentials that reach every organization.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Ctx, Reply};
use crate::auth::{ALL_SCOPES, Need};
use crate::jwt;
use crate::state::ApiToken;

/// A 22-character url-safe id, like the service's.
pub(crate) fn new_token_id() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

fn token_json(t: &ApiToken) -> Value {
    let mut v = json!({
        "name": t.name,
        "id": t.id,
        "created_at": t.created_at.format("%Y-%m-%d").to_string(),
    });
    if let Some(o) = &t.organization {
        v["organization"] = json!(o);
    }
    if let Some(g) = &t.group {
        v["group"] = json!(g);
        v["scopes"] = json!(t.scopes);
    }
    v
}

pub(crate) fn validate(ctx: &mut Ctx<'_>) -> ApiResult {
    // Platform tokens minted here never expire.
    let _ = &ctx.principal;
    Ok(Reply::ok(json!({ "exp": -1 })))
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    ctx.principal.check_not_group_scoped()?;
    let user = &ctx.principal.username;
    let only = ctx.principal.organization.as_ref();
    let tokens: Vec<Value> = ctx
        .state
        .api_tokens()
        .iter()
        .filter(|t| &t.owner == user)
        .filter(|t| only.is_none_or(|o| t.organization.as_ref() == Some(o)))
        .map(token_json)
        .collect();
    Ok(Reply::ok(json!({ "tokens": tokens })))
}

#[derive(Deserialize)]
struct CreateInput {
    organization: Option<String>,
    group: Option<String>,
    scopes: Option<Vec<String>>,
}

/// Expand presets (`read-only`, `full-access`) and de-duplicate.
fn expand_scopes(scopes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scopes {
        let expanded: Vec<&str> = match s.as_str() {
            "read-only" => vec!["read"],
            "full-access" => ALL_SCOPES.to_vec(),
            other => vec![other],
        };
        for e in expanded {
            if !out.iter().any(|o| o == e) {
                out.push(e.to_string());
            }
        }
    }
    // Keep a canonical order so listings are stable.
    out.sort_by_key(|s| ALL_SCOPES.iter().position(|a| a == s));
    out
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> ApiResult {
    ctx.principal.check_not_group_scoped()?;
    let name = ctx.param("tokenName")?;
    let input: CreateInput = ctx.body_as()?;
    let owner = ctx.principal.username.clone();
    // The limit counts characters, as the service does, not UTF-8 bytes.
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::bad_request(
            "token name must be 1 to 64 characters",
        ));
    }
    if ctx
        .state
        .api_tokens()
        .iter()
        .any(|t| t.owner == owner && t.name == name)
    {
        return Err(ApiError::conflict(format!(
            "a token with name [{name}] already exists"
        )));
    }
    if let Some(scoped) = &ctx.principal.organization
        && input.organization.as_ref() != Some(scoped)
    {
        return Err(ApiError::forbidden(format!(
            "an organization-scoped token can only mint tokens for organization {scoped}"
        )));
    }
    let scopes = input.scopes.clone().unwrap_or_default();
    if input.group.is_none() && !scopes.is_empty() {
        return Err(ApiError::bad_request("scopes require a group"));
    }
    if input.group.is_some() && input.organization.is_none() {
        return Err(ApiError::bad_request("group requires organization"));
    }
    let mut expanded = Vec::new();
    if let Some(org_slug) = &input.organization {
        let org = ctx
            .state
            .org(org_slug)
            .filter(|o| o.role_of(&owner).is_some())
            .ok_or_else(|| ApiError::not_found(format!("organization {org_slug} not found")))?;
        if let Some(group) = &input.group {
            if scopes.is_empty() {
                return Err(ApiError::bad_request(
                    "scopes must be a non-empty list when group is set",
                ));
            }
            if org.group(group).is_none() {
                return Err(ApiError::not_found(format!("group {group} not found")));
            }
            if !matches!(org.role_of(&owner), Some("owner" | "admin")) {
                return Err(ApiError::forbidden(
                    "only owners and admins can mint group-scoped tokens",
                ));
            }
            expanded = expand_scopes(&scopes);
        }
    }
    let id = new_token_id();
    let token =
        jwt::platform_token(&ctx.state.secret, &owner, &id).map_err(|e| ApiError::new(500, e))?;
    ctx.state.add_api_token(ApiToken {
        id: id.clone(),
        name: name.clone(),
        owner: owner.clone(),
        organization: input.organization.clone(),
        group: input.group.clone(),
        scopes: expanded,
        created_at: ctx.now,
    });
    // Unrestricted tokens are logged in the owner's personal organization.
    let log_org = input.organization.unwrap_or_else(|| owner.clone());
    ctx.audit(
        &log_org,
        "user-token-create",
        format!("API token {name} created"),
        json!({"name": name, "id": id}),
    );
    Ok(Reply::ok(json!({ "name": name, "id": id, "token": token })))
}

pub(crate) fn revoke(ctx: &mut Ctx<'_>) -> ApiResult {
    ctx.principal.check_not_group_scoped()?;
    let name = ctx.param("tokenName")?;
    let owner = ctx.principal.username.clone();
    let only = ctx.principal.organization.clone();
    if ctx.state.remove_api_tokens(|t| {
        t.owner == owner
            && t.name == name
            && only
                .as_ref()
                .is_none_or(|o| t.organization.as_ref() == Some(o))
    }) == 0
    {
        return Err(ApiError::not_found(format!("token [{name}] not found")));
    }
    Ok(Reply::ok(json!({ "token": name })))
}

pub(crate) fn list_org(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let user = ctx.principal.username.clone();
    let admin = matches!(ctx.org(&slug)?.role_of(&user), Some("owner" | "admin"));
    let tokens: Vec<Value> = ctx
        .state
        .api_tokens()
        .iter()
        .filter(|t| t.organization.as_deref() == Some(slug.as_str()))
        .filter(|t| admin || t.owner == user)
        .map(|t| {
            let mut v = token_json(t);
            if admin {
                let email = ctx
                    .state
                    .user(&t.owner)
                    .map(|u| u.email.clone())
                    .unwrap_or_default();
                v["owner"] = json!({"username": t.owner, "email": email});
            }
            v
        })
        .collect();
    Ok(Reply::ok(json!({ "tokens": tokens })))
}

pub(crate) fn revoke_org(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let id = ctx.param("tokenId")?;
    let user = ctx.principal.username.clone();
    let admin = matches!(ctx.org(&slug)?.role_of(&user), Some("owner" | "admin"));
    // Other organizations' and unrestricted tokens answer 404, not 403, so ids do not leak.
    let pos = ctx
        .state
        .api_tokens()
        .iter()
        .position(|t| t.id == id && t.organization.as_deref() == Some(slug.as_str()))
        .ok_or_else(|| ApiError::not_found(format!("token [{id}] not found")))?;
    if !admin && ctx.state.api_tokens()[pos].owner != user {
        return Err(ApiError::forbidden(
            "members and viewers can only revoke their own tokens",
        ));
    }
    ctx.state.remove_api_tokens(|t| t.id == id);
    Ok(Reply::ok(json!({ "token": id })))
}
