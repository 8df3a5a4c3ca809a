//! Response bodies read within limits: a successful body larger than the
//! client's limit fails with [`BodyTooLarge`] instead of filling memory, and
//! error bodies are read only as far as error messages need.

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use reqwest::ResponseBuilderExt;

/// The largest error body read (the rest is left unread).
pub const MAX_ERROR_BODY: usize = 16 * 1024;

/// The default limit of a response body: room for the largest real answers (a
/// list of 10,000 Turso databases is about 34 MB), not for an endless one.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

/// A response body was larger than the client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTooLarge {
    /// The limit, in bytes.
    pub limit: u64,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the response body exceeds the limit of {} bytes; nothing more was read",
            self.limit
        )
    }
}

impl std::error::Error for BodyTooLarge {}

/// The same response, its body failing with [`BodyTooLarge`] once more than
/// `limit` bytes arrive (at once when `Content-Length` already says so).
pub fn limit_body(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared_too_large = response.content_length().is_some_and(|n| n > limit);
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    let mut seen: u64 = 0;
    type BoxError = Box<dyn std::error::Error + Send + Sync>;
    let chunks = response
        .bytes_stream()
        .map(move |chunk| -> Result<Bytes, BoxError> {
            let chunk = chunk.map_err(BoxError::from)?;
            seen = seen.saturating_add(chunk.len() as u64);
            if declared_too_large || seen > limit {
                return Err(Box::new(BodyTooLarge { limit }));
            }
            Ok(chunk)
        });
    let body = reqwest::Body::wrap_stream(chunks);
    match builder.body(body) {
        Ok(limited) => reqwest::Response::from(limited),
        // Only an invalid status or header could fail, and both came from a
        // response that was valid: unreachable in practice, and an empty
        // answer of the same status is the safe way out.
        Err(_) => reqwest::Response::from(http::Response::new(reqwest::Body::from(Bytes::new()))),
    }
}

/// Reads the body of an error answer for its message: at most
/// [`MAX_ERROR_BODY`] bytes.
pub async fn error_body(response: reqwest::Response) -> Bytes {
    read_up_to(response, MAX_ERROR_BODY).await.0
}

/// Reads at most `limit` bytes of a response's body (the rest is left
/// unread); a read error ends the body early and is returned beside it.
pub async fn read_up_to(
    mut response: reqwest::Response,
    limit: usize,
) -> (Bytes, Option<reqwest::Error>) {
    let mut body = BytesMut::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return (cut(body, limit), Some(e)),
        }
    }
    (cut(body, limit), None)
}

fn cut(mut body: BytesMut, limit: usize) -> Bytes {
    body.truncate(limit);
    body.freeze()
}
