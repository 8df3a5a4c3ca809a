//! A recording, validating reverse proxy for contract tests.
//!
//! Point a client's base URL at [`Proxy::base_url`]; every request is forwarded
//! unchanged to the upstream (the emulator, or any other server) and every
//! exchange is checked in both directions by [`crate::validate`]. The proxy
//! records which operations it saw and every violation, as
//! `"<operationId> <request|response> <json path>: <message>"`.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::validate::{Exchange, ExchangeValidator};

/// What the proxy saw of one exchange.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The operation it matched, if any.
    pub operation: Option<String>,
    /// Method and raw target, e.g. `GET /v1/organizations?x=1`.
    pub request: String,
    /// The upstream's status.
    pub status: u16,
}

#[derive(Default)]
struct Log {
    seen: Vec<Seen>,
    violations: Vec<String>,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    validator: Arc<ExchangeValidator>,
    log: Mutex<Log>,
}

/// A running proxy; dropping it stops the server.
pub struct Proxy {
    base_url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Hop-by-hop headers and those the HTTP stacks recompute.
fn forwardable(name: &header::HeaderName) -> bool {
    !matches!(
        name.as_str(),
        "host" | "content-length" | "transfer-encoding" | "connection" | "keep-alive"
    )
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (k, v) in from {
        if forwardable(k) {
            to.append(k.clone(), v.clone());
        }
    }
}

impl Proxy {
    /// Start on 127.0.0.1 (random port), forwarding to `upstream` (no trailing slash).
    pub async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            validator: crate::validate::shared(),
            log: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("proxy serves");
        });
        Proxy {
            base_url: format!("http://{addr}"),
            shared,
            task,
        }
    }

    /// The URL to give the client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every exchange so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.log.lock().unwrap().seen.clone()
    }

    /// The operations seen so far, in order.
    pub fn operations(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter_map(|s| s.operation)
            .collect()
    }

    /// Every violation recorded so far.
    pub fn violations(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().violations.clone()
    }

    /// Panics unless `operation` was seen and no exchange violated the spec.
    pub fn assert_clean(&self, operation: &str) {
        let ops = self.operations();
        assert!(
            ops.iter().any(|o| o == operation),
            "the proxy never saw {operation}; it saw {ops:?}"
        );
        let v = self.violations();
        assert!(v.is_empty(), "spec violations:\n{}", v.join("\n"));
    }
}

async fn forward(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let request_body: Bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    copy_headers(&parts.headers, &mut headers);
    let upstream = shared
        .http
        .request(parts.method.clone(), format!("{}{target}", shared.upstream))
        .headers(headers)
        .body(request_body.clone())
        .send()
        .await;
    let upstream = match upstream {
        Ok(r) => r,
        Err(e) => {
            return Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(Body::from(format!("proxy: upstream failed: {e}")))
                .expect("response");
        }
    };
    let status = upstream.status();
    let response_headers = upstream.headers().clone();
    let response_body = upstream.bytes().await.unwrap_or_default();
    let content_type = response_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (operation, violations) = shared.validator.check(&Exchange {
        method: parts.method.as_str(),
        target: &target,
        request_body: &request_body,
        status: status.as_u16(),
        content_type,
        response_body: &response_body,
    });
    {
        let mut log = shared.log.lock().unwrap();
        log.seen.push(Seen {
            operation,
            request: format!("{} {target}", parts.method),
            status: status.as_u16(),
        });
        log.violations.extend(violations);
    }
    let mut response = Response::new(Body::from(response_body));
    *response.status_mut() = status;
    copy_headers(&response_headers, response.headers_mut());
    response
}
