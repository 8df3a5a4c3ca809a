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
//!
//! Each request's SQL runs on a blocking thread once its database has a free
//! slot ([`limits::DataPlaneLimits::concurrency_per_database`]), so one
//! database's slow statements and lock waits never hold the threads others
//! need; the statement stops when the request is dropped (its client went
//! away), see [`confine`].

pub(crate) mod answers;
pub(crate) mod chunked;
pub(crate) mod confine;
pub(crate) mod exec;
pub(crate) mod hrana;
pub(crate) mod limits;
pub(crate) mod streams;

use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use self::answers::{CursorEntry, CursorHead, PipelineAnswer, StreamResponse, StreamResult};
use self::confine::Guard;
use self::exec::{Budget, Policy, Session};
use self::hrana::{CursorReq, HranaError, PipelineReq, StreamRequest};
use self::streams::{Held, MAX_STORED_SQL, Stream};
use crate::auth::{bearer, sql_token};
use crate::shared::Shared;
use axum::body::Body;
use axum::response::Response;
use emulator_core::http::{error_response, json_response, lock, read_body, response};
use http::{Method, Request};

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
    json_response(status, e)
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

/// What a request may do: its policy and the databases it may attach.
struct Access {
    policy: Policy,
    /// Database id -> file, for `ATTACH "<database id>"`.
    attachable: HashMap<String, PathBuf>,
}

/// Check the token; what the caller may do.
fn authorize(shared: &Shared, served: &Served, token: Option<&str>) -> Result<Access, Refusal> {
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
    // The token's read_attach databases (by name or id) of the same
    // organization that allow attach.
    let named = claims
        .p
        .as_ref()
        .and_then(|p| p.roa.as_ref())
        .map_or(&[][..], |r| r.ns.as_slice());
    // Looked up one by one (by name through the index, by id only when the
    // name is not one): every SQL request asks, so it must not scan the
    // organization's databases.
    let attachable = named
        .iter()
        .filter_map(|n| {
            org.db(n)
                .or_else(|| org.databases().iter().find(|d| d.id == *n))
        })
        .filter(|d| d.allow_attach)
        .map(|d| (d.id.clone(), shared.files.path(&d.id)))
        .collect();
    Ok(Access {
        policy: Policy {
            read_only: claims.a != "rw",
            block_reads: db.block_reads || org.blocked_reads,
            block_writes: db.block_writes || org.blocked_writes,
        },
        attachable,
    })
}

/// Stops the statement when the request is dropped before it finished
/// (the client went away).
struct CancelOnDrop(Option<Arc<Guard>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(guard) = self.0.take() {
            guard.cancel();
        }
    }
}

