//! Organizations: list, get, update (overages, require_mfa) and delete.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Ctx, Reply};
use crate::auth::Need;
use crate::state::Org;

pub(crate) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    let user = &ctx.principal.username;
    let only = ctx.principal.organization.as_ref();
    let orgs: Vec<Value> = ctx
        .state
        .orgs
        .iter()
        .filter(|o| o.role_of(user).is_some())
        .filter(|o| only.is_none_or(|s| &o.slug == s))
        .map(Org::to_json)
        .collect();
    Ok(Reply::ok(Value::Array(orgs)))
}

pub(crate) fn get(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    Ok(Reply::ok(
        json!({ "organization": ctx.org(&slug)?.to_json() }),
    ))
}

#[derive(Deserialize)]
struct UpdateInput {
    overages: Option<bool>,
    require_mfa: Option<bool>,
}

pub(crate) fn update(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Admin)?;
    let input: UpdateInput = ctx.body_as()?;
    let org = ctx.org_mut(&slug)?;
    let before = org.overages;
    if let Some(v) = input.overages {
        org.overages = v;
    }
    if let Some(v) = input.require_mfa {
        org.require_mfa = v;
    }
    let body = json!({ "organization": org.to_json() });
    let after = org.overages;
    if before != after {
        ctx.audit(
            &slug,
            "org-set-overages",
            format!("overages set to {after}"),
            json!({"overages": after}),
        );
    }
    Ok(Reply::ok(body))
}

/// `deleteOrganization`: only its owner, never a personal organization, and
/// only once it holds no databases (they would be orphaned otherwise).
pub(crate) fn delete(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Admin)?;
    let org = ctx.org(&slug)?;
    if org.role_of(&ctx.principal.username) != Some("owner") {
        return Err(ApiError::forbidden(
            "only the owner can delete an organization",
        ));
    }
    if org.kind == "personal" {
        return Err(ApiError::bad_request(
            "a personal organization cannot be deleted",
        ));
    }
    if !org.databases().is_empty() {
        return Err(ApiError::conflict(format!(
            "organization {slug} still has {} databases; delete them first",
            org.databases().len()
        )));
    }
    let body = json!({ "organization": org.to_json() });
    ctx.state.remove_org(&slug);
    // Tokens scoped to it can no longer reach anything.
    ctx.state
        .remove_api_tokens(|t| t.organization.as_deref() == Some(slug.as_str()));
    Ok(Reply::ok(body))
}
