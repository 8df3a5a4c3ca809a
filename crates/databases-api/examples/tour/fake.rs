//! The tour's in-process fake of the Databases API (axum on a loopback
//! port), standing in until `databases-api-emulator` has an HTTP server. It
//! follows the spec's decisions: bearer token, 409 for a duplicate name among
//! databases that are not destroyed, `provisioning` → `running` after a
//! delay, credentials only while running (409 otherwise), delete immediate
//! and idempotent, destroyed databases unlisted but still answered by id.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

const TOKEN: &str = "tour-fake-token";
const PROVISIONING: Duration = Duration::from_millis(1500);

struct Db {
    fields: Value,
    born: Instant,
    destroyed: bool,
}

impl Db {
    fn status(&self) -> &'static str {
        match (self.destroyed, self.born.elapsed() >= PROVISIONING) {
            (true, _) => "destroyed",
            (false, true) => "running",
            (false, false) => "provisioning",
        }
    }

    fn answer(&self) -> Value {
        let mut v = self.fields.clone();
        v["status"] = json!(self.status());
        v
    }

    fn field(&self, name: &str) -> &str {
        self.fields[name].as_str().unwrap_or_default()
    }
}

type Shared = Arc<Mutex<BTreeMap<String, Db>>>;

/// Starts the fake; returns its base URL and the token it accepts.
pub async fn start() -> std::io::Result<(String, String)> {
    let state: Shared = Arc::default();
    let app = Router::new()
        .route("/api/v1/databases", get(list).post(create))
        .route("/api/v1/databases/{id}", get(read).delete(destroy))
        .route("/api/v1/databases/{id}/credentials", get(credentials))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((base_url, TOKEN.to_string()))
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// The 401 for a request without the fake's token, if it has not.
fn unauthorized(headers: &HeaderMap) -> Option<Response> {
    let expected = format!("Bearer {TOKEN}");
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(v) if v == expected => None,
        _ => Some(refuse(
            StatusCode::UNAUTHORIZED,
            "missing or invalid bearer token".into(),
        )),
    }
}

async fn list(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    let dbs = state.lock().unwrap_or_else(|p| p.into_inner());
    let live: Vec<Value> = dbs
        .values()
        .filter(|d| !d.destroyed)
        .map(Db::answer)
        .collect();
    Json(live).into_response()
}

async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(input): Json<Value>,
) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    let mut dbs = state.lock().unwrap_or_else(|p| p.into_inner());
    let name = input["name"].as_str().unwrap_or_default().to_string();
    if dbs
        .values()
        .any(|d| !d.destroyed && d.field("name") == name)
    {
        return refuse(
            StatusCode::CONFLICT,
            format!("a database named {name} already exists"),
        );
    }
    let engine = input["db_type"].as_str().unwrap_or_default().to_string();
    let newest = match engine.as_str() {
        "postgresql" => "16",
        "mysql" => "8.4",
        "redis" => "7.2",
        _ => "7.0",
    };
    let id = format!("db_{:08x}", dbs.len() + 1);
    let fields = json!({
        "id": id, "project_id": "proj_tour", "name": name, "slug": name, "db_type": engine,
        "version": input.get("version").cloned().unwrap_or(json!(newest)),
        "plan_id": input["plan_id"], "region": input["region"],
        "storage_gb": input.get("storage_gb").cloned().unwrap_or(json!(10)),
        "replicas": input.get("replicas").cloned().unwrap_or(json!(1)),
        "created_at": "2026-01-01T00:00:00Z",
    });
    let db = Db {
        fields,
        born: Instant::now(),
        destroyed: false,
    };
    let mut created = db.answer();
    created = json!({
        "id": created["id"], "name": created["name"], "db_type": created["db_type"],
        "status": created["status"], "created_at": created["created_at"],
    });
    dbs.insert(id, db);
    (StatusCode::CREATED, Json(created)).into_response()
}

async fn read(State(state): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    let dbs = state.lock().unwrap_or_else(|p| p.into_inner());
    match dbs.get(&id) {
        Some(db) => Json(db.answer()).into_response(),
        None => refuse(StatusCode::NOT_FOUND, format!("no database with id {id}")),
    }
}

async fn destroy(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    let mut dbs = state.lock().unwrap_or_else(|p| p.into_inner());
    match dbs.get_mut(&id) {
        Some(db) => {
            db.destroyed = true;
            Json(db.answer()).into_response()
        }
        None => refuse(StatusCode::NOT_FOUND, format!("no database with id {id}")),
    }
}

async fn credentials(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = unauthorized(&headers) {
        return r;
    }
    let dbs = state.lock().unwrap_or_else(|p| p.into_inner());
    let Some(db) = dbs.get(&id) else {
        return refuse(StatusCode::NOT_FOUND, format!("no database with id {id}"));
    };
    if db.status() != "running" {
        let message = format!(
            "database {id} is {}; credentials are available once it is running",
            db.status()
        );
        return refuse(StatusCode::CONFLICT, message);
    }
    let (name, engine) = (db.field("name"), db.field("db_type"));
    let host = format!("{name}.tour.svc");
    let database = name.replace('-', "_");
    let password = format!("pw-{id}-not-for-printing");
    Json(match engine {
        "redis" => json!({
            "db_type": "redis", "host": host, "port": 6379, "password": password,
            "connection_string": format!("redis://:{password}@{host}:6379"),
        }),
        "mongodb" => json!({
            "db_type": "mongodb", "host": host, "port": 27017, "username": "app_user",
            "password": password, "database": database,
            "connection_string": format!("mongodb://app_user:{password}@{host}:27017/{database}"),
        }),
        sql => {
            let (port, ssl) = if sql == "mysql" { (3306, "required") } else { (5432, "require") };
            json!({
                "db_type": sql, "host": host, "port": port, "username": "app_user",
                "password": password, "database": database, "ssl_mode": ssl,
                "connection_string": format!("{sql}://app_user:{password}@{host}:{port}/{database}"),
            })
        }
    })
    .into_response()
}
