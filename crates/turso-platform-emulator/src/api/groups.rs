//! Groups: create/list/get/delete, configuration, locations (which create and
//! destroy instances of every database in the group), transfer, unarchive,
//! update, and group tokens with rotation.

use serde::Deserialize;
use serde_json::{Value, json};

use super::databases::sql_claims;
use super::{ApiError, ApiResult, Ctx, Reply, check_name, group_not_found};
use crate::auth::Need;
use crate::jwt;
use crate::state::{FileOp, Group, is_location, new_uuid};

/// The group of the path, after the group-scope check.
fn group_of<'c>(ctx: &'c Ctx<'_>, slug: &str) -> Result<&'c Group, ApiError> {
    let name = ctx.param("groupName")?;
    ctx.principal.check_group(&name)?;
    ctx.org(slug)?
        .group(&name)
        .ok_or_else(|| group_not_found(&name))
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let only = ctx.principal.group.clone();
    let groups: Vec<Value> = ctx
        .org(&slug)?
        .groups
        .iter()
        .filter(|g| only.as_ref().is_none_or(|o| &g.name == o))
        .map(Group::to_json)
        .collect();
    Ok(Reply::ok(json!({ "groups": groups })))
}

#[derive(Deserialize)]
struct NewGroup {
    name: String,
    location: String,
    extensions: Option<Value>,
}

fn check_location(location: &str) -> Result<(), ApiError> {
    if is_location(location) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid location: {location}"
        )))
    }
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgWrite)?;
    let input: NewGroup = ctx.body_as()?;
    check_name("group", &input.name)?;
    check_location(&input.location)?;
    if ctx.org(&slug)?.group(&input.name).is_some() {
        return Err(ApiError::conflict(format!(
            "group with name [{}] already exists",
            input.name
        )));
    }
    let group = Group {
        name: input.name.clone(),
        uuid: new_uuid(),
        primary: input.location.clone(),
        locations: vec![input.location.clone()],
        archived: false,
        delete_protection: false,
        version: "v0.24.0".into(),
        extensions: input.extensions.unwrap_or(Value::Null),
        token_generation: 0,
    };
    let body = json!({ "group": group.to_json() });
    ctx.org_mut(&slug)?.groups.push(group);
    ctx.audit(
        &slug,
        "group-create",
        format!("group {} created in {}", input.name, input.location),
        json!({"name": input.name, "location": input.location}),
    );
    Ok(Reply::ok(body))
}

pub(crate) fn get(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    Ok(Reply::ok(
        json!({ "group": group_of(ctx, &slug)?.to_json() }),
    ))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgWrite)?;
    let group = group_of(ctx, &slug)?;
    let name = group.name.clone();
    if group.delete_protection {
        return Err(ApiError::bad_request(format!(
            "cannot delete group [{name}]: delete protection is enabled; disable it in the group configuration first"
        )));
    }
    let org = ctx.org(&slug)?;
    if let Some(db) = org
        .databases()
        .iter()
        .find(|d| d.group == name && d.delete_protection)
    {
        return Err(ApiError::bad_request(format!(
            "cannot delete group [{name}]: its database [{}] has delete protection enabled",
            db.name
        )));
    }
    let body = json!({ "group": group.to_json() });
    let org = ctx.org_mut(&slug)?;
    let removed: Vec<(String, String)> = org
        .remove_dbs(|d| d.group == name)
        .into_iter()
        .map(|d| (d.name, d.id))
        .collect();
    org.groups.retain(|g| g.name != name);
    for (db, id) in removed {
        ctx.state.dirty.files.push(FileOp::Remove(id.clone()));
        ctx.audit(
            &slug,
            "db-delete",
            format!("database {db} deleted with group {name}"),
            json!({"name": db, "id": id}),
        );
    }
    ctx.audit(
        &slug,
        "group-delete",
        format!("group {name} deleted"),
        json!({"name": name}),
    );
    Ok(Reply::ok(body))
}

pub(crate) fn get_config(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let group = group_of(ctx, &slug)?;
    Ok(Reply::ok(
        json!({ "delete_protection": group.delete_protection }),
    ))
}

#[derive(Deserialize)]
struct ConfigInput {
    delete_protection: Option<bool>,
}

pub(crate) fn update_config(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("group:configure"))?;
    let input: ConfigInput = ctx.body_as()?;
    let name = group_of(ctx, &slug)?.name.clone();
    let group = ctx
        .org_mut(&slug)?
        .group_mut(&name)
        .ok_or_else(|| group_not_found(&name))?;
    let before = group.delete_protection;
    if let Some(v) = input.delete_protection {
        group.delete_protection = v;
    }
    let after = group.delete_protection;
    if before != after {
        let code = if after {
            "group-protect"
        } else {
            "group-unprotect"
        };
        ctx.audit(
            &slug,
            code,
            format!("delete protection of group {name} set to {after}"),
            json!({"name": name}),
        );
    }
    Ok(Reply::ok(json!({ "delete_protection": after })))
}

#[derive(Deserialize)]
struct TransferInput {
    organization: Option<String>,
}

