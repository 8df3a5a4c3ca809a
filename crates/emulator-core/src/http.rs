//! Generic HTTP plumbing for an emulated API: the accept loop, JSON
//! responses, and fault injection (statuses, latency, dropped connections,
//! lost answers). Nothing here knows about Turso.
//!
//! Connections are served with hyper directly (rather than `axum::serve`) so
//! that a `DropConnection` fault can close a connection without any HTTP
//! response: each connection task listens on a per-connection `Notify` and
//! drops the connection future when it fires.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::faults::{Fault, FaultPlan};

/// Lock a mutex, recovering from poisoning: a panicked request must not take
/// the whole emulator down with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks a connection so a fault can close it.
#[derive(Clone)]
pub(crate) struct ConnKill(Arc<Notify>);

/// A response with this status and body.
pub(crate) fn response(status: u16, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut resp = Response::new(body.into());
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// A JSON response.
pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    response(status, "application/json", body.to_string())
}

/// An `{"error": message}` response, with `Retry-After` when given.
pub(crate) fn error_response(status: u16, message: &str, retry_after: Option<u64>) -> Response {
    let mut resp = json_response(status, &json!({ "error": message }));
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

/// The request's connection handle, for faults that close it.
pub(crate) fn conn_kill<B>(req: &Request<B>) -> Option<ConnKill> {
    req.extensions().get::<ConnKill>().cloned()
}

/// Apply the next scheduled fault for `op` (`platform`: whether `*` faults
/// apply), if any.
pub(crate) async fn apply_fault(
    faults: &Mutex<FaultPlan>,
    op: &str,
    platform: bool,
    kill: Option<ConnKill>,
) -> Injected {
    let Some(fault) = lock(faults).next_for(op, platform) else {
        return Injected::Nothing;
    };
    match fault {
        Fault::Status {
            status,
            retry_after,
        } => Injected::Answer(error_response(
            status,
            &format!("emulated fault: status {status} for {op}"),
            retry_after,
        )),
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
        500,
        "emulated fault: connection drop unavailable here",
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

/// The host part of the request's `Host` header (without the port), lowercased.
pub(crate) fn request_host<B>(req: &Request<B>) -> Option<String> {
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

/// A boxed response future.
pub(crate) type BoxResponse = Pin<Box<dyn Future<Output = Response> + Send>>;

/// Accept connections until `shutdown` flips, answering every request with
/// `handler` (which sees a [`ConnKill`] in the request's extensions).
pub(crate) async fn serve<H>(listener: TcpListener, handler: H, mut shutdown: watch::Receiver<bool>)
where
    H: Fn(Request<Body>) -> BoxResponse + Clone + Send + Sync + 'static,
{
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
        let handler = handler.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let mut req = req.map(Body::new);
                req.extensions_mut().insert(ConnKill(svc_kill.clone()));
                let answer = handler(req);
                async move { Ok::<_, std::convert::Infallible>(answer.await) }
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
