//! Databases: create/list/get/delete, configuration, instances, usage,
//! stats, and database (SQL) tokens with rotation.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Ctx, Reply, check_name, db_not_found, query_int, ready_db};
use crate::auth::Need;
use crate::jwt::{self, Permissions, ReadAttach, SqlClaims};
use crate::state::{Database, FileOp, Parent, hostname, new_uuid};

/// Cursors are opaque to clients; inside they name the creation counter of
/// the last database returned, so paging stays stable under inserts/deletes.
fn encode_cursor(seq: u64) -> String {
    format!("c{seq:016x}")
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    let hex = cursor.strip_prefix('c')?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

pub(crate) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let mut group_filter = ctx.query_get("group").cloned();
    if let Some(g) = &group_filter {
        ctx.principal.check_group(g)?;
    } else if let Some(g) = &ctx.principal.group {
        // A group-scoped token only ever sees its own group.
        group_filter = Some(g.clone());
    }
    let limit = query_int(ctx, "limit")?;
    let after = match ctx.query_get("cursor") {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| ApiError::bad_request(format!("invalid cursor [{c}]")))?,
        ),
        None => None,
    };
    let org = ctx.org(&slug)?;
    let parent = ctx.query_get("parent");
    let matching: Vec<&Database> = org
        .databases()
        .iter()
        .filter(|d| group_filter.as_ref().is_none_or(|g| &d.group == g))
        .filter(|d| parent.is_none_or(|p| d.parent.as_ref().is_some_and(|x| &x.id == p)))
        .filter(|d| after.is_none_or(|a| d.seq > a))
        .collect();
    let take = limit.map_or(matching.len(), |l| usize::try_from(l).unwrap_or(usize::MAX));
    let page: Vec<&Database> = matching.iter().take(take).copied().collect();
    let mut body = json!({
        "databases": page.iter().map(|d| d.to_json(org, &ctx.settings.domain)).collect::<Vec<_>>(),
    });
    if limit.is_some() || after.is_some() {
        let next = (matching.len() > page.len())
            .then(|| page.last().map(|d| encode_cursor(d.seq)))
            .flatten();
        body["pagination"] = json!({ "next": next });
    }
    Ok(Reply::ok(body))
}

