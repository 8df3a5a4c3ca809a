//! The Platform API operations, one module per resource, dispatched by operationId.
//!
//! Handlers are plain synchronous functions over the locked [`State`]: the
//! whole operation (checks and changes) runs under one lock, which is what
//! makes "50 concurrent creates of one name give exactly one success" hold.

mod audit;
mod billing;
mod databases;
mod groups;
mod invites;
mod members;
mod organizations;
mod tokens;
mod user;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub(crate) use tokens::new_token_id;

use crate::auth::{Need, Principal};
use crate::dbfiles::DbFiles;
use crate::state::{AuditEntry, Database, Org, State};
use crate::usage::UsageBook;
pub(crate) use emulator_core::ApiError;

/// A success answer: status and optional JSON body.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Reply {
        Reply {
            status: 200,
            body: Some(body),
        }
    }
    pub(crate) fn empty() -> Reply {
        Reply {
            status: 200,
            body: None,
        }
    }
}

pub(crate) type ApiResult = Result<Reply, ApiError>;

/// Settings handlers need.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// How long a new database answers 404 on the Platform API.
    pub provisioning_delay: Duration,
    /// How much longer its data plane answers 404 after that.
    pub data_plane_delay: Duration,
    pub duplicate_status: u16,
    pub domain: String,
}

/// Everything one operation sees.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut State,
    pub settings: &'a Settings,
    /// Rows read and written by the data plane.
    pub usage: &'a UsageBook,
    /// The databases' files (for their size).
    pub files: &'a DbFiles,
    pub principal: Principal,
    pub params: &'a HashMap<String, String>,
    pub query: &'a HashMap<String, String>,
    pub body: Option<Value>,
    /// Audit-log origin derived from the User-Agent.
    pub origin: &'a str,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    /// A path parameter (always present once routed).
    pub(crate) fn param(&self, name: &str) -> Result<String, ApiError> {
        self.params
            .get(name)
            .cloned()
            .ok_or_else(|| ApiError::bad_request(format!("missing path parameter {name}")))
    }

    /// A query parameter; an empty value (`cursor=`) counts as absent, as on
    /// the service.
    pub(crate) fn query_get(&self, name: &str) -> Option<&String> {
        self.query.get(name).filter(|v| !v.is_empty())
    }

    /// The organization of the path, after checking access for `need`.
    pub(crate) fn org_slug(&self, need: Need) -> Result<String, ApiError> {
        let slug = self.param("organizationSlug")?;
        self.principal.check_org(self.state, &slug, need)?;
        Ok(slug)
    }

    pub(crate) fn org(&self, slug: &str) -> Result<&Org, ApiError> {
        self.state
            .org(slug)
            .ok_or_else(|| ApiError::not_found(format!("organization {slug} not found")))
    }

    pub(crate) fn org_mut(&mut self, slug: &str) -> Result<&mut Org, ApiError> {
        self.state
            .org_mut(slug)
            .ok_or_else(|| ApiError::not_found(format!("organization {slug} not found")))
    }

    /// A database's usage as counted by the data plane.
    pub(crate) fn usage_of(&self, db: &Database) -> crate::usage::DbUsage {
        self.usage.get(&db.id, self.files.size(&db.id))
    }

    /// Whether a database is still "provisioning" (answers 404).
    pub(crate) fn provisioning(&self, db: &Database) -> bool {
        let delay = self.settings.provisioning_delay;
        // A delay too large to add keeps the database provisioning forever.
        !delay.is_zero()
            && chrono::Duration::from_std(delay)
                .ok()
                .and_then(|d| db.created_at.checked_add_signed(d))
                .is_none_or(|ready| self.now < ready)
    }

    /// The body deserialized into `T` (an empty object when absent).
    pub(crate) fn body_as<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let value = self.body.clone().unwrap_or_else(|| json!({}));
        serde_json::from_value(value)
            .map_err(|e| ApiError::bad_request(format!("invalid request body: $: {e}")))
    }

    /// Append an audit log entry to an organization.
    pub(crate) fn audit(&mut self, slug: &str, code: &str, message: String, data: Value) {
        let entry = AuditEntry {
            seq: 0,
            code: code.into(),
            message,
            origin: self.origin.to_string(),
            author: self.principal.username.clone(),
            created_at: self.now,
            data,
        };
        if let Some(org) = self.state.org_mut(slug) {
            org.push_audit(entry);
        }
    }
}

/// A database that exists and is done provisioning, or the service's 404.
pub(crate) fn ready_db<'o>(
    ctx: &Ctx<'_>,
    org: &'o Org,
    name: &str,
) -> Result<&'o Database, ApiError> {
    match org.db(name) {
        Some(db) if !ctx.provisioning(db) => {
            ctx.principal.check_group(&db.group)?;
            Ok(db)
        }
        _ => Err(db_not_found(name)),
    }
}

/// The service's message for a missing database.
pub(crate) fn db_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!(
        "could not find database with name [{name}]: record not found"
    ))
}

/// The service's message for a missing group.
pub(crate) fn group_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("group {name} not found"))
}

