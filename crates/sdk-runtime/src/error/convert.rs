//! How errors are made: from an HTTP status and its body, a `reqwest` error,
//! a generated call's error, a body that does not decode; and the changes a
//! facade makes to one (naming the operation, another kind, a message).
//!
//! Free functions rather than methods of [`Error`], so that they stay off the
//! error's documentation: users read errors, the runtime and the facades make
//! them. The crate root re-exports this module `#[doc(hidden)]` for the
//! facades; it is not part of the API users are promised. Each function is
//! generic over the facade's kinds `A`, which the caller's types decide.

use std::time::Duration;

use super::{Error, ErrorKind, Inner};
use crate::body::{BodyTooLarge, MAX_ERROR_BODY, read_up_to};
use crate::headers::parse_retry_after;
use crate::secret::redact_tokens;

/// The largest number of characters of a body kept in a [`ErrorKind::Decode`] excerpt.
const EXCERPT_CHARS: usize = 200;

fn bare<A>(kind: ErrorKind<A>) -> Error<A> {
    Error {
        inner: Box::new(Inner {
            kind,
            message: None,
            code: None,
            status: None,
            operation: None,
            lost_answer: false,
            retry_after: None,
            sent: true,
            source: None,
        }),
    }
}

/// An error of `kind` with a message.
pub fn new<A>(kind: ErrorKind<A>, message: impl Into<String>) -> Error<A> {
    with_message(bare(kind), message)
}

/// An input refused before anything was sent.
pub fn invalid_input<A>(message: impl Into<String>) -> Error<A> {
    new(ErrorKind::InvalidInput, message)
}

/// An unusable configuration.
pub fn configuration<A>(message: impl Into<String>) -> Error<A> {
    new(ErrorKind::Configuration, message)
}

/// A call whose time ran out (`what` says which limit).
pub fn timed_out<A>(what: impl Into<String>) -> Error<A> {
    new(ErrorKind::Timeout, what)
}

/// Names the operation (an operationId) the error belongs to, unless one is
/// named already.
pub fn with_operation<A>(mut e: Error<A>, operation: &'static str) -> Error<A> {
    e.inner.operation.get_or_insert(operation);
    e
}

/// Marks the error as coming after an attempt whose answer was lost.
pub(crate) fn with_lost_answer<A>(mut e: Error<A>, lost: bool) -> Error<A> {
    e.inner.lost_answer |= lost;
    e
}

/// The same error (status, message, `Retry-After`, operation) as another
/// kind: for a facade that knows more about an answer than its status says
/// (a 409 that is not a duplicate, say).
pub fn with_kind<A>(mut e: Error<A>, kind: ErrorKind<A>) -> Error<A> {
    e.inner.kind = kind;
    e
}

/// Replaces the message.
pub fn with_message<A>(mut e: Error<A>, message: impl Into<String>) -> Error<A> {
    e.inner.message = Some(message.into());
    e
}

/// Attaches the underlying cause.
pub fn with_source<A>(
    mut e: Error<A>,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error<A> {
    e.inner.source = Some(Box::new(source));
    e
}

/// Withholds what the error quotes of the answer: for operations whose
/// answer carries a secret (a minted token, a password), even a redacted
/// excerpt is too much.
pub fn withhold_answer<A>(mut e: Error<A>) -> Error<A> {
    if let ErrorKind::Decode { excerpt } = &mut e.inner.kind {
        excerpt.clear();
        e.inner.message =
            Some("the answer did not decode (details withheld: it carries a secret)".into());
        e.inner.source = None;
    }
    e
}

/// Maps an error status to a kind.
pub fn classify_status<A>(status: u16) -> ErrorKind<A> {
    match status {
        400 | 422 => ErrorKind::BadRequest,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 | 410 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        409 => ErrorKind::AlreadyExists,
        429 => ErrorKind::RateLimited { retry_after: None },
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::UnexpectedStatus,
    }
}

/// The error for an HTTP error `status` and its (possibly empty) body: the
/// message is the body's `error` (or `message`), else its first characters.
pub fn from_status<A>(status: u16, body: &[u8], retry_after: Option<Duration>) -> Error<A> {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        #[serde(default)]
        error: Option<String>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        code: Option<String>,
    }
    let (message, code) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => (b.error.filter(|m| !m.is_empty()).or(b.message), b.code),
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => (None, None),
        Err(_) => (Some(excerpt(body)), None),
    };
    from_status_parts(status, message, code, retry_after)
}