#[derive(Deserialize)]
struct Seed {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct RemoteEncryption {
    encryption_cipher: Option<String>,
}

#[derive(Deserialize)]
struct CreateInput {
    name: String,
    group: String,
    seed: Option<Seed>,
    size_limit: Option<String>,
    remote_encryption: Option<RemoteEncryption>,
    #[serde(default)]
    use_tursodb: bool,
}

pub(crate) fn create(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("db:create"))?;
    let input: CreateInput = ctx.body_as()?;
    check_name("database", &input.name)?;
    ctx.principal.check_group(&input.group)?;
    let org = ctx.org(&slug)?;
    if org.db(&input.name).is_some() {
        return Err(if ctx.settings.duplicate_status == 400 {
            ApiError::bad_request("database with same name already exists")
        } else {
            ApiError::conflict(format!(
                "database with name [{}] already exists",
                input.name
            ))
        });
    }
    let group = org
        .group(&input.group)
        .ok_or_else(|| ApiError::bad_request("group not found"))?;
    if group.archived {
        return Err(ApiError::bad_request(format!(
            "group {} is archived; unarchive it first",
            group.name
        )));
    }
    let locations = group.locations.clone();
    let mut parent = None;
    let mut copied = None;
    let mut awaiting_upload = false;
    if let Some(seed) = &input.seed {
        match seed.kind.as_deref() {
            Some("database") => {
                let source_name = seed
                    .name
                    .as_deref()
                    .ok_or_else(|| ApiError::bad_request("seed of type database needs a name"))?;
                let source = org.db(source_name).ok_or_else(|| {
                    ApiError::bad_request(format!("seed database [{source_name}] not found"))
                })?;
                let branched_at = match &seed.timestamp {
                    Some(t) => chrono::DateTime::parse_from_rfc3339(t)
                        .map_err(|_| {
                            ApiError::bad_request(format!(
                                "invalid seed timestamp [{t}]: expected RFC 3339"
                            ))
                        })?
                        .with_timezone(&chrono::Utc),
                    None => ctx.now,
                };
                parent = Some(Parent {
                    id: source.id.clone(),
                    name: source.name.clone(),
                    branched_at,
                });
                copied = Some((source.id.clone(), source.upload.clone()));
            }
            Some("database_upload") => awaiting_upload = true,
            _ => {
                return Err(ApiError::bad_request(
                    "seed type must be database or database_upload",
                ));
            }
        }
    }
    let seq = ctx.state.next_seq();
    let id = new_uuid();
    let mut db = Database {
        name: input.name.clone(),
        id: id.clone(),
        group: input.group.clone(),
        seq,
        created_at: ctx.now,
        block_reads: false,
        block_writes: false,
        delete_protection: false,
        allow_attach: false,
        size_limit: input.size_limit.clone(),
        allowed_ips: Vec::new(),
        allowed_aws_vpc_ids: Vec::new(),
        parent,
        token_generation: 0,
        awaiting_upload,
        upload: None,
        remote_encryption_cipher: input
            .remote_encryption
            .as_ref()
            .and_then(|r| r.encryption_cipher.clone()),
        instances: locations
            .iter()
            .map(|l| (l.clone(), new_uuid()))
            .collect::<BTreeMap<_, _>>(),
        use_tursodb: input.use_tursodb,
        version: None,
    };
    // The new database's file: a copy of the seed's current content (the
    // emulator keeps no history, so a seed `timestamp` is recorded as
    // `branched_at` but the copy is of the latest data), or empty.
    let file = match copied {
        Some((source_id, meta)) => {
            db.upload = meta;
            FileOp::Copy {
                from: source_id,
                to: id.clone(),
            }
        }
        None => FileOp::Create(id.clone()),
    };
    ctx.state.dirty.files.push(file);
    let host = hostname(&input.name, &slug, &ctx.settings.domain);
    ctx.org_mut(&slug)?.add_dbs([db]);
    ctx.audit(
        &slug,
        "db-create",
        format!("database {} created in group {}", input.name, input.group),
        json!({"name": input.name, "group": input.group, "id": id}),
    );
    Ok(Reply::ok(json!({
        "database": {"DbId": id, "Hostname": host, "Name": input.name}
    })))
}

pub(crate) fn get(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let name = ctx.param("databaseName")?;
    let org = ctx.org(&slug)?;
    let db = ready_db(ctx, org, &name)?;
    Ok(Reply::ok(
        json!({ "database": db.to_json(org, &ctx.settings.domain) }),
    ))
}

pub(crate) fn delete(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("db:delete"))?;
    let name = ctx.param("databaseName")?;
    // Deleting works while provisioning, so a client can clean up a failed create.
    let db = ctx
        .org(&slug)?
        .db(&name)
        .ok_or_else(|| db_not_found(&name))?;
    ctx.principal.check_group(&db.group)?;
    if db.delete_protection {
        return Err(ApiError::bad_request(format!(
            "cannot delete database [{name}]: delete protection is enabled; disable it in the database configuration first"
        )));
    }
    let id = db.id.clone();
    ctx.org_mut(&slug)?.remove_dbs(|d| d.name == name);
    ctx.state.dirty.files.push(FileOp::Remove(id.clone()));
    ctx.audit(
        &slug,
        "db-delete",
        format!("database {name} deleted"),
        json!({"name": name, "id": id}),
    );
    Ok(Reply::ok(json!({ "database": name })))
}

/// `updateDatabaseVersion`: the emulator's databases move to their group's
/// version at once (there is one server version: the emulator's).
pub(crate) fn update_version(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("db:configure"))?;
    let name = ctx.param("databaseName")?;
    let org = ctx.org(&slug)?;
    let db = ready_db(ctx, org, &name)?;
    let version = org
        .group(&db.group)
        .map(|g| g.version.clone())
        .unwrap_or_default();
    if let Some(db) = ctx.org_mut(&slug)?.db_mut(&name) {
        db.version = Some(version.clone());
    }
    Ok(Reply::ok(json!({ "database": name, "version": version })))
}

