//! The current user and the location table.

use serde_json::{Map, Value, json};

use super::{ApiError, ApiResult, Ctx, Reply};
use crate::state::LOCATIONS;

pub(crate) fn current(ctx: &mut Ctx<'_>) -> ApiResult {
    let user = ctx
        .state
        .user(&ctx.principal.username)
        .ok_or_else(|| ApiError::unauthorized("user no longer exists"))?;
    let pending = ctx
        .state
        .orgs
        .iter()
        .any(|o| o.invites.iter().any(|i| i.email == user.email));
    let plan = ctx
        .state
        .org(&user.username)
        .map(|o| o.plan_id.clone())
        .unwrap_or_else(|| "starter".into());
    Ok(Reply::ok(json!({
        "user": {
            "username": user.username,
            "name": user.name,
            "email": user.email,
            "avatarUrl": format!("https://avatars.example.com/{}", user.username),
            "plan": plan,
            "mfa": false,
            "has_pending_invites": pending,
        }
    })))
}

pub(crate) fn locations(_ctx: &mut Ctx<'_>) -> ApiResult {
    let map: Map<String, Value> = LOCATIONS
        .iter()
        .map(|(code, name)| (code.to_string(), Value::String(name.to_string())))
        .collect();
    Ok(Reply::ok(json!({ "locations": map })))
}
