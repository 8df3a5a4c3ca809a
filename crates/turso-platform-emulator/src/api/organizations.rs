//! Organizations: list, get and update (overages, require_mfa).

use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiResult, Ctx, Reply};
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
