//! The one error type of the crate: [`Error`], classified by [`ErrorKind`].
//!
//! Every failure — a refused input, a transport problem, an error status from the
//! service, a body that does not decode — becomes an [`Error`]. Branch on
//! [`Error::kind`]; read [`Error::message`] for the service's own words.
//! Errors never contain the platform API token or any minted token.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// The largest number of characters of a body kept in a [`ErrorKind::Decode`] excerpt.
const EXCERPT_CHARS: usize = 200;

/// The largest error body read from an undocumented error response.
pub(crate) const MAX_ERROR_BODY: usize = 16 * 1024;

/// A convenient alias for `Result<T, turso_platform::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in terms a caller can branch on.
///
/// The enum is `#[non_exhaustive]`: match the kinds you handle and keep a `_` arm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The resource does not exist (HTTP 404). A database that was just created
    /// answers this for a while; see [`crate::Databases::wait_until_ready`].
    NotFound,
    /// The resource already exists: HTTP 409, and the HTTP 400
    /// `"... already exists"` the live service sends for a duplicate database.
    AlreadyExists,
    /// The platform API token is missing, unknown, expired or revoked (HTTP 401).
    Unauthorized,
    /// The token is valid but may not do this (HTTP 403), e.g. it is scoped to
    /// another organization or group.
    Forbidden,
    /// The service refused the request as malformed (HTTP 400 or 422); see
    /// [`Error::message`].
    BadRequest,
    /// The service asks the client to slow down (HTTP 429).
    RateLimited {
        /// How long the service asked to wait (`Retry-After`), when it said.
        retry_after: Option<Duration>,
    },
    /// The service failed (HTTP 5xx).
    Server,
    /// A request, a retry deadline or a wait timed out (including HTTP 408).
    Timeout,
    /// The connection failed or broke before a complete response arrived.
    Transport,
    /// A response arrived but its body is not what the API describes.
    Decode {
        /// The first characters of the body, for diagnosis.
        excerpt: String,
    },
    /// The input was refused locally, before anything was sent (bad name, path
    /// segment that would change the request path, no organization, file that is
    /// not an uploadable SQLite database, ...).
    InvalidInput,
    /// The client configuration is unusable (missing token, insecure base URL, ...).
    Configuration,
    /// Any other HTTP status the API does not describe; see [`Error::status`].
    UnexpectedStatus,
}

impl ErrorKind {
    fn describe(&self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::BadRequest => "bad request",
            ErrorKind::RateLimited { .. } => "rate limited",
            ErrorKind::Server => "server error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "transport error",
            ErrorKind::Decode { .. } => "response did not decode",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Configuration => "invalid configuration",
            ErrorKind::UnexpectedStatus => "unexpected status",
        }
    }
}