pub(crate) fn get_config(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let name = ctx.param("databaseName")?;
    let org = ctx.org(&slug)?;
    Ok(Reply::ok(ready_db(ctx, org, &name)?.config_json()))
}

#[derive(Deserialize)]
struct ConfigInput {
    size_limit: Option<String>,
    allow_attach: Option<bool>,
    block_reads: Option<bool>,
    block_writes: Option<bool>,
    delete_protection: Option<bool>,
    allowed_ips: Option<Vec<String>>,
    allowed_aws_vpc_ids: Option<Vec<String>>,
}

pub(crate) fn update_config(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("db:configure"))?;
    let name = ctx.param("databaseName")?;
    let input: ConfigInput = ctx.body_as()?;
    let was_protected = ready_db(ctx, ctx.org(&slug)?, &name)?.delete_protection;
    let db = ctx
        .org_mut(&slug)?
        .db_mut(&name)
        .ok_or_else(|| db_not_found(&name))?;
    if let Some(v) = input.size_limit {
        db.size_limit = Some(v);
    }
    if let Some(v) = input.allow_attach {
        db.allow_attach = v;
    }
    if let Some(v) = input.block_reads {
        db.block_reads = v;
    }
    if let Some(v) = input.block_writes {
        db.block_writes = v;
    }
    if let Some(v) = input.delete_protection {
        db.delete_protection = v;
    }
    if let Some(v) = input.allowed_ips {
        db.allowed_ips = v;
    }
    if let Some(v) = input.allowed_aws_vpc_ids {
        db.allowed_aws_vpc_ids = v;
    }
    let config = db.config_json();
    let protected = db.delete_protection;
    if protected != was_protected {
        let code = if protected {
            "db-protect"
        } else {
            "db-unprotect"
        };
        ctx.audit(
            &slug,
            code,
            format!("delete protection of database {name} set to {protected}"),
            json!({"name": name}),
        );
    }
    Ok(Reply::ok(config))
}

pub(crate) fn list_instances(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let name = ctx.param("databaseName")?;
    let org = ctx.org(&slug)?;
    let db = ready_db(ctx, org, &name)?;
    Ok(Reply::ok(
        json!({ "instances": db.instances_json(org, &ctx.settings.domain) }),
    ))
}

pub(crate) fn get_instance(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let name = ctx.param("databaseName")?;
    let instance = ctx.param("instanceName")?;
    let org = ctx.org(&slug)?;
    let db = ready_db(ctx, org, &name)?;
    let found = db
        .instances_json(org, &ctx.settings.domain)
        .into_iter()
        .find(|i| i["name"] == instance.as_str())
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "could not find instance with name [{instance}] of database [{name}]"
            ))
        })?;
    Ok(Reply::ok(json!({ "instance": found })))
}

