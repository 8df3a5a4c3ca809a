//! The HTTP server: connection handling, routing, and the request pipeline
//! (fault → authentication → body validation → operation → persistence →
//! response validation).
//!
//! Connections are served with hyper directly (rather than `axum::serve`) so
//! that a `DropConnection` fault can close a connection without any HTTP
//! response: each connection task listens on a per-connection `Notify` and
//! drops the connection future when it fires. Routing inside a connection is
//! an axum `Router` built from the spec's own path templates.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};
use http::{HeaderValue, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt as _;

use crate::api::{self, ApiError, Ctx, Settings};
use crate::auth;
use crate::faults::{Fault, FaultPlan};
use crate::persist;
use crate::state::State;
use crate::validate::Spec;

/// Largest accepted Platform API request body.
const MAX_BODY: usize = 2 << 20;

/// Everything the server shares between connections.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub settings: Settings,
    pub data_dir: Option<PathBuf>,
    pub strict: bool,
    pub spec: Arc<Spec>,
    pub faults: Mutex<FaultPlan>,
    pub violations: Mutex<Vec<String>>,
}

/// Lock a mutex, recovering from poisoning: a panicked request must not take
/// the whole emulator down with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Persist the state when a data directory is configured.
    pub(crate) fn persist(&self, state: &State) -> Result<(), String> {
        match &self.data_dir {
            Some(dir) => persist::save(dir, state),
            None => Ok(()),
        }
    }
}

/// Marks a connection so a fault can close it.
#[derive(Clone)]
pub(crate) struct ConnKill(Arc<Notify>);

/// A JSON response.
pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// An `{"error": ...}` response, with `Retry-After` when given.
pub(crate) fn error_response(e: &ApiError, retry_after: Option<u64>) -> Response {
    let mut resp = json_response(e.status, &json!({ "error": e.message }));
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// What the next scheduled fault for a request asks of its handler.
pub(crate) enum Injected {
    /// No fault: handle the request.
    Nothing,
    /// Send this instead of handling the request.
    Answer(Response),
    /// Handle the request, then drop the connection instead of answering
    /// (with [`lose_answer`]).
    LoseAnswer(Option<ConnKill>),
}

/// Apply the next scheduled fault for `op`, if any.
pub(crate) async fn apply_fault(
    shared: &Shared,
    op: &str,
    platform: bool,
    kill: Option<ConnKill>,
) -> Injected {
    let Some(fault) = lock(&shared.faults).next_for(op, platform) else {
        return Injected::Nothing;
    };
    match fault {
        Fault::Status {
            status,
            retry_after,
        } => {
            let e = ApiError::new(status, format!("emulated fault: status {status} for {op}"));
            Injected::Answer(error_response(&e, retry_after))
        }
        Fault::Latency(d) => {
            tokio::time::sleep(d).await;
            Injected::Nothing
        }
        Fault::DropConnection => Injected::Answer(drop_connection(kill).await),
        Fault::LoseAnswer => Injected::LoseAnswer(kill),
    }
}

/// Closes the request's connection without an answer; only answers (a 500)
/// where the connection cannot be closed from here.
async fn drop_connection(kill: Option<ConnKill>) -> Response {
    if let Some(kill) = kill {
        kill.0.notify_one();
        // The connection task drops this request's future right away.
        std::future::pending::<()>().await;
    }
    error_response(
        &ApiError::new(500, "emulated fault: connection drop unavailable here"),
        None,
    )
}

/// Sends `answer`, unless the request's fault asked for it to be lost.
pub(crate) async fn lose_answer(injected: Injected, answer: Response) -> Response {
    match injected {
        Injected::LoseAnswer(kill) => drop_connection(kill).await,
        _ => answer,
    }
}

/// Build the Platform API router from the spec's operations.
pub(crate) fn platform_router(shared: Arc<Shared>) -> Router {
    let mut by_path: Vec<(String, MethodRouter<Arc<Shared>>)> = Vec::new();
    for op in &shared.spec.operations {
        let filter = match op.method.as_str() {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "PATCH" => MethodFilter::PATCH,
            "DELETE" => MethodFilter::DELETE,
            _ => continue,
        };
        let id: Arc<str> = Arc::from(op.id.as_str());
        let handler = move |axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
                            path: Result<Path<HashMap<String, String>>, PathRejection>,
                            req: Request<Body>| {
            let id = id.clone();
            async move { handle_platform(shared, &id, path, req).await }
        };
        match by_path.iter_mut().find(|(p, _)| *p == op.path) {
            Some((_, mr)) => *mr = std::mem::take(mr).on(filter, handler),
            None => by_path.push((op.path.clone(), axum::routing::on(filter, handler))),
        }
    }
    let mut router = Router::new();
    for (path, mr) in by_path {
        router = router.route(&path, mr);
    }
    router
        .fallback(|| async { error_response(&ApiError::not_found("not found"), None) })
        .method_not_allowed_fallback(|| async {
            error_response(&ApiError::new(405, "method not allowed"), None)
        })
        .with_state(shared)
}

/// `cli` for the Turso CLI (or anything calling itself a CLI), `web` for
/// browsers, `api` for every other client such as SDKs.
fn origin(req: &Request<Body>) -> &'static str {
    let ua = req
        .headers()
        .get(header::USER_AGENT)
        .map_or(&[][..], |v| v.as_bytes());
    // Compared in place, case-insensitively: this runs for every request.
    let mentions = |word: &[u8]| ua.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word));
    if mentions(b"cli") {
        "cli"
    } else if mentions(b"mozilla") {
        "web"
    } else {
        "api"
    }
}