/// The error for an HTTP error `status` with the service's message and code.
fn from_status_parts<A>(
    status: u16,
    message: Option<String>,
    code: Option<String>,
    retry_after: Option<Duration>,
) -> Error<A> {
    let kind = match classify_status(status) {
        ErrorKind::RateLimited { .. } => ErrorKind::RateLimited { retry_after },
        k => k,
    };
    let mut e = bare(kind);
    e.inner.message = message.map(|m| redact_tokens(&m));
    e.inner.code = code;
    e.inner.status = Some(status);
    e.inner.retry_after = retry_after;
    e
}

/// A body that did not decode; `status` is the answer's.
pub fn decode<A>(body: &[u8], source: serde_json::Error, status: Option<u16>) -> Error<A> {
    let mut e = bare(ErrorKind::Decode {
        excerpt: excerpt(body),
    });
    // serde's message may quote a value of the body: redact it too, and keep
    // no source that would quote it unredacted.
    e.inner.message = Some(redact_tokens(&source.to_string()));
    e.inner.status = status;
    e
}

/// Converts a `reqwest` error (its URL dropped: URLs can carry queries). A
/// body that failed with [`BodyTooLarge`] is [`ErrorKind::BodyTooLarge`]; a
/// facade whose request bodies fail with errors of its own looks for them
/// first (with [`find_source`]).
pub fn from_reqwest<A>(err: reqwest::Error) -> Error<A> {
    if let Some(too_large) = find_source::<BodyTooLarge>(&err) {
        return new(
            ErrorKind::BodyTooLarge {
                limit: too_large.limit,
            },
            too_large.to_string(),
        );
    }
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_builder() {
        ErrorKind::InvalidInput
    } else {
        ErrorKind::Transport
    };
    let mut e = new(kind, describe_reqwest(&err));
    e.inner.status = err.status().map(|s| s.as_u16());
    e.inner.sent = !err.is_connect() && !err.is_builder();
    with_source(e, err.without_url())
}

/// Converts the error of a generated call. `UnexpectedResponse` bodies are
/// read up to [`MAX_ERROR_BODY`] bytes.
pub async fn from_generated<A, E: ErrorPayload>(err: progenitor_client::Error<E>) -> Error<A> {
    use progenitor_client::Error as G;
    match err {
        G::InvalidRequest(msg) => invalid_input(msg),
        G::CommunicationError(e) | G::InvalidUpgrade(e) | G::ResponseBodyError(e) => {
            from_reqwest(e)
        }
        G::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let retry_after = parse_retry_after(rv.headers());
            let (message, code) = rv.into_inner().parts();
            from_status_parts(status, message, code, retry_after)
        }
        // Error answers reach the decoder as the API's error document (see
        // `Transport`), so only a success body lands here.
        G::InvalidResponsePayload(bytes, source) => decode(&bytes, source, None),
        G::UnexpectedResponse(response) => from_unexpected(response).await,
        G::Custom(msg) => new(ErrorKind::Transport, msg),
    }
}

/// The error for an answer whose status the API does not describe.
async fn from_unexpected<A>(response: reqwest::Response) -> Error<A> {
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let message = match &location {
            Some(l) => format!("the service redirected to {l:?}, which is not followed"),
            None => "the service answered a redirect, which is not followed".to_string(),
        };
        let mut e = new(ErrorKind::Redirected { location }, message);
        e.inner.status = Some(status);
        return e;
    }
    if status < 400 {
        let mut e = new(
            ErrorKind::UnexpectedStatus,
            format!("the service answered an undocumented status {status}"),
        );
        e.inner.status = Some(status);
        return e;
    }
    let retry_after = parse_retry_after(response.headers());
    let (body, _) = read_up_to(response, MAX_ERROR_BODY).await;
    from_status(status, &body, retry_after)
}