pub(crate) fn transfer(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgWrite)?;
    let input: TransferInput = ctx.body_as()?;
    let target = input
        .organization
        .ok_or_else(|| ApiError::bad_request("organization is required"))?;
    let name = group_of(ctx, &slug)?.name.clone();
    if target == slug {
        return Err(ApiError::bad_request(
            "the group already belongs to this organization",
        ));
    }
    // The caller must be able to write in the receiving organization too.
    let target_org = ctx
        .state
        .org(&target)
        .filter(|o| matches!(o.role_of(&ctx.principal.username), Some(r) if r != "viewer"))
        .ok_or_else(|| ApiError::not_found(format!("organization {target} not found")))?;
    if ctx.principal.organization.is_some() {
        return Err(ApiError::forbidden(format!(
            "an organization-scoped token cannot transfer into organization {target}"
        )));
    }
    if target_org.group(&name).is_some() {
        return Err(ApiError::conflict(format!(
            "group with name [{name}] already exists in organization {target}"
        )));
    }
    let source = ctx.org(&slug)?;
    if let Some(db) = source
        .databases()
        .iter()
        .find(|d| d.group == name && target_org.db(&d.name).is_some())
    {
        return Err(ApiError::conflict(format!(
            "database with name [{}] already exists in organization {target}",
            db.name
        )));
    }
    let source = ctx.org_mut(&slug)?;
    let moved_dbs = source.remove_dbs(|d| d.group == name);
    let pos = source
        .groups
        .iter()
        .position(|g| g.name == name)
        .ok_or_else(|| group_not_found(&name))?;
    let group = source.groups.remove(pos);
    let body = group.to_json();
    let dest = ctx.org_mut(&target)?;
    dest.groups.push(group);
    dest.add_dbs(moved_dbs);
    ctx.audit(
        &slug,
        "group-delete",
        format!("group {name} transferred to {target}"),
        json!({"name": name, "transferred_to": target}),
    );
    ctx.audit(
        &target,
        "group-create",
        format!("group {name} transferred from {slug}"),
        json!({"name": name, "transferred_from": slug}),
    );
    Ok(Reply::ok(body))
}

pub(crate) fn unarchive(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("group:configure"))?;
    let name = group_of(ctx, &slug)?.name.clone();
    let group = ctx
        .org_mut(&slug)?
        .group_mut(&name)
        .ok_or_else(|| group_not_found(&name))?;
    group.archived = false;
    let body = json!({ "group": group.to_json() });
    ctx.audit(
        &slug,
        "group-unarchive",
        format!("group {name} unarchived"),
        json!({"name": name}),
    );
    Ok(Reply::ok(body))
}

/// Add (`add = true`) or remove a location, creating/destroying instances.
fn change_location(ctx: &mut Ctx<'_>, add: bool) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("group:configure"))?;
    let location = ctx.param("location")?;
    let name = group_of(ctx, &slug)?.name.clone();
    check_location(&location)?;
    let org = ctx.org_mut(&slug)?;
    let group = org.group_mut(&name).ok_or_else(|| group_not_found(&name))?;
    let present = group.locations.contains(&location);
    if add && present {
        // Idempotent: adding a location the group already has changes nothing.
        return Ok(Reply::ok(json!({ "group": group.to_json() })));
    }
    if !add {
        if location == group.primary {
            return Err(ApiError::bad_request(format!(
                "cannot remove the primary location {location} of group {name}"
            )));
        }
        if !present {
            return Err(ApiError::bad_request(format!(
                "location {location} is not part of group {name}"
            )));
        }
    }
    if add {
        group.locations.push(location.clone());
    } else {
        group.locations.retain(|l| l != &location);
    }
    let body = json!({ "group": group.to_json() });
    let mut touched = Vec::new();
    for db in org.group_dbs_mut(&name) {
        if add {
            db.instances.insert(location.clone(), new_uuid());
        } else {
            db.instances.remove(&location);
        }
        touched.push(db.name.clone());
    }
    let code = if add {
        "instance-create"
    } else {
        "instance-delete"
    };
    for db in touched {
        ctx.audit(
            &slug,
            code,
            format!(
                "instance {location} of database {db} {}",
                if add { "created" } else { "deleted" }
            ),
            json!({"database": db, "location": location, "group": name}),
        );
    }
    Ok(Reply::ok(body))
}

pub(crate) fn add_location(ctx: &mut Ctx<'_>) -> ApiResult {
    change_location(ctx, true)
}

/// `waitForGroupLocation`: the emulator's instances serve as soon as they
/// are added, so a location of the group answers at once; one the group
/// does not have is a 404, as waiting for it would never end.
pub(crate) fn wait_location(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let location = ctx.param("location")?;
    let group = group_of(ctx, &slug)?;
    if !group.locations.contains(&location) {
        return Err(ApiError::not_found(format!(
            "location {location} is not part of group {}",
            group.name
        )));
    }
    Ok(Reply::ok(
        json!({ "group": group.name, "location": location }),
    ))
}

pub(crate) fn remove_location(ctx: &mut Ctx<'_>) -> ApiResult {
    change_location(ctx, false)
}

pub(crate) fn update_databases(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("group:configure"))?;
    let name = group_of(ctx, &slug)?.name.clone();
    if let Some(group) = ctx.org_mut(&slug)?.group_mut(&name) {
        // "Update" moves the group's databases to the latest server version.
        group.version = "v0.24.1".into();
    }
    Ok(Reply::empty())
}

pub(crate) fn create_token(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("group:mint-token"))?;
    let group = group_of(ctx, &slug)?;
    let (name, uuid) = (group.name.clone(), group.uuid.clone());
    let key = jwt::group_key(&ctx.state.secret, &group.uuid, group.token_generation);
    let mut claims = sql_claims(ctx)?;
    claims.gid = Some(uuid);
    let token = jwt::sign(&claims, &key).map_err(|e| ApiError::new(500, e))?;
    ctx.audit(
        &slug,
        "group-token-create",
        format!("token created for group {name}"),
        json!({"name": name, "authorization": claims.a}),
    );
    Ok(Reply::ok(json!({ "jwt": token })))
}

pub(crate) fn rotate(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("group:rotate-creds"))?;
    let name = group_of(ctx, &slug)?.name.clone();
    if let Some(group) = ctx.org_mut(&slug)?.group_mut(&name) {
        group.token_generation += 1;
    }
    Ok(Reply::empty())
}
