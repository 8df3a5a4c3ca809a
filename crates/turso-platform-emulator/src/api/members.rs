//! Organization members: list, add (existing users by username), get,
//! change role, remove.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Ctx, Reply};
use crate::auth::Need;
use crate::state::{Member, Org};

fn member_json(ctx: &Ctx<'_>, m: &Member) -> Value {
    let email = ctx
        .state
        .user(&m.username)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    json!({"username": m.username, "role": m.role, "email": email})
}

fn member_not_found(username: &str) -> ApiError {
    ApiError::not_found(format!("member {username} not found"))
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let members: Vec<Value> = ctx
        .org(&slug)?
        .members
        .iter()
        .map(|m| member_json(ctx, m))
        .collect();
    Ok(Reply::ok(json!({ "members": members })))
}

#[derive(Deserialize)]
struct AddInput {
    username: String,
    role: Option<String>,
}

/// Personal organizations have exactly one member, their owner.
fn refuse_personal(org: &Org) -> Result<(), ApiError> {
    if org.kind == "personal" {
        return Err(ApiError::bad_request(
            "personal organizations cannot have members; create a team organization",
        ));
    }
    Ok(())
}

pub(crate) fn add(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Admin)?;
    let input: AddInput = ctx.body_as()?;
    let role = input.role.unwrap_or_else(|| "member".into());
    if ctx.state.user(&input.username).is_none() {
        return Err(ApiError::not_found(format!(
            "user {} not found",
            input.username
        )));
    }
    let org = ctx.org(&slug)?;
    refuse_personal(org)?;
    if org.role_of(&input.username).is_some() {
        return Err(ApiError::conflict(format!(
            "user {} is already a member of organization {slug}",
            input.username
        )));
    }
    let org = ctx.org_mut(&slug)?;
    org.members.push(Member {
        username: input.username.clone(),
        role: role.clone(),
    });
    ctx.audit(
        &slug,
        "org-member-add",
        format!("{} added as {role}", input.username),
        json!({"username": input.username, "role": role}),
    );
    Ok(Reply::ok(json!({ "member": input.username, "role": role })))
}

pub(crate) fn get(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let username = ctx.param("username")?;
    let member = ctx
        .org(&slug)?
        .members
        .iter()
        .find(|m| m.username == username)
        .ok_or_else(|| member_not_found(&username))?;
    Ok(Reply::ok(json!({ "member": member_json(ctx, member) })))
}

#[derive(Deserialize)]
struct RoleInput {
    role: String,
}

pub(crate) fn update_role(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Admin)?;
    let username = ctx.param("username")?;
    let input: RoleInput = ctx.body_as()?;
    let org = ctx.org(&slug)?;
    match org.role_of(&username) {
        None => return Err(member_not_found(&username)),
        Some("owner") => {
            return Err(ApiError::forbidden(
                "the role of the organization owner cannot be changed",
            ));
        }
        Some(_) => {}
    }
    let org = ctx.org_mut(&slug)?;
    if let Some(m) = org.members.iter_mut().find(|m| m.username == username) {
        m.role = input.role.clone();
    }
    let email = ctx
        .state
        .user(&username)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    Ok(Reply::ok(json!({
        "member": {"username": username, "email": email, "role": input.role}
    })))
}

pub(crate) fn remove(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Admin)?;
    let username = ctx.param("username")?;
    match ctx.org(&slug)?.role_of(&username) {
        None => return Err(member_not_found(&username)),
        Some("owner") => {
            return Err(ApiError::bad_request(
                "the organization owner cannot be removed",
            ));
        }
        Some(_) => {}
    }
    ctx.org_mut(&slug)?
        .members
        .retain(|m| m.username != username);
    ctx.audit(
        &slug,
        "org-member-rm",
        format!("{username} removed"),
        json!({"username": username}),
    );
    Ok(Reply::ok(json!({ "member": username })))
}