/// The error payload of a generated operation: `()` or the API's error
/// document. Generated crates implement it for their error type.
pub trait ErrorPayload {
    /// The service's message and machine-readable code.
    fn parts(self) -> (Option<String>, Option<String>);
}

impl ErrorPayload for () {
    fn parts(self) -> (Option<String>, Option<String>) {
        (None, None)
    }
}

/// The first error of type `T` in `err`'s chain of sources, `err` included.
pub fn find_source<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn describe_reqwest(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "the request timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "the request or response body failed"
    } else if err.is_builder() {
        "the request could not be built"
    } else {
        "the connection failed"
    };
    let mut out = what.to_string();
    // The innermost causes ("connection reset"), without the URL.
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The first characters of a body, lossily decoded and with tokens redacted.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    redact_tokens(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn kind(status: u16) -> ErrorKind {
        classify_status(status)
    }

    #[test]
    fn classifies_statuses() {
        assert_eq!(kind(404), ErrorKind::NotFound);
        assert_eq!(kind(409), ErrorKind::AlreadyExists);
        // A 400 is a bad request whatever its message says: what one API
        // means by some of its 400s is its facade's business.
        let e: Error = from_status(400, br#"{"error":"bad name"}"#, None);
        assert_eq!(e.kind(), &ErrorKind::BadRequest);
        assert_eq!(kind(400), ErrorKind::BadRequest);
        assert_eq!(kind(401), ErrorKind::Unauthorized);
        assert_eq!(kind(403), ErrorKind::Forbidden);
        assert_eq!(kind(503), ErrorKind::Server);
        assert_eq!(kind(408), ErrorKind::Timeout);
        assert_eq!(kind(418), ErrorKind::UnexpectedStatus);
    }

    #[test]
    fn reads_error_bodies() {
        let e: Error = from_status(
            400,
            br#"{"error":"database with same name already exists"}"#,
            None,
        );
        assert_eq!(e.message(), Some("database with same name already exists"));
        let e: Error = from_status(
            429,
            br#"{"error":"slow down","code":"rate_limited"}"#,
            Some(Duration::from_secs(2)),
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(e.code(), Some("rate_limited"));
        let e: Error = from_status(502, b"<html>bad gateway</html>", None);
        assert_eq!(e.kind(), &ErrorKind::Server);
        assert_eq!(e.message(), Some("<html>bad gateway</html>"));
        let e: Error = from_status(404, b"", None);
        assert_eq!(e.message(), None);
        assert_eq!(e.to_string(), "not found (HTTP 404)");
    }

    #[test]
    fn excerpts_are_short_and_redacted() {
        let body = "x".repeat(1000);
        let e: Error = decode(
            body.as_bytes(),
            serde_json::from_str::<u8>("\"x\"").unwrap_err(),
            Some(200),
        );
        match e.kind() {
            ErrorKind::Decode { excerpt } => assert!(excerpt.chars().count() <= EXCERPT_CHARS + 1),
            k => panic!("{k:?}"),
        }
        let jwt = "eyJhbGciOiJFZERTQSJ9.eyJpYXQiOjE3MDB9.c2lnbmF0dXJl";
        let body = format!(r#"{{"jwt": 5, "x": "{jwt}"}}"#);
        let source = serde_json::from_str::<u8>(&format!("\"{jwt}\"")).unwrap_err();
        let e: Error = decode(body.as_bytes(), source, Some(200));
        assert!(!format!("{e} {e:?}").contains(jwt), "{e}");
        let e = withhold_answer(e);
        assert_eq!(
            e.kind(),
            &ErrorKind::Decode {
                excerpt: String::new()
            }
        );
    }
}