async fn handle_platform(
    shared: Arc<Shared>,
    op: &str,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    req: Request<Body>,
) -> Response {
    let kill = req.extensions().get::<ConnKill>().cloned();
    let injected = match apply_fault(&shared, op, true, kill).await {
        // Fault answers are error-shaped by construction; send them as they are.
        Injected::Answer(resp) => return resp,
        other => other,
    };
    let answer = answer(&shared, op, path, req).await;
    lose_answer(injected, answer).await
}

/// Handles a Platform request and checks the answer against the spec.
async fn answer(
    shared: &Shared,
    op: &str,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    req: Request<Body>,
) -> Response {
    let reply = run(shared, op, path, req).await;
    let (status, body) = match reply {
        Ok(r) => (r.status, r.body),
        Err(e) => (e.status, Some(json!({ "error": e.message }))),
    };
    if let Err(violation) = shared.spec.check_response(op, status, body.as_ref()) {
        let message = format!("emulator response violates the spec for {op} at {violation}");
        tracing::error!("{message}");
        lock(&shared.violations).push(message.clone());
        if shared.strict {
            return json_response(500, &json!({ "error": message }));
        }
    }
    match body {
        Some(b) => json_response(status, &b),
        None => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            resp
        }
    }
}

async fn run(
    shared: &Shared,
    op: &str,
    path: Result<Path<HashMap<String, String>>, PathRejection>,
    req: Request<Body>,
) -> Result<api::Reply, ApiError> {
    let Path(params) =
        path.map_err(|e| ApiError::bad_request(format!("invalid path parameter: {e}")))?;
    let Query(query) = Query::<HashMap<String, String>>::try_from_uri(req.uri())
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?;
    let origin = origin(&req);
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::new(413, "request body too large"))?;
    // Validate before taking the lock, but report only after authentication
    // so an anonymous caller always sees 401 first.
    let body = shared.spec.check_request(op, &bytes);

    let mut state = lock(&shared.state);
    let principal = auth::authenticate(&state, &parts.headers)?;
    let body = body.map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))?;
    let mut ctx = Ctx {
        state: &mut state,
        settings: &shared.settings,
        principal,
        params: &params,
        query: &query,
        body,
        origin,
        now: chrono::Utc::now(),
    };
    let reply = api::dispatch(op, &mut ctx)?;
    if parts.method != http::Method::GET {
        shared
            .persist(&state)
            .map_err(|e| ApiError::new(500, format!("cannot persist the emulator state: {e}")))?;
    }
    Ok(reply)
}

/// The host part of the request's `Host` header (without the port).
fn request_host(req: &Request<hyper::body::Incoming>) -> Option<String> {
    let raw = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().host().map(str::to_string))?;
    let host = match raw.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h.to_string(),
        _ => raw,
    };
    Some(host.to_ascii_lowercase())
}

/// Accept connections until `shutdown` flips.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let router = platform_router(shared.clone());
    let db_suffix = format!(".{}", shared.settings.domain.to_ascii_lowercase());
    loop {
        let (stream, _) = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(Notify::new());
        let svc_kill = kill.clone();
        let router = router.clone();
        let shared = shared.clone();
        let db_suffix = db_suffix.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnKill(svc_kill.clone()));
                let router = router.clone();
                let shared = shared.clone();
                let host = request_host(&req).filter(|h| h.ends_with(&db_suffix));
                async move {
                    let req = req.map(Body::new);
                    match host {
                        Some(h) => Ok::<_, std::convert::Infallible>(
                            crate::upload::handle(shared, h, req).await,
                        ),
                        None => router.oneshot(req).await,
                    }
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                // Dropping the connection closes the socket without a response.
                _ = kill.notified() => {}
                _ = shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_agent(agent: Option<&str>) -> Request<Body> {
        let mut req = Request::new(Body::empty());
        if let Some(a) = agent {
            req.headers_mut()
                .insert(header::USER_AGENT, HeaderValue::from_str(a).unwrap());
        }
        req
    }

    #[test]
    fn tells_the_origin_from_the_user_agent() {
        assert_eq!(origin(&with_agent(Some("turso-cli/1.0.3"))), "cli");
        assert_eq!(origin(&with_agent(Some("Turso-CLI"))), "cli");
        assert_eq!(
            origin(&with_agent(Some("Mozilla/5.0 (X11; Linux x86_64)"))),
            "web"
        );
        assert_eq!(origin(&with_agent(Some("turso-platform-rs/0.1.0"))), "api");
        assert_eq!(origin(&with_agent(Some(""))), "api");
        assert_eq!(origin(&with_agent(None)), "api");
    }
}
