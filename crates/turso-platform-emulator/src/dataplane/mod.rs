//! The data plane: each database serves SQL with Hrana over HTTP (JSON), as
//! a Turso database does, plus the upload of its file (`POST /v1/upload`
//! in one request, or `/v2/upload/...` in chunks: see [`chunked`]).
//!
//! A database is reached by its hostname (`Host: {db}-{org}.{domain}`) or by
//! the path prefix `/db/{org}/{db}/` on the emulator's own address (no DNS
//! needed). It answers 404 until the control plane's provisioning delay and
//! then the data plane's own delay have passed, as the service does right
//! after a create. Requests are authorized by the database and group tokens
//! the Platform API mints.

pub(crate) mod chunked;
pub(crate) mod exec;
pub(crate) mod hrana;
pub(crate) mod streams;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::response::Response;
use http::{Method, Request};
use serde_json::{Value, json};

use self::exec::{Policy, Session};
use self::hrana::{CursorReq, HranaError, PipelineReq, StreamRequest};
use self::streams::{MAX_STORED_SQL, Stream};
use crate::auth::{bearer, sql_token};
use crate::shared::Shared;
use emulator_core::http::{error_response, json_response, lock, response};

/// Largest accepted pipeline or cursor body.
const MAX_BODY: usize = 16 << 20;

/// Which database a request is for.
pub(crate) enum Target {
    /// A `Host` header naming a database or instance.
    Host(String),
    /// The `/db/{org}/{db}/` path prefix.
    Path { org: String, db: String },
}

/// A database that serves, by organization and name.
struct Served {
    org: String,
    db: String,
    id: String,
}

/// Find the database, if it exists and its data plane serves by now.
fn resolve(shared: &Shared, target: &Target) -> Option<Served> {
    let state = lock(&shared.state);
    let (org, db) = match target {
        Target::Host(h) => state.db_by_host(h, &shared.settings.domain)?,
        Target::Path { org, db } => {
            let o = state.org(org)?;
            (o, o.db(db)?)
        }
    };
    // A delay too large to add means "never", not an overflow.
    let serving_from = shared
        .settings
        .provisioning_delay
        .checked_add(shared.settings.data_plane_delay)
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .and_then(|d| db.created_at.checked_add_signed(d))?;
    (chrono::Utc::now() >= serving_from).then(|| Served {
        org: org.slug.clone(),
        db: db.name.clone(),
        id: db.id.clone(),
    })
}

fn not_found() -> Response {
    error_response(404, "no database is served at this address", None)
}

/// An HTTP-level Hrana error: `{"message", "code"}` (it ends the stream).
fn hrana_error(status: u16, e: &HranaError) -> Response {
    json_response(status, &e.to_json())
}

/// Serve one data-plane request; `path` is relative to the database.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    target: Target,
    path: &str,
    req: Request<Body>,
) -> Response {
    let Some(served) = resolve(&shared, &target) else {
        return not_found();
    };
    let method = req.method().clone();
    match (method, path) {
        (Method::GET, "/health") => response(200, "text/plain", ""),
        (Method::GET, "/version") => response(
            200,
            "text/plain",
            concat!("turso-platform-emulator ", env!("CARGO_PKG_VERSION")),
        ),
        (Method::GET, "/v2" | "/v3") => response(200, "text/plain", ""),
        (Method::POST, "/v2/pipeline" | "/v3/pipeline") => {
            sql_request(shared, served, req, false).await
        }
        (Method::POST, "/v3/cursor") => sql_request(shared, served, req, true).await,
        (_, "/v1/upload") => crate::upload::handle(shared, &served.org, &served.db, req).await,
        (_, p) if p.starts_with("/v2/upload/") => {
            chunked::handle(shared, &served.org, &served.db, p, req).await
        }
        // Protobuf variants (`/v3-protobuf/...`) included, as on the service.
        _ => not_found(),
    }
}

