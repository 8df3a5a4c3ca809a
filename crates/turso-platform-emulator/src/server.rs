//! The Turso emulator's front door: sends each request to the data plane
//! (by `Host` or by the `/db/{org}/{db}/` prefix) or to the Platform API,
//! and runs the Platform API pipeline: fault → authentication → body
//! validation → operation → response validation → commit (or rollback).
//!
//! Routing inside the Platform API is the core's router built from the
//! spec's own path templates.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Query;
use axum::response::Response;
use http::{Request, StatusCode, header};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;

use crate::api::{self, ApiError, Ctx};
use crate::auth;
use crate::dataplane::{self, Target};
use crate::shared::Shared;
use emulator_core::http::{
    Injected, apply_fault, conn_kill, error_response, json_response, lock, lose_answer, read_body,
    request_host,
};
use emulator_core::routes::{PathParams, operation_router, path_params};
use emulator_core::serve::{BoxResponse, ServeOptions};

/// Largest accepted Platform API request body.
const MAX_BODY: usize = 2 << 20;
/// The path prefix that reaches a database without DNS: `/db/{org}/{db}/...`.
pub(crate) const DB_PREFIX: &str = "/db/";

fn api_error(e: &ApiError) -> Response {
    error_response(e.status, &e.message, None)
}

/// Build the Platform API router from the spec's operations.
pub(crate) fn platform_router(shared: Arc<Shared>) -> Router {
    let spec = shared.spec.clone();
    operation_router(&spec, shared, |shared, id, path, req| async move {
        handle_platform(shared, &id, path, req).await
    })
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
    path: PathParams,
    req: Request<Body>,
) -> Response {
    let injected = match apply_fault(&shared.faults, op, true, conn_kill(&req)).await {
        // Fault answers are error-shaped by construction; send them as they are.
        Injected::Answer(resp) => return resp,
        other => other,
    };
    let answer = answer(&shared, op, path, req).await;
    lose_answer(injected, answer).await
}

/// Handles a Platform request: the operation, the check of its answer
/// against the spec, then the commit. An error answer, an answer that
/// violates the spec (in strict mode) or a failed commit leaves the world
/// as it was.
async fn answer(shared: &Shared, op: &str, path: PathParams, req: Request<Body>) -> Response {
    let params = match path_params(path) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let query = match Query::<HashMap<String, String>>::try_from_uri(req.uri()) {
        Ok(Query(q)) => q,
        Err(e) => return api_error(&ApiError::bad_request(format!("invalid query string: {e}"))),
    };
    let origin = origin(&req);
    let (parts, body) = req.into_parts();
    // Authenticate before reading the body: an anonymous caller learns 401
    // (not 413) and never makes the emulator buffer up to the limit.
    let principal = auth::authenticate(&lock(&shared.state), &parts.headers);
    let bytes = match principal {
        Ok(_) => match read_body(body, MAX_BODY).await {
            Ok(b) => b,
            Err(e) => return api_error(&e),
        },
        Err(_) => bytes::Bytes::new(),
    };
    // Validate before taking the lock; reported after authentication.
    let body = shared.spec.check_request(op, &bytes);

    let mut state = lock(&shared.state);
    let reply = (|| {
        // Again under this lock: the token may have been revoked meanwhile.
        let principal = principal.and_then(|_| auth::authenticate(&state, &parts.headers))?;
        let body = body.map_err(|e| ApiError::bad_request(format!("invalid request body: {e}")))?;
        let mut ctx = Ctx {
            state: &mut state,
            settings: &shared.settings,
            usage: &shared.usage,
            files: &shared.files,
            principal,
            params: &params,
            query: &query,
            body,
            origin,
            now: chrono::Utc::now(),
        };
        api::dispatch(op, &mut ctx)
    })();
    let (status, body) = match reply {
        Ok(r) => (r.status, r.body),
        Err(e) => (e.status, Some(json!({ "error": e.message }))),
    };
    if let Err(violation) = shared.spec.check_response(op, status, body.as_ref()) {
        let message = shared.violations.record(op, &violation, shared.strict);
        if shared.strict {
            shared.rollback(&mut state);
            return json_response(500, &json!({ "error": message }));
        }
    }
    if status >= 400 {
        shared.rollback(&mut state);
    } else if let Err(e) = shared.commit(&mut state) {
        let message = format!("cannot persist the emulator state: {e}");
        tracing::error!("{message}");
        return json_response(500, &json!({ "error": message }));
    }
    drop(state);
    match body {
        Some(b) => json_response(status, &b),
        None => {
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            resp
        }
    }
}

/// Split `/db/{org}/{db}/rest` into the target and `/rest`.
fn db_prefix(path: &str) -> Option<(Target, String)> {
    let rest = path.strip_prefix(DB_PREFIX)?;
    let mut parts = rest.splitn(3, '/');
    let org = parts.next().filter(|s| !s.is_empty())?;
    let db = parts.next().filter(|s| !s.is_empty())?;
    let tail = format!("/{}", parts.next().unwrap_or_default());
    let target = Target::Path {
        org: org.to_string(),
        db: db.to_string(),
    };
    Some((target, tail))
}

/// Accept connections until `shutdown` flips.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    options: ServeOptions,
) {
    let router = platform_router(shared.clone());
    let db_suffix = format!(".{}", shared.settings.domain.to_ascii_lowercase());
    let handler = move |req: Request<Body>| -> BoxResponse {
        let shared = shared.clone();
        if let Some(host) = request_host(&req).filter(|h| h.ends_with(&db_suffix)) {
            let path = req.uri().path().to_string();
            return Box::pin(async move {
                dataplane::handle(shared, Target::Host(host), &path, req).await
            });
        }
        if let Some((target, path)) = db_prefix(req.uri().path()) {
            return Box::pin(async move { dataplane::handle(shared, target, &path, req).await });
        }
        let router = router.clone();
        Box::pin(async move {
            match router.oneshot(req).await {
                Ok(resp) => resp,
                Err(never) => match never {},
            }
        })
    };
    emulator_core::serve::serve_with(listener, handler, shutdown, options).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

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

    #[test]
    fn splits_the_database_prefix() {
        let (t, rest) = db_prefix("/db/acme/orders/v3/pipeline").expect("matches");
        assert!(matches!(t, Target::Path { ref org, ref db } if org == "acme" && db == "orders"));
        assert_eq!(rest, "/v3/pipeline");
        assert_eq!(
            db_prefix("/db/acme/orders").map(|(_, r)| r),
            Some("/".into())
        );
        assert!(db_prefix("/db/acme/").is_none());
        assert!(db_prefix("/v1/organizations").is_none());
    }
}
