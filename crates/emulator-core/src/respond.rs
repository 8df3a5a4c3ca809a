//! The answers every emulator sends: a body with a status and content type,
//! JSON, and the `{"error": message}` error (with `Retry-After` when given).

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use serde_json::json;

/// A response with this status and body.
pub fn response(status: u16, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut resp = Response::new(body.into());
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// A JSON response, serialized straight from the body's type (a `Value`,
/// or a serde type such as a protocol's answer).
pub fn json_response<T: Serialize + ?Sized>(status: u16, body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => response(status, "application/json", text),
        // Only a Serialize impl that fails gets here (a `Value` never does).
        Err(e) => error_response(500, &format!("cannot write the answer: {e}"), None),
    }
}

/// An `{"error": message}` response, with `Retry-After` when given.
pub fn error_response(status: u16, message: &str, retry_after: Option<u64>) -> Response {
    let mut resp = json_response(status, &json!({ "error": message }));
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}