/// Why a data-plane request is refused before it runs.
enum Refusal {
    /// The database is gone (deleted meanwhile).
    NotFound,
    /// No token, or one that does not open this database.
    Unauthorized(String),
}

impl Refusal {
    fn response(&self) -> Response {
        match self {
            Refusal::NotFound => not_found(),
            Refusal::Unauthorized(m) => error_response(401, &format!("Unauthorized: `{m}`"), None),
        }
    }
}

/// Check the token; what the caller may do.
fn authorize(shared: &Shared, served: &Served, token: Option<&str>) -> Result<Policy, Refusal> {
    let Some(token) = token else {
        return Err(Refusal::Unauthorized(
            "no Authorization header with a Bearer database token".into(),
        ));
    };
    let state = lock(&shared.state);
    let org = state.org(&served.org).ok_or(Refusal::NotFound)?;
    let db = org
        .db(&served.db)
        .filter(|d| d.id == served.id)
        .ok_or(Refusal::NotFound)?;
    let claims =
        sql_token(&state, org, db, token).map_err(|e| Refusal::Unauthorized(e.to_string()))?;
    Ok(Policy {
        read_only: claims.a != "rw",
        block_reads: db.block_reads || org.blocked_reads,
        block_writes: db.block_writes || org.blocked_writes,
    })
}

/// `v2/pipeline`, `v3/pipeline` and `v3/cursor`.
async fn sql_request(
    shared: Arc<Shared>,
    served: Served,
    req: Request<Body>,
    cursor: bool,
) -> Response {
    let token = bearer(req.headers()).map(str::to_string);
    let policy = match authorize(&shared, &served, token.as_deref()) {
        Ok(p) => p,
        Err(refusal) => return refusal.response(),
    };
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), MAX_BODY).await else {
        return hrana_error(
            413,
            &HranaError::new("PROTO_ERROR", "request body too large"),
        );
    };
    let (baton, work) = if cursor {
        match serde_json::from_slice::<CursorReq>(&bytes) {
            Ok(r) => (r.baton, Work::Cursor(r.batch)),
            Err(e) => return bad_body(&e),
        }
    } else {
        match serde_json::from_slice::<PipelineReq>(&bytes) {
            Ok(r) => (r.baton, Work::Pipeline(r.requests)),
            Err(e) => return bad_body(&e),
        }
    };
    let (id, stream) = match &baton {
        Some(b) => match shared.streams.checkout(b, &served.id) {
            Ok(s) => s,
            Err(e) => return hrana_error(400, &e),
        },
        None => match shared.files.open(&served.id) {
            Ok(conn) => shared.streams.open(&served.id, conn),
            Err(e) => return hrana_error(500, &exec::sql_error(&e)),
        },
    };
    let run_shared = shared.clone();
    let ran = tokio::task::spawn_blocking(move || work.run(&run_shared, &stream, policy)).await;
    let (body, keep) = match ran {
        Ok(r) => r,
        Err(e) => {
            shared.streams.checkin(id, false);
            let e = HranaError::new("INTERNAL", format!("the statement runner failed: {e}"));
            return hrana_error(500, &e);
        }
    };
    let baton = shared.streams.checkin(id, keep);
    match body {
        Output::Pipeline(results) => json_response(
            200,
            &json!({"baton": baton, "base_url": Value::Null, "results": results}),
        ),
        Output::Cursor(entries) => {
            let mut text = json!({"baton": baton, "base_url": Value::Null}).to_string();
            for e in entries {
                text.push('\n');
                text.push_str(&e.to_string());
            }
            text.push('\n');
            response(200, "application/json", text)
        }
    }
}

fn bad_body(e: &serde_json::Error) -> Response {
    hrana_error(
        400,
        &HranaError::new("PROTO_ERROR", format!("invalid request body: {e}")),
    )
}

enum Work {
    Pipeline(Vec<StreamRequest>),
    Cursor(hrana::Batch),
}

enum Output {
    Pipeline(Vec<Value>),
    Cursor(Vec<Value>),
}

