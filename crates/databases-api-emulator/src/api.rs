//! The five operations on the world. Each returns the answer's status and
//! body, or an [`ApiError`]; the server checks the answer against the spec
//! before anything is stored. Deleting stops a real server, which takes
//! time, so the server's delete is split around that wait ([`find`], then
//! [`destroyed`]).

use emulator_core::ApiError;
use serde_json::{Value, json};

use crate::credentials::Engine;
use crate::engines::Setup;
use crate::model::{self, Database, PLANS, REGIONS, Status, StoredPassword};
use crate::secret::Secret;
use crate::world::World;

/// A success answer: a status and its JSON body, if it has one.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        body: Some(body),
    }
}

/// The database `id` of the world (destroyed ones included), or 404.
pub(crate) fn find<'a>(world: &'a World, id: &str) -> Result<&'a Database, ApiError> {
    world
        .databases
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no database with id {id}")))
}

/// `listDatabases`: every live database, oldest first.
pub(crate) fn list(world: &World) -> Reply {
    ok(Value::Array(
        world.live().into_iter().map(Database::to_json).collect(),
    ))
}

/// `getDatabase`.
pub(crate) fn get(world: &World, id: &str) -> Result<Reply, ApiError> {
    Ok(ok(find(world, id)?.to_json()))
}

/// `getDatabaseCredentials`: only while `running` (409 otherwise).
pub(crate) fn credentials(world: &World, id: &str) -> Result<Reply, ApiError> {
    let db = find(world, id)?;
    if db.status != Status::Running {
        return Err(ApiError::conflict(format!(
            "database {id} is {}; credentials are available once it is running",
            db.status.as_str()
        )));
    }
    let creds = db
        .credentials()
        .ok_or_else(|| ApiError::new(500, format!("database {id} has an unknown engine")))?;
    Ok(ok(model::credentials_json(&creds)))
}

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// `createDatabase`: the new record (not yet in the world), after the checks
/// the schema cannot make: versions of the engine, known plans and regions,
/// unique names.
pub(crate) fn create(world: &World, body: &Value) -> Result<Database, ApiError> {
    let name = field(body, "name");
    let db_type = field(body, "db_type");
    let engine = model::engine(db_type)
        .ok_or_else(|| ApiError::bad_request(format!("db_type: unknown engine {db_type}")))?;
    let versions = model::versions(engine);
    let version = match body.get("version").and_then(Value::as_str) {
        None => versions.last().copied().unwrap_or_default(),
        Some(v) if versions.contains(&v) => v,
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "version: {engine} supports {}, not {v}",
                versions.join(", ")
            )));
        }
    };
    let plan = field(body, "plan_id");
    if !PLANS.contains(&plan) {
        return Err(ApiError::bad_request(format!(
            "plan_id: unknown plan {plan}; known plans: {}",
            PLANS.join(", ")
        )));
    }
    let region = field(body, "region");
    if !REGIONS.contains(&region) {
        return Err(ApiError::bad_request(format!(
            "region: unknown region {region}; known regions: {}",
            REGIONS.join(", ")
        )));
    }
    if world.live().iter().any(|d| d.name == name) {
        return Err(ApiError::conflict(format!(
            "a database named {name} already exists"
        )));
    }
    let number = |key: &str, default: u32| {
        body.get(key)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(default)
    };
    let setup =
        Setup::for_api_name(name).map_err(|e| ApiError::bad_request(format!("name: {e}")))?;
    let simple = uuid::Uuid::new_v4().simple().to_string();
    Ok(Database {
        id: format!("db_{}", &simple[..12]),
        seq: world.next_seq,
        name: name.to_string(),
        db_type: db_type.to_string(),
        version: version.to_string(),
        plan_id: plan.to_string(),
        region: region.to_string(),
        storage_gb: number("storage_gb", 10),
        replicas: number("replicas", 1),
        created_at: chrono::Utc::now(),
        status: Status::Provisioning,
        // Where a simulated database would be: no server listens there.
        host: format!("{name}.databases.emulator"),
        port: engine.default_port(),
        database: setup.database().to_string(),
        username: setup.username().to_string(),
        password: StoredPassword(setup.password().expose().to_string()),
        real: false,
    })
}

/// The setup a real engine is started with for `db`.
pub(crate) fn setup(db: &Database) -> Result<(Engine, Setup), String> {
    let engine =
        model::engine(&db.db_type).ok_or_else(|| format!("unknown engine {}", db.db_type))?;
    let setup = Setup::new(
        db.database.clone(),
        db.username.clone(),
        Secret::new(db.password.0.clone()),
    )
    .map_err(|e| e.to_string())?;
    Ok((engine, setup))
}

/// `deleteDatabase`, once any real server is stopped: the record, destroyed
/// (answered 204, no body: the deletion is complete).
pub(crate) fn destroyed(db: &Database) -> Database {
    let mut db = db.clone();
    db.status = Status::Destroyed;
    db
}

/// The body of an error answer.
pub(crate) fn error_body(e: &ApiError) -> Value {
    json!({ "error": e.message })
}