/// An error from the Turso Platform API client.
///
/// ```
/// use turso_platform::{Error, ErrorKind};
///
/// fn describe(err: &Error) -> String {
///     match err.kind() {
///         ErrorKind::NotFound => "no such thing".to_string(),
///         ErrorKind::RateLimited { retry_after } => format!("slow down: {retry_after:?}"),
///         _ => err.to_string(),
///     }
/// }
/// # let _ = describe;
/// ```
#[non_exhaustive]
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Option<String>,
    code: Option<String>,
    status: Option<u16>,
    operation: Option<&'static str>,
    /// See [`Error::after_lost_answer`].
    lost_answer: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: Some(message.into()),
                code: None,
                status: None,
                operation: None,
                lost_answer: false,
                source: None,
            }),
        }
    }

    pub(crate) fn bare(kind: ErrorKind) -> Self {
        let mut e = Error::new(kind, "");
        e.inner.message = None;
        e
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Configuration, message)
    }

    pub(crate) fn with_operation(mut self, operation: &'static str) -> Self {
        if self.inner.operation.is_none() {
            self.inner.operation = Some(operation);
        }
        self
    }

    /// Marks the error as coming after an attempt whose answer was lost.
    pub(crate) fn with_lost_answer(mut self, lost: bool) -> Self {
        self.inner.lost_answer |= lost;
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(message.into());
        self
    }

    /// The kind of failure, to branch on.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The service's error message (`{"error": "..."}`) when there was one, or the
    /// client's explanation for local failures.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }

    /// The service's machine-readable `code`, when the error body carried one.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The spec's operationId (`getDatabase`, ...) of the call that failed, when
    /// known. Calls outside the spec are named `uploadDatabase`,
    /// `waitUntilReady` and so on.
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation
    }

    /// The delay the service asked for with `Retry-After`, for rate limits.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.inner.kind {
            ErrorKind::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// True when an earlier attempt of this call may have been carried out by
    /// the service although its answer never arrived (the connection broke
    /// after the request was sent, or the attempt timed out), and the call was
    /// retried. Then an [`ErrorKind::NotFound`] from a delete most likely
    /// means that the earlier attempt deleted it.
    ///
    /// The deletes that can tell what they would have answered treat that case
    /// as success ([`crate::Databases::delete`], [`crate::Members::remove`],
    /// [`crate::Invites::delete`], [`crate::ApiTokens::revoke`] and
    /// [`crate::ApiTokens::revoke_for_organization`]); the others
    /// ([`crate::Groups::delete`], [`crate::Groups::remove_location`]) answer
    /// with the deleted resource, which is gone, so they return the error and
    /// leave the decision to this flag.
    pub fn after_lost_answer(&self) -> bool {
        self.inner.lost_answer
    }

    /// True for [`ErrorKind::NotFound`].
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }

    /// True for [`ErrorKind::AlreadyExists`].
    pub fn is_already_exists(&self) -> bool {
        self.inner.kind == ErrorKind::AlreadyExists
    }

    /// True for failures that may go away by themselves: rate limits, server
    /// errors, timeouts and transport failures.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RateLimited { .. }
                | ErrorKind::Server
                | ErrorKind::Timeout
                | ErrorKind::Transport
        )
    }

    /// Builds the error for an HTTP error `status` and its (possibly empty) body.
    pub(crate) fn from_status(status: u16, body: &[u8], retry_after: Option<Duration>) -> Error {
        let parsed = serde_json::from_slice::<ErrorBody>(body).ok();
        let (message, code) = match parsed {
            Some(b) => (b.error.filter(|m| !m.is_empty()).or(b.message), b.code),
            None => {
                let text = String::from_utf8_lossy(body).trim().to_string();
                (
                    if text.is_empty() {
                        None
                    } else {
                        Some(excerpt(body))
                    },
                    None,
                )
            }
        };
        Error::from_status_parts(status, message, code, retry_after)
    }

    pub(crate) fn from_status_parts(
        status: u16,
        message: Option<String>,
        code: Option<String>,
        retry_after: Option<Duration>,
    ) -> Error {
        let kind = classify_status(status, message.as_deref());
        let kind = match kind {
            ErrorKind::RateLimited { .. } => ErrorKind::RateLimited { retry_after },
            k => k,
        };
        Error {
            inner: Box::new(Inner {
                kind,
                message,
                code,
                status: Some(status),
                operation: None,
                lost_answer: false,
                source: None,
            }),
        }
    }

    pub(crate) fn decode(body: &[u8], source: serde_json::Error) -> Error {
        let mut e = Error::bare(ErrorKind::Decode {
            excerpt: excerpt(body),
        });
        e.inner.message = Some(source.to_string());
        e.with_source(source)
    }

    /// A request whose last attempt got no complete answer within `timeout`.
    pub(crate) fn timed_out(timeout: Option<Duration>) -> Error {
        let message = match timeout {
            Some(t) => format!("the request timed out: no complete answer within {t:?}"),
            None => "the request timed out".to_string(),
        };
        Error::new(ErrorKind::Timeout, message)
    }

    pub(crate) fn from_reqwest(err: reqwest::Error) -> Error {
        let kind = if err.is_timeout() {
            ErrorKind::Timeout
        } else if err.is_builder() {
            ErrorKind::InvalidInput
        } else if err.is_decode() {
            ErrorKind::Decode {
                excerpt: String::new(),
            }
        } else {
            ErrorKind::Transport
        };
        let mut e = Error::new(kind, describe_reqwest(&err));
        e.inner.status = err.status().map(|s| s.as_u16());
        // reqwest errors carry the URL; it has no secret but drop it anyway so that
        // query strings never leak into logs.
        e.with_source(err.without_url())
    }

    /// Converts an error from a generated builder.
    pub(crate) async fn from_generated<E: ErrorPayload>(
        err: progenitor_client::Error<E>,
        record: &crate::runtime::CallRecord,
    ) -> Error {
        use progenitor_client::Error as G;
        match err {
            G::InvalidRequest(msg) => Error::invalid_input(msg),
            G::CommunicationError(e) | G::InvalidUpgrade(e) | G::ResponseBodyError(e) => {
                Error::from_reqwest(e)
            }
            G::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let retry_after = crate::runtime::parse_retry_after(rv.headers());
                let (message, code) = rv.into_inner().parts();
                Error::from_status_parts(status, message, code, retry_after)
            }
            G::InvalidResponsePayload(bytes, source) => match record.status {
                Some(status) if status >= 400 => {
                    Error::from_status(status, &bytes, record.retry_after)
                }
                Some(status) => Error::decode(&bytes, source).with_status(status),
                None => Error::decode(&bytes, source),
            },
            G::UnexpectedResponse(response) => {
                let status = response.status().as_u16();
                let retry_after = crate::runtime::parse_retry_after(response.headers());
                let body = read_limited(response).await;
                if status < 400 {
                    let mut e = Error::new(
                        ErrorKind::UnexpectedStatus,
                        format!("the service answered an undocumented status {status}"),
                    );
                    e.inner.status = Some(status);
                    e
                } else {
                    Error::from_status(status, &body, retry_after)
                }
            }
            G::Custom(msg) => Error::new(ErrorKind::Transport, msg),
        }
    }
}