impl Work {
    /// Run on the stream; the output and whether the stream stays open.
    fn run(self, shared: &Shared, stream: &Mutex<Stream>, policy: Policy) -> (Output, bool) {
        let mut stream = lock(stream);
        match self {
            Work::Pipeline(requests) => {
                let mut open = true;
                let mut results = Vec::with_capacity(requests.len());
                for r in requests {
                    let result = if open {
                        run_request(shared, &mut stream, policy, r, &mut open)
                    } else {
                        Err(HranaError::new("STREAM_CLOSED", "the stream was closed"))
                    };
                    results.push(match result {
                        Ok(response) => json!({"type": "ok", "response": response}),
                        Err(e) => json!({"type": "error", "error": e.to_json()}),
                    });
                }
                (Output::Pipeline(results), open)
            }
            Work::Cursor(batch) => {
                let session = session(shared, &stream, policy);
                let mut entries = Vec::new();
                session.batch(&batch, |step, r| match r {
                    Ok(out) => {
                        entries.push(json!({"type": "step_begin", "step": step, "cols": out.cols}));
                        for row in out.rows {
                            entries.push(json!({"type": "row", "row": row}));
                        }
                        entries.push(json!({
                            "type": "step_end",
                            "affected_row_count": out.affected_row_count,
                            "last_insert_rowid": out.last_insert_rowid.map(|r| r.to_string()),
                        }));
                    }
                    Err(e) => entries
                        .push(json!({"type": "step_error", "step": step, "error": e.to_json()})),
                });
                (Output::Cursor(entries), true)
            }
        }
    }
}

fn session<'a>(shared: &'a Shared, stream: &'a Stream, policy: Policy) -> Session<'a> {
    Session {
        conn: &stream.conn,
        sqls: &stream.sqls,
        policy,
        usage: &shared.usage,
        db_id: &stream.db_id,
    }
}

/// One pipeline request's response.
fn run_request(
    shared: &Shared,
    stream: &mut Stream,
    policy: Policy,
    request: StreamRequest,
    open: &mut bool,
) -> Result<Value, HranaError> {
    match request {
        StreamRequest::Close => {
            *open = false;
            Ok(json!({"type": "close"}))
        }
        StreamRequest::StoreSql { sql_id, sql } => {
            if stream.sqls.contains_key(&sql_id) {
                return Err(HranaError::new(
                    "PROTO_ERROR",
                    format!("SQL text id {sql_id} is already in use"),
                ));
            }
            if stream.sqls.len() >= MAX_STORED_SQL {
                return Err(HranaError::new(
                    "SQL_STORE_FULL",
                    format!("a stream stores at most {MAX_STORED_SQL} SQL texts"),
                ));
            }
            stream.sqls.insert(sql_id, sql);
            Ok(json!({"type": "store_sql"}))
        }
        StreamRequest::CloseSql { sql_id } => {
            stream.sqls.remove(&sql_id);
            Ok(json!({"type": "close_sql"}))
        }
        StreamRequest::Execute { stmt } => {
            let out = session(shared, stream, policy).execute(&stmt)?;
            Ok(json!({"type": "execute", "result": out.to_json()}))
        }
        StreamRequest::Batch { batch } => {
            let result = session(shared, stream, policy).batch_json(&batch);
            Ok(json!({"type": "batch", "result": result}))
        }
        StreamRequest::Sequence { sql, sql_id } => {
            let s = session(shared, stream, policy);
            let text = s.sql_text(sql.as_deref(), sql_id)?.to_string();
            s.sequence(&text)?;
            Ok(json!({"type": "sequence"}))
        }
        StreamRequest::Describe { sql, sql_id } => {
            let s = session(shared, stream, policy);
            let text = s.sql_text(sql.as_deref(), sql_id)?.to_string();
            Ok(json!({"type": "describe", "result": s.describe(&text)?}))
        }
        StreamRequest::GetAutocommit => Ok(json!({
            "type": "get_autocommit",
            "is_autocommit": stream.conn.is_autocommit(),
        })),
    }
}