/// `v2/pipeline`, `v3/pipeline` and `v3/cursor`.
async fn sql_request(
    shared: Arc<Shared>,
    served: Served,
    req: Request<Body>,
    cursor: bool,
) -> Response {
    let token = bearer(req.headers()).map(str::to_string);
    let access = match authorize(&shared, &served, token.as_deref()) {
        Ok(a) => a,
        Err(refusal) => return refusal.response(),
    };
    let limits = shared.limits.clone();
    let bytes = match read_body(req.into_body(), limits.max_request_size).await {
        Ok(b) => b,
        Err(e) => return hrana_error(e.status, &HranaError::new("PROTO_ERROR", e.message)),
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
    drop(bytes);
    let owner = shared.streams.owner(token.as_deref().unwrap_or_default());
    // Wait for the database's turn without holding a thread.
    let Ok(permit) = shared.streams.gate(&served.id).acquire_owned().await else {
        return not_found();
    };
    let held = match &baton {
        Some(b) => match shared.streams.checkout(b, &served.id) {
            Ok(h) => Some(h),
            Err(e) => return hrana_error(400, &e),
        },
        None => match shared.streams.make_room(&served.id, owner) {
            Ok(()) => None,
            Err(e) => return hrana_error(429, &e),
        },
    };
    let guard = held
        .as_ref()
        .map_or_else(|| shared.streams.guard(), |h| h.guard.clone());
    guard.set_request(
        access.policy.read_only,
        access.attachable,
        limits.statement_timeout,
    );
    let mut cancel = CancelOnDrop(Some(guard.clone()));
    let run_shared = shared.clone();
    let db_id = served.id.clone();
    let policy = access.policy;
    let ran = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let held = match held {
            Some(h) => h,
            None => {
                let conn = run_shared
                    .files
                    .open(&db_id)
                    .and_then(|c| {
                        confine::confine(&c, &guard, &limits)?;
                        Ok(c)
                    })
                    .map_err(|e| exec::sql_error(&e))?;
                run_shared.streams.open(&db_id, owner, conn, guard)
            }
        };
        let budget = Budget {
            per_statement: limits.max_response_size,
            left: Cell::new(limits.max_total_response_size),
        };
        let (output, keep) = work.run(&run_shared, &held, policy, &budget);
        let baton = run_shared.streams.checkin(held.id, keep);
        Ok::<_, HranaError>((output, baton))
    })
    .await;
    cancel.0 = None;
    let (body, baton) = match ran {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return hrana_error(500, &e),
        Err(e) => {
            let e = HranaError::new("INTERNAL", format!("the statement runner failed: {e}"));
            return hrana_error(500, &e);
        }
    };
    match body {
        Output::Pipeline(results) => json_response(
            200,
            &PipelineAnswer {
                baton,
                base_url: None,
                results,
            },
        ),
        Output::Cursor(entries) => {
            let head = CursorHead {
                baton,
                base_url: None,
            };
            // One JSON value per line.
            let lines: Result<Vec<String>, _> = std::iter::once(serde_json::to_string(&head))
                .chain(entries.iter().map(serde_json::to_string))
                .collect();
            match lines {
                Ok(lines) => response(200, "application/json", lines.join("\n") + "\n"),
                Err(e) => error_response(500, &format!("cannot write the answer: {e}"), None),
            }
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
    Pipeline(Vec<StreamResult>),
    Cursor(Vec<CursorEntry>),
}

impl Work {
    /// Run on the stream; the output and whether the stream stays open.
    fn run(self, shared: &Shared, held: &Held, policy: Policy, budget: &Budget) -> (Output, bool) {
        let mut stream = lock(&held.stream);
        let ctx = Ctx {
            shared,
            guard: &held.guard,
            policy,
            budget,
        };
        match self {
            Work::Pipeline(requests) => {
                let mut open = true;
                let mut results = Vec::with_capacity(requests.len());
                for r in requests {
                    let result = if open {
                        run_request(&ctx, &mut stream, r, &mut open)
                    } else {
                        Err(HranaError::new("STREAM_CLOSED", "the stream was closed"))
                    };
                    results.push(match result {
                        Ok(response) => StreamResult::Ok { response },
                        Err(error) => StreamResult::Error { error },
                    });
                }
                (Output::Pipeline(results), open)
            }
            Work::Cursor(batch) => {
                let session = ctx.session(&stream);
                let mut entries = Vec::new();
                session.batch(&batch, |step, r| match r {
                    Ok(out) => {
                        entries.push(CursorEntry::StepBegin {
                            step,
                            cols: out.cols,
                        });
                        entries.extend(out.rows.into_iter().map(|row| CursorEntry::Row { row }));
                        entries.push(CursorEntry::StepEnd {
                            affected_row_count: out.affected_row_count,
                            last_insert_rowid: out.last_insert_rowid.map(|r| r.to_string()),
                        });
                    }
                    Err(error) => entries.push(CursorEntry::StepError { step, error }),
                });
                (Output::Cursor(entries), true)
            }
        }
    }
}

/// What every statement of a request runs with.
struct Ctx<'a> {
    shared: &'a Shared,
    guard: &'a Guard,
    policy: Policy,
    budget: &'a Budget,
}

impl Ctx<'_> {
    fn session<'s>(&'s self, stream: &'s Stream) -> Session<'s> {
        Session {
            conn: &stream.conn,
            sqls: &stream.sqls,
            policy: self.policy,
            usage: &self.shared.usage,
            db_id: &stream.db_id,
            guard: self.guard,
            budget: self.budget,
        }
    }
}

/// One pipeline request's response.
fn run_request(
    ctx: &Ctx<'_>,
    stream: &mut Stream,
    request: StreamRequest,
    open: &mut bool,
) -> Result<StreamResponse, HranaError> {
    match request {
        StreamRequest::Close => {
            *open = false;
            Ok(StreamResponse::Close)
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
            Ok(StreamResponse::StoreSql)
        }
        StreamRequest::CloseSql { sql_id } => {
            stream.sqls.remove(&sql_id);
            Ok(StreamResponse::CloseSql)
        }
        StreamRequest::Execute { stmt } => {
            let result = ctx.session(stream).execute(&stmt)?;
            Ok(StreamResponse::Execute { result })
        }
        StreamRequest::Batch { batch } => {
            let result = ctx.session(stream).batch_result(&batch);
            Ok(StreamResponse::Batch { result })
        }
        StreamRequest::Sequence { sql, sql_id } => {
            let s = ctx.session(stream);
            let text = s.sql_text(sql.as_deref(), sql_id)?.to_string();
            s.sequence(&text)?;
            Ok(StreamResponse::Sequence)
        }
        StreamRequest::Describe { sql, sql_id } => {
            let s = ctx.session(stream);
            let text = s.sql_text(sql.as_deref(), sql_id)?.to_string();
            let result = s.describe(&text)?;
            Ok(StreamResponse::Describe { result })
        }
        StreamRequest::GetAutocommit => Ok(StreamResponse::GetAutocommit {
            is_autocommit: stream.conn.is_autocommit(),
        }),
    }
}