/// Reads at most the first [`MAX_ERROR_BODY`] bytes of an error answer's body
/// (what a read error left out is simply missing).
async fn read_limited(response: reqwest::Response) -> bytes::Bytes {
    crate::runtime::read_up_to(response, MAX_ERROR_BODY).await.1
}

/// Maps an error status (and the service's message) to a kind.
pub(crate) fn classify_status(status: u16, message: Option<&str>) -> ErrorKind {
    match status {
        400 if message.is_some_and(|m| m.to_ascii_lowercase().contains("already exists")) => {
            ErrorKind::AlreadyExists
        }
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

fn describe_reqwest(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "the request timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() {
        "the request or response body failed"
    } else if err.is_decode() {
        "the response body could not be decoded"
    } else if err.is_builder() {
        "the request could not be built"
    } else {
        "the connection failed"
    };
    let mut out = what.to_string();
    let mut source = std::error::Error::source(err);
    // Keep the innermost causes (e.g. "connection reset"), without the URL.
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The first characters of a body, lossily decoded, for diagnostics.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// The `{"error": "...", "code": "..."}` body the service sends with errors.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// The error payload type of a generated operation: `()` or `ErrorResponse`.
pub(crate) trait ErrorPayload {
    fn parts(self) -> (Option<String>, Option<String>);
}

impl ErrorPayload for () {
    fn parts(self) -> (Option<String>, Option<String>) {
        (None, None)
    }
}

impl ErrorPayload for turso_platform_generated::types::ErrorResponse {
    fn parts(self) -> (Option<String>, Option<String>) {
        (Some(self.error).filter(|m| !m.is_empty()), self.code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.inner.operation {
            write!(f, "{op}: ")?;
        }
        f.write_str(self.inner.kind.describe())?;
        if let Some(status) = self.inner.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(msg) = &self.inner.message {
            write!(f, ": {msg}")?;
        }
        match &self.inner.kind {
            ErrorKind::RateLimited {
                retry_after: Some(d),
            } => write!(f, " (retry after {}s)", d.as_secs_f64())?,
            ErrorKind::Decode { excerpt } if !excerpt.is_empty() => {
                write!(f, " (body: {excerpt:?})")?
            }
            _ => {}
        }
        if self.inner.lost_answer {
            f.write_str(
                " (after an attempt whose answer was lost, which the service may have carried out)",
            )?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        if let Some(op) = self.inner.operation {
            d.field("operation", &op);
        }
        if let Some(status) = self.inner.status {
            d.field("status", &status);
        }
        if let Some(m) = &self.inner.message {
            d.field("message", m);
        }
        if let Some(c) = &self.inner.code {
            d.field("code", c);
        }
        if self.inner.lost_answer {
            d.field("after_lost_answer", &true);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_statuses() {
        assert_eq!(classify_status(404, None), ErrorKind::NotFound);
        assert_eq!(classify_status(409, None), ErrorKind::AlreadyExists);
        assert_eq!(
            classify_status(400, Some("database with same name already exists")),
            ErrorKind::AlreadyExists
        );
        assert_eq!(
            classify_status(400, Some("bad name")),
            ErrorKind::BadRequest
        );
        assert_eq!(classify_status(401, None), ErrorKind::Unauthorized);
        assert_eq!(classify_status(403, None), ErrorKind::Forbidden);
        assert_eq!(classify_status(503, None), ErrorKind::Server);
        assert_eq!(classify_status(408, None), ErrorKind::Timeout);
        assert_eq!(classify_status(418, None), ErrorKind::UnexpectedStatus);
    }

    #[test]
    fn reads_error_bodies() {
        let e = Error::from_status(
            400,
            br#"{"error":"database with same name already exists"}"#,
            None,
        );
        assert!(e.is_already_exists());
        assert_eq!(e.message(), Some("database with same name already exists"));
        let e = Error::from_status(
            429,
            br#"{"error":"slow down","code":"rate_limited"}"#,
            Some(Duration::from_secs(2)),
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(e.code(), Some("rate_limited"));
        let e = Error::from_status(502, b"<html>bad gateway</html>", None);
        assert_eq!(e.kind(), &ErrorKind::Server);
        assert_eq!(e.message(), Some("<html>bad gateway</html>"));
        let e = Error::from_status(404, b"", None);
        assert_eq!(e.message(), None);
        assert_eq!(e.to_string(), "not found (HTTP 404)");
    }

    #[test]
    fn excerpts_are_short() {
        let body = "x".repeat(1000);
        let e = Error::decode(
            body.as_bytes(),
            serde_json::from_str::<u8>("\"x\"").unwrap_err(),
        );
        match e.kind() {
            ErrorKind::Decode { excerpt } => assert!(excerpt.chars().count() <= EXCERPT_CHARS + 1),
            k => panic!("{k:?}"),
        }
    }
}
