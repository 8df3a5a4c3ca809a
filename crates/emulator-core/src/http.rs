//! HTTP plumbing for an emulated API: JSON answers, reading a body with a
//! limit, and fault injection (statuses, latency, dropped connections, lost
//! answers). It knows no API.
//!
//! A `DropConnection` fault closes a connection without any HTTP response:
//! the accept loop gives each request a [`ConnKill`] whose `Notify` makes
//! the connection task drop the connection.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::response::Response;
use http::{Request, header};
use tokio::sync::Notify;

use crate::deadline::BodyTimedOut;
use crate::error::ApiError;
use crate::faults::{Fault, FaultPlan};
pub use crate::respond::{error_response, json_response, response};

/// Lock a mutex, recovering from poisoning: a panicked request must not take
/// the whole emulator down with it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks a connection so a fault can close it.
#[derive(Clone)]
pub struct ConnKill(pub(crate) Arc<Notify>);

/// Read a request body of at most `limit` bytes. A body whose announced
/// `Content-Length` is over the limit is a 413 at once, before a byte is
/// read (and without `100 Continue`); one that turns out longer is a 413 as
/// soon as it passes the limit; one that does not arrive within the serve
/// options' `body_read_timeout` is a 408; a body cut short is a 400. In each
/// case the connection is closed after the answer (hyper does not keep a
/// connection whose request body was not read to its end).
///
/// Read it after authenticating, so an anonymous caller learns 401 first
/// and never makes the emulator buffer a large body.
pub async fn read_body(mut body: Body, limit: usize) -> Result<bytes::Bytes, ApiError> {
    use axum::body::HttpBody;
    let too_large = || ApiError::new(413, format!("request body too large (limit {limit} bytes)"));
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| body_error(&e))?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes.into())
}

/// The answer to a body that failed to arrive: 408 when it took too long.
fn body_error(e: &axum::Error) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(timed_out) = c.downcast_ref::<BodyTimedOut>() {
            return ApiError::new(408, timed_out.to_string());
        }
        cause = c.source();
    }
    ApiError::bad_request(format!("cannot read the request body: {e}"))
}

/// What the next scheduled fault for a request asks of its handler.
pub enum Injected {
    /// No fault: handle the request.
    Nothing,
    /// Send this instead of handling the request.
    Answer(Response),
    /// Handle the request, then drop the connection instead of answering
    /// (with [`lose_answer`]).
    LoseAnswer(Option<ConnKill>),
}

/// The request's connection handle, for faults that close it.
pub fn conn_kill<B>(req: &Request<B>) -> Option<ConnKill> {
    req.extensions().get::<ConnKill>().cloned()
}

/// Apply the next scheduled fault for `op` (`platform`: whether `*` faults
/// apply), if any. A status fault that is not an error status (a plan built
/// in code without [`FaultPlan::check`]) answers 500 saying so, rather than
/// a success or redirect with an error body that no validation saw.
pub async fn apply_fault(
    faults: &Mutex<FaultPlan>,
    op: &str,
    platform: bool,
    kill: Option<ConnKill>,
) -> Injected {
    let Some(fault) = lock(faults).next_for(op, platform) else {
        return Injected::Nothing;
    };
    match fault {
        Fault::Status { status, .. } if !crate::faults::is_error_status(status) => {
            Injected::Answer(error_response(
                500,
                &format!(
                    "emulated fault for {op} refused: status {status} is not an error status (400-599)"
                ),
                None,
            ))
        }
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
pub async fn lose_answer(injected: Injected, answer: Response) -> Response {
    match injected {
        Injected::LoseAnswer(kill) => drop_connection(kill).await,
        _ => answer,
    }
}

/// The host part of the request's `Host` header (without the port), lowercased.
pub fn request_host<B>(req: &Request<B>) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_non_error_status_fault_is_never_sent_as_it_is() {
        let plan = Mutex::new(FaultPlan::new().on("op", [Fault::status(200)]));
        let Injected::Answer(resp) = apply_fault(&plan, "op", true, None).await else {
            panic!("expected an answer");
        };
        assert_eq!(resp.status(), 500);
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("status 200 is not an error status"), "{text}");
    }

    #[tokio::test]
    async fn status_faults_carry_retry_after() {
        let plan = Mutex::new(FaultPlan::new().on_all([Fault::rate_limited(3)]));
        assert!(matches!(
            apply_fault(&plan, "x", false, None).await,
            Injected::Nothing
        ));
        let Injected::Answer(resp) = apply_fault(&plan, "x", true, None).await else {
            panic!("expected an answer");
        };
        assert_eq!(resp.status(), 429);
        assert_eq!(resp.headers()[header::RETRY_AFTER], "3");
    }
}