/// Check a database or group name: `^[a-z0-9-]+$`, at most 64 characters
/// (characters, not bytes: the charset test refuses what is not ASCII, with
/// the same message).
pub(crate) fn check_name(kind: &str, name: &str) -> Result<(), ApiError> {
    if name.is_empty()
        || name.chars().count() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        // The service's wording (spec/real-answers/turso.json); the error
        // answer adds its `code`, `invalid_name` (see `error_reply`).
        return Err(ApiError::bad_request(format!(
            "invalid {kind} name: {INVALID_NAME}, and must be at most 64 characters long [{name}]"
        )));
    }
    Ok(())
}

/// Run one operation.
pub(crate) fn dispatch(op: &str, ctx: &mut Ctx<'_>) -> ApiResult {
    Ok(route(op, ctx).unwrap_or_else(error_reply))
}

/// The prefix of a name refusal, as the service words it; such a 400 carries
/// the service's `code`, `invalid_name`.
const INVALID_NAME: &str = "name may only contain numbers, lowercase letters, and dashes";

/// An error answer as the service sends it: `{"error": message}`, with a
/// machine-readable `code` beside `error` where the service is known to send
/// one (`invalid_name`, spec/real-answers/turso.json). The service publishes
/// no other codes, so none is invented: a test against the emulator must not
/// branch on a code the service never sends.
fn error_reply(e: ApiError) -> Reply {
    let mut body = json!({ "error": e.message });
    if e.status == 400 && e.message.contains(INVALID_NAME) {
        body["code"] = json!("invalid_name");
    }
    Reply {
        status: e.status,
        body: Some(body),
    }
}

fn route(op: &str, ctx: &mut Ctx<'_>) -> ApiResult {
    match op {
        "listDatabases" => databases::list(ctx),
        "createDatabase" => databases::create(ctx),
        "getDatabase" => databases::get(ctx),
        "deleteDatabase" => databases::delete(ctx),
        "getDatabaseConfiguration" => databases::get_config(ctx),
        "updateDatabaseConfiguration" => databases::update_config(ctx),
        "listDatabaseInstances" => databases::list_instances(ctx),
        "getDatabaseInstance" => databases::get_instance(ctx),
        "createDatabaseToken" => databases::create_token(ctx),
        "getDatabaseUsage" => databases::usage(ctx),
        "getDatabaseStats" => databases::stats(ctx),
        "invalidateDatabaseTokens" => databases::rotate(ctx),
        "listGroups" => groups::list(ctx),
        "createGroup" => groups::create(ctx),
        "getGroup" => groups::get(ctx),
        "deleteGroup" => groups::delete(ctx),
        "getGroupConfiguration" => groups::get_config(ctx),
        "updateGroupConfiguration" => groups::update_config(ctx),
        "transferGroup" => groups::transfer(ctx),
        "unarchiveGroup" => groups::unarchive(ctx),
        "addLocationToGroup" => groups::add_location(ctx),
        "removeLocationFromGroup" => groups::remove_location(ctx),
        "updateGroupDatabases" => groups::update_databases(ctx),
        "createGroupToken" => groups::create_token(ctx),
        "invalidateGroupTokens" => groups::rotate(ctx),
        "listLocations" => user::locations(ctx),
        "listOrganizations" => organizations::list(ctx),
        "getOrganization" => organizations::get(ctx),
        "updateOrganization" => organizations::update(ctx),
        "listOrganizationPlans" => billing::plans(ctx),
        "listOrganizationInvoices" => billing::invoices(ctx),
        "getOrganizationSubscription" => billing::subscription(ctx),
        "getOrganizationUsage" => billing::usage(ctx),
        "listOrganizationMembers" => members::list(ctx),
        "addOrganizationMember" => members::add(ctx),
        "getOrganizationMember" => members::get(ctx),
        "updateMemberRole" => members::update_role(ctx),
        "removeOrganizationMember" => members::remove(ctx),
        "validateAPIToken" => tokens::validate(ctx),
        "listAPITokens" => tokens::list(ctx),
        "createAPIToken" => tokens::create(ctx),
        "revokeAPIToken" => tokens::revoke(ctx),
        "listOrganizationAPITokens" => tokens::list_org(ctx),
        "revokeOrganizationAPIToken" => tokens::revoke_org(ctx),
        "listOrganizationAuditLogs" => audit::list(ctx),
        "listOrganizationInvitesV2" => invites::list(ctx),
        "inviteOrganizationMemberV2" => invites::create(ctx),
        "deleteOrganizationInviteByEmailV2" => invites::delete(ctx),
        "getCurrentUser" => user::current(ctx),
        "deleteOrganization" => organizations::delete(ctx),
        "updateDatabaseVersion" => databases::update_version(ctx),
        "waitForGroupLocation" => groups::wait_location(ctx),
        other => Err(ApiError::new(
            501,
            format!("operation {other} is not implemented by the emulator"),
        )),
    }
}

/// Parse an optional positive integer query parameter.
pub(crate) fn query_int(ctx: &Ctx<'_>, name: &str) -> Result<Option<i64>, ApiError> {
    match ctx.query_get(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(format!("invalid {name} [{v}]: must be a positive integer"))
            }),
    }
}