#[derive(Deserialize, Default)]
struct ReadAttachInput {
    databases: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
struct PermissionsInput {
    read_attach: Option<ReadAttachInput>,
}

#[derive(Deserialize, Default)]
struct TokenInput {
    permissions: Option<PermissionsInput>,
}

/// Build SQL token claims from the `expiration`/`authorization` query and body.
pub(crate) fn sql_claims(ctx: &Ctx<'_>) -> Result<SqlClaims, ApiError> {
    let expiration = ctx.query_get("expiration").map_or("never", String::as_str);
    let ttl = jwt::parse_expiration(expiration)
        .map_err(|()| ApiError::bad_request("Invalid expiration format"))?;
    let a = match ctx
        .query_get("authorization")
        .map_or("full-access", String::as_str)
    {
        "full-access" => "rw",
        "read-only" => "ro",
        other => {
            return Err(ApiError::bad_request(format!(
                "invalid authorization [{other}]: expected full-access or read-only"
            )));
        }
    };
    let input: TokenInput = ctx.body_as()?;
    let ns = match input.permissions.and_then(|p| p.read_attach) {
        None => None,
        // The service refuses an empty `read_attach` rather than ignoring it.
        Some(r) => Some(r.databases.filter(|d| !d.is_empty()).ok_or_else(|| {
            ApiError::bad_request("permissions.read_attach.databases must not be empty")
        })?),
    };
    let iat = ctx.now.timestamp();
    // A lifetime that ends past the end of time (`9223372036854775000s`)
    // is refused, not added into an overflow.
    let exp = match ttl {
        None => None,
        Some(t) => Some(iat.checked_add(t).ok_or_else(|| {
            ApiError::bad_request(format!("Invalid expiration: {expiration} is too long"))
        })?),
    };
    Ok(SqlClaims {
        iat,
        exp,
        a: a.into(),
        id: None,
        gid: None,
        p: ns.map(|ns| Permissions {
            roa: Some(ReadAttach { ns }),
        }),
    })
}

pub(crate) fn create_token(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("db:mint-token"))?;
    let name = ctx.param("databaseName")?;
    let org = ctx.org(&slug)?;
    let db = ready_db(ctx, org, &name)?;
    let has_permissions = ctx
        .body
        .as_ref()
        .and_then(|b| b.get("permissions"))
        .is_some_and(|p| !p.is_null());
    if db.use_tursodb && has_permissions {
        return Err(ApiError::bad_request(
            "permissions are not supported for databases on the Turso engine (use_tursodb)",
        ));
    }
    let group_gen = org.group(&db.group).map_or(0, |g| g.token_generation);
    let key = jwt::db_key(&ctx.state.secret, &db.id, db.token_generation, group_gen);
    let mut claims = sql_claims(ctx)?;
    claims.id = Some(db.id.clone());
    let token = jwt::sign(&claims, &key).map_err(|e| ApiError::new(500, e))?;
    ctx.audit(
        &slug,
        "db-token-create",
        format!("token created for database {name}"),
        json!({"name": name, "authorization": claims.a}),
    );
    Ok(Reply::ok(json!({ "jwt": token })))
}

fn parse_time(
    ctx: &Ctx<'_>,
    name: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    ctx.query_get(name)
        .map(|v| {
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| {
                    ApiError::bad_request(format!(
                        "invalid {name} [{v}]: expected an ISO 8601 date-time"
                    ))
                })
        })
        .transpose()
}

pub(crate) fn usage(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let name = ctx.param("databaseName")?;
    let from = parse_time(ctx, "from")?;
    let to = parse_time(ctx, "to")?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::bad_request("from must not be after to"));
    }
    let org = ctx.org(&slug)?;
    let db = ready_db(ctx, org, &name)?;
    Ok(Reply::ok(usage_answer(
        db.usage_json(org, &ctx.usage_of(db)),
    )))
}

/// The getDatabaseUsage answer in the shape the service sends
/// (spec/real-answers/turso.json): the database's totals as `usage` beside
/// the spec's `total`, and at the top level `total` again and `instances`,
/// each instance's usage keyed by its UUID.
fn usage_answer(mut database: Value) -> Value {
    let total = database["total"].clone();
    database["usage"] = total.clone();
    let instances: serde_json::Map<String, Value> = database["instances"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| Some((i["uuid"].as_str()?.to_string(), i["usage"].clone())))
        .collect();
    json!({ "database": database, "instances": instances, "total": total })
}

pub(crate) fn stats(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Read)?;
    let name = ctx.param("databaseName")?;
    let org = ctx.org(&slug)?;
    let db = ready_db(ctx, org, &name)?;
    let top: Vec<Value> = ctx
        .usage_of(db)
        .top_queries
        .into_iter()
        .map(
            |q| json!({"query": q.query, "rows_read": q.rows_read, "rows_written": q.rows_written}),
        )
        .collect();
    Ok(Reply::ok(json!({ "top_queries": top })))
}

pub(crate) fn rotate(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::Scoped("db:rotate-creds"))?;
    let name = ctx.param("databaseName")?;
    ready_db(ctx, ctx.org(&slug)?, &name)?;
    if let Some(db) = ctx.org_mut(&slug)?.db_mut(&name) {
        db.token_generation += 1;
    }
    Ok(Reply::empty())
}
