//! Organization invites (v2): by email or by username of an existing user;
//! a new invite for the same email replaces the pending one.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Ctx, Reply};
use crate::auth::Need;
use crate::state::{Invite, rfc3339};

pub(crate) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let invites: Vec<Value> = ctx
        .org(&slug)?
        .invites
        .iter()
        .map(|i| {
            json!({"id": i.id, "email": i.email, "role": i.role, "created_at": rfc3339(&i.created_at)})
        })
        .collect();
    Ok(Reply::ok(json!({ "invites": invites })))
}

#[derive(Deserialize)]
struct InviteInput {
    email: Option<String>,
    username: Option<String>,
    role: Option<String>,
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Admin)?;
    let input: InviteInput = ctx.body_as()?;
    let role = input.role.unwrap_or_else(|| "member".into());
    let email = match (input.email, input.username) {
        (Some(email), None) => {
            if !email.contains('@') {
                return Err(ApiError::bad_request(format!("invalid email [{email}]")));
            }
            email
        }
        (None, Some(username)) => ctx
            .state
            .user(&username)
            .map(|u| u.email.clone())
            .ok_or_else(|| ApiError::not_found(format!("user {username} not found")))?,
        _ => {
            return Err(ApiError::bad_request(
                "provide exactly one of email or username",
            ));
        }
    };
    let org = ctx.org(&slug)?;
    if org.kind == "personal" {
        return Err(ApiError::bad_request(
            "personal organizations cannot have members; create a team organization",
        ));
    }
    let already = ctx
        .state
        .users
        .iter()
        .any(|u| u.email == email && org.role_of(&u.username).is_some());
    if already {
        return Err(ApiError::conflict(format!(
            "{email} is already a member of organization {slug}"
        )));
    }
    let now = ctx.now;
    let org = ctx.org_mut(&slug)?;
    org.invites.retain(|i| i.email != email);
    let id = org.next_invite_id;
    org.next_invite_id += 1;
    org.invites.push(Invite {
        id,
        email: email.clone(),
        role: role.clone(),
        created_at: now,
    });
    Ok(Reply::ok(json!({
        "invited": {"email": email, "role": role, "organization": slug}
    })))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Admin)?;
    let email = ctx.param("email")?;
    let org = ctx.org_mut(&slug)?;
    let before = org.invites.len();
    org.invites.retain(|i| i.email != email);
    if org.invites.len() == before {
        return Err(ApiError::not_found(format!("invite for {email} not found")));
    }
    Ok(Reply::empty())
}
