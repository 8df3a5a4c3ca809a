//! The emulator's HTTP pipeline, on the core: fault → authentication (a
//! bearer token with the operation's scope) → body (read only after
//! authenticating) → validation against the spec → operation → check of the
//! answer against the spec → store → answer.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use emulator_core::ApiError;
use emulator_core::auth::bearer;
use emulator_core::http::{
    Injected, apply_fault, conn_kill, json_response, lock, lose_answer, read_body,
};
use emulator_core::routes::{PathParams, operation_router, path_params};
use emulator_core::serve::{BoxResponse, ServeOptions, serve_with};
use http::Request;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;

use crate::api::{self, Reply};
use crate::servers;
use crate::shared::Shared;
use crate::world::{READ, WRITE};

/// Largest accepted request body: a create input is a few hundred bytes.
const MAX_BODY: usize = 64 << 10;

/// The scope `operation` needs.
fn scope(operation: &str) -> &'static str {
    match operation {
        "createDatabase" | "deleteDatabase" => WRITE,
        _ => READ,
    }
}

/// Accept connections until `shutdown` flips.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    options: ServeOptions,
) {
    let spec = shared.spec.clone();
    let router = operation_router(&spec, shared, |shared, id, path, req| async move {
        handle(shared, &id, path, req).await
    });
    let handler = move |req: Request<Body>| -> BoxResponse {
        let router = router.clone();
        Box::pin(async move {
            match router.oneshot(req).await {
                Ok(resp) => resp,
                Err(never) => match never {},
            }
        })
    };
    serve_with(listener, handler, shutdown, options).await;
}

async fn handle(shared: Arc<Shared>, op: &str, path: PathParams, req: Request<Body>) -> Response {
    let injected = match apply_fault(&shared.faults, op, true, conn_kill(&req)).await {
        Injected::Answer(resp) => return resp,
        other => other,
    };
    let answer = answer(&shared, op, path, req).await;
    lose_answer(injected, answer).await
}

/// Who may call `op`: 401 without a known token, 403 without the scope.
fn authorize(shared: &Shared, op: &str, req: &Request<Body>) -> Result<(), ApiError> {
    let token = bearer(req.headers())
        .ok_or_else(|| ApiError::unauthorized("missing or invalid bearer token"))?;
    let world = lock(&shared.world);
    let scopes = world
        .scopes(token)
        .ok_or_else(|| ApiError::unauthorized("missing or invalid bearer token"))?;
    let needed = scope(op);
    if scopes.iter().any(|s| s == needed) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "this token lacks the {needed} scope"
        )))
    }
}

async fn answer(shared: &Arc<Shared>, op: &str, path: PathParams, req: Request<Body>) -> Response {
    let params = match path_params(path) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let id = params.get("id").cloned().unwrap_or_default();
    let result = match authorize(shared, op, &req) {
        Err(e) => Err(e),
        Ok(()) => match read_body(req.into_body(), MAX_BODY).await {
            Err(e) => Err(e),
            Ok(bytes) => match shared.spec.check_request(op, &bytes) {
                Err(e) => Err(ApiError::bad_request(format!("invalid request body: {e}"))),
                Ok(body) => run(shared, op, &id, body).await,
            },
        },
    };
    match result {
        Ok(Reply {
            status,
            body: Some(body),
        }) => json_response(status, &body),
        Ok(Reply { status, body: None }) => empty_response(status),
        Err(e) => json_response(e.status, &api::error_body(&e)),
    }
}

/// An answer without a body (delete's 204).
fn empty_response(status: u16) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    resp
}

/// Check an answer against the spec: the answer itself, or (strict) a 500
/// saying how it violates the spec.
fn checked(shared: &Shared, op: &str, reply: Reply) -> Result<Reply, ApiError> {
    match shared
        .spec
        .check_response(op, reply.status, reply.body.as_ref())
    {
        Ok(()) => Ok(reply),
        Err(violation) => {
            let message = shared.violations.record(op, &violation, shared.strict);
            if shared.strict {
                Err(ApiError::new(500, message))
            } else {
                Ok(reply)
            }
        }
    }
}

fn internal(e: String) -> ApiError {
    tracing::error!("cannot store the emulator's state: {e}");
    ApiError::new(500, format!("cannot store the emulator's state: {e}"))
}

async fn run(
    shared: &Arc<Shared>,
    op: &str,
    id: &str,
    body: Option<Value>,
) -> Result<Reply, ApiError> {
    let result = match op {
        "listDatabases" => Ok(api::list(&lock(&shared.world))),
        "getDatabase" => api::get(&lock(&shared.world), id),
        "getDatabaseCredentials" => api::credentials(&lock(&shared.world), id),
        "createDatabase" => return create(shared, body.unwrap_or_default()),
        "deleteDatabase" => return delete(shared, id).await,
        other => Err(ApiError::not_found(format!(
            "operation {other} is not served"
        ))),
    };
    checked_error(shared, op, result)
}

/// Errors are checked against the spec like successes.
fn checked_error(
    shared: &Shared,
    op: &str,
    result: Result<Reply, ApiError>,
) -> Result<Reply, ApiError> {
    match result {
        Ok(reply) => checked(shared, op, reply),
        Err(e) => {
            let reply = Reply {
                status: e.status,
                body: Some(api::error_body(&e)),
            };
            checked(shared, op, reply).and(Err(e))
        }
    }
}

fn create(shared: &Arc<Shared>, body: Value) -> Result<Reply, ApiError> {
    let mut world = lock(&shared.world);
    let db = match api::create(&world, &body) {
        Ok(db) => db,
        Err(e) => return checked_error(shared, "createDatabase", Err(e)),
    };
    let reply = checked(
        shared,
        "createDatabase",
        Reply {
            status: 201,
            body: Some(db.to_created_json()),
        },
    )?;
    let id = db.id.clone();
    shared.save(&mut world, db).map_err(internal)?;
    world.next_seq += 1;
    drop(world);
    tokio::spawn(servers::provision(shared.clone(), id));
    Ok(reply)
}

/// Stops the real server first, so that the answer (204) arrives once it is
/// stopped and its data is gone: the deletion is complete. Deleting a
/// destroyed database answers 204 again.
async fn delete(shared: &Arc<Shared>, id: &str) -> Result<Reply, ApiError> {
    let found = api::find(&lock(&shared.world), id).map(|_| ());
    if let Err(e) = found {
        return checked_error(shared, "deleteDatabase", Err(e));
    }
    servers::stop_server(shared, id).await;
    let mut world = lock(&shared.world);
    let db = api::destroyed(api::find(&world, id)?);
    let reply = checked(
        shared,
        "deleteDatabase",
        Reply {
            status: 204,
            body: None,
        },
    )?;
    shared.save(&mut world, db).map_err(internal)?;
    Ok(reply)
}
