//! The one error type: [`Error`], classified by [`ErrorKind`].
//!
//! Every failure (a refused input, a transport problem, an error status, a body
//! that does not decode or is too large, a redirect) becomes an [`Error`].
//! Branch on [`Error::kind`]; read [`Error::message`] for the service's own
//! words. Errors never contain a token: the platform token is never put in
//! one, and text quoted from answers has anything that looks like a minted
//! token replaced (see [`crate::redact_tokens`]).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::body::{BodyTooLarge, FileChanged, MAX_ERROR_BODY, read_up_to};
use crate::headers::parse_retry_after;
use crate::secret::redact_tokens;

/// The largest number of characters of a body kept in a [`ErrorKind::Decode`] excerpt.
const EXCERPT_CHARS: usize = 200;

/// A convenient alias for `Result<T, Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in terms a caller can branch on.
///
/// `#[non_exhaustive]`: match the kinds you handle and keep a `_` arm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The resource does not exist (HTTP 404 or 410).
    NotFound,
    /// The resource already exists: HTTP 409, and an HTTP 400 whose message
    /// says `"... already exists"` (how the Turso service reports a duplicate
    /// database).
    AlreadyExists,
    /// The token is missing, unknown, expired or revoked (HTTP 401).
    Unauthorized,
    /// The token is valid but may not do this (HTTP 403).
    Forbidden,
    /// The service refused the request as malformed (HTTP 400 or 422).
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
        /// The first characters of the body, for diagnosis (empty when the
        /// answer carries a secret).
        excerpt: String,
    },
    /// A response body was larger than the client accepts (see the
    /// facades' `max_response_bytes`). Nothing more was read.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The service answered with a redirect. The APIs served here do not
    /// redirect, so the client does not follow one (it could lead to another
    /// host, or to plain HTTP).
    Redirected {
        /// The `Location` the answer named, if any.
        location: Option<String>,
    },
    /// A local file changed (grew, shrank, was rewritten) while it was being
    /// sent; nothing of it was kept.
    FileChanged,
    /// The input was refused locally, before anything was sent.
    InvalidInput,
    /// The client configuration is unusable (missing token, insecure base URL, ...).
    Configuration,
    /// Any other HTTP status the API does not describe; see [`Error::status`].
    UnexpectedStatus,
    /// The resource is not in a state that allows the call, or it reached a
    /// state a wait cannot leave: an HTTP 409 that a facade knows is not a
    /// duplicate (credentials asked of a database that is not running), or a
    /// resource that failed or was destroyed while the client waited for it.
    InvalidState {
        /// The resource's state, when the client knows it (`"error"`,
        /// `"destroyed"`, ...).
        state: Option<String>,
    },
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
            ErrorKind::BodyTooLarge { .. } => "response body too large",
            ErrorKind::Redirected { .. } => "redirected",
            ErrorKind::FileChanged => "file changed during the transfer",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Configuration => "invalid configuration",
            ErrorKind::UnexpectedStatus => "unexpected status",
            ErrorKind::InvalidState { .. } => "invalid state",
        }
    }
}

/// An error of an API client.
///
/// ```
/// use sdk_runtime::{Error, ErrorKind};
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
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Option<String>,
    code: Option<String>,
    status: Option<u16>,
    operation: Option<&'static str>,
    lost_answer: bool,
    /// `Retry-After`, whatever the status.
    retry_after: Option<Duration>,
    /// For transport failures: whether the request may have reached the
    /// service (false when no connection could even be opened).
    sent: bool,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let mut e = Error::bare(kind);
        e.inner.message = Some(message.into());
        e
    }

    fn bare(kind: ErrorKind) -> Self {
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

    /// An input refused before anything was sent.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// An unusable configuration.
    pub fn configuration(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Configuration, message)
    }

    /// Names the operation (an operationId) the error belongs to, unless one is
    /// named already.
    pub fn with_operation(mut self, operation: &'static str) -> Self {
        self.inner.operation.get_or_insert(operation);
        self
    }

    /// Marks the error as coming after an attempt whose answer was lost.
    pub fn with_lost_answer(mut self, lost: bool) -> Self {
        self.inner.lost_answer |= lost;
        self
    }

    /// The same error (status, message, `Retry-After`, operation) as another
    /// kind: for a facade that knows more about an answer than its status
    /// says (a 409 that is not a duplicate, say).
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    /// Replaces the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(message.into());
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// Withholds what the error quotes of the answer: for operations whose
    /// answer carries a secret (a minted token), even a redacted excerpt is
    /// too much.
    pub fn withhold_answer(mut self) -> Self {
        if let ErrorKind::Decode { excerpt } = &mut self.inner.kind {
            excerpt.clear();
            self.inner.message =
                Some("the answer did not decode (details withheld: it carries a secret)".into());
            self.inner.source = None;
        }
        self
    }

    /// The kind of failure, to branch on.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The service's error message (`{"error": "..."}`) when there was one, or
    /// the client's explanation for local failures.
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

    /// The operationId (`getDatabase`, ...) of the call that failed, when known.
    /// Calls outside the spec have names of their own (`uploadDatabase`,
    /// `waitUntilReady`, ...).
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation
    }

    /// The delay the service asked for with `Retry-After` (with a 429, a 503,
    /// or any other error answer).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// True when an earlier attempt of this call may have been carried out by
    /// the service although its answer never arrived (the connection broke
    /// after the request was sent, or the attempt timed out), and the call was
    /// retried. Then a "not found" from a delete most likely means that the
    /// earlier attempt deleted it.
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

    /// Whether the failed request may have been carried out by the service
    /// without the client learning so: the connection broke after the request
    /// was sent, the attempt timed out, or a gateway timed out waiting.
    pub fn may_have_been_carried_out(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Transport => self.inner.sent,
            ErrorKind::Timeout => self.inner.status.is_none(),
            _ => self.inner.status == Some(504),
        }
    }

    /// Whether the request never left the client (no connection was opened),
    /// so that repeating it is safe for any operation.
    pub(crate) fn never_sent(&self) -> bool {
        self.inner.kind == ErrorKind::Transport && !self.inner.sent
    }

    /// Builds the error for an HTTP error `status` and its (possibly empty) body.
    pub fn from_status(status: u16, body: &[u8], retry_after: Option<Duration>) -> Error {
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
        Error::from_status_parts(status, message, code, retry_after)
    }

    /// Builds the error for an HTTP error `status` with the service's message
    /// and code.
    pub fn from_status_parts(
        status: u16,
        message: Option<String>,
        code: Option<String>,
        retry_after: Option<Duration>,
    ) -> Error {
        let kind = match classify_status(status, message.as_deref()) {
            ErrorKind::RateLimited { .. } => ErrorKind::RateLimited { retry_after },
            k => k,
        };
        let mut e = Error::bare(kind);
        e.inner.message = message.map(|m| redact_tokens(&m));
        e.inner.code = code;
        e.inner.status = Some(status);
        e.inner.retry_after = retry_after;
        e
    }

    /// A body that did not decode; `status` is the answer's.
    pub fn decode(body: &[u8], source: serde_json::Error, status: Option<u16>) -> Error {
        let mut e = Error::bare(ErrorKind::Decode {
            excerpt: excerpt(body),
        });
        // serde's message may quote a value of the body: redact it too, and
        // keep no source that would quote it unredacted.
        e.inner.message = Some(redact_tokens(&source.to_string()));
        e.inner.status = status;
        e
    }

    /// A call whose time ran out (`what` says which limit).
    pub fn timed_out(what: impl Into<String>) -> Error {
        Error::new(ErrorKind::Timeout, what)
    }

    /// Converts a `reqwest` error (its URL dropped: URLs can carry queries).
    pub fn from_reqwest(err: reqwest::Error) -> Error {
        if let Some(too_large) = find_source::<BodyTooLarge>(&err) {
            return Error::new(
                ErrorKind::BodyTooLarge {
                    limit: too_large.limit,
                },
                too_large.to_string(),
            );
        }
        if let Some(changed) = find_source::<FileChanged>(&err) {
            return Error::new(ErrorKind::FileChanged, changed.to_string());
        }
        let kind = if err.is_timeout() {
            ErrorKind::Timeout
        } else if err.is_builder() {
            ErrorKind::InvalidInput
        } else {
            ErrorKind::Transport
        };
        let mut e = Error::new(kind, describe_reqwest(&err));
        e.inner.status = err.status().map(|s| s.as_u16());
        e.inner.sent = !err.is_connect() && !err.is_builder();
        e.with_source(err.without_url())
    }

    /// Converts the error of a generated call. `UnexpectedResponse` bodies
    /// are read up to [`MAX_ERROR_BODY`] bytes.
    pub async fn from_generated<E: ErrorPayload>(err: progenitor_client::Error<E>) -> Error {
        use progenitor_client::Error as G;
        match err {
            G::InvalidRequest(msg) => Error::invalid_input(msg),
            G::CommunicationError(e) | G::InvalidUpgrade(e) | G::ResponseBodyError(e) => {
                Error::from_reqwest(e)
            }
            G::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let retry_after = parse_retry_after(rv.headers());
                let (message, code) = rv.into_inner().parts();
                Error::from_status_parts(status, message, code, retry_after)
            }
            // Error answers reach the decoder as the API's error document
            // (see `Transport`), so only a success body lands here.
            G::InvalidResponsePayload(bytes, source) => Error::decode(&bytes, source, None),
            G::UnexpectedResponse(response) => from_unexpected(response).await,
            G::Custom(msg) => Error::new(ErrorKind::Transport, msg),
        }
    }
}

/// The error for an answer whose status the API does not describe.
async fn from_unexpected(response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    if response.status().is_redirection() {
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let mut e = Error::new(
            ErrorKind::Redirected {
                location: location.clone(),
            },
            match &location {
                Some(l) => format!("the service redirected to {l:?}, which is not followed"),
                None => "the service answered a redirect, which is not followed".to_string(),
            },
        );
        e.inner.status = Some(status);
        return e;
    }
    if status < 400 {
        let mut e = Error::new(
            ErrorKind::UnexpectedStatus,
            format!("the service answered an undocumented status {status}"),
        );
        e.inner.status = Some(status);
        return e;
    }
    let retry_after = parse_retry_after(response.headers());
    let (body, _) = read_up_to(response, MAX_ERROR_BODY).await;
    Error::from_status(status, &body, retry_after)
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

/// Maps an error status (and the service's message) to a kind.
pub fn classify_status(status: u16, message: Option<&str>) -> ErrorKind {
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

fn find_source<'a, T: std::error::Error + 'static>(
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

/// Reads the body of an answer for an error message: at most
/// [`MAX_ERROR_BODY`] bytes.
pub async fn error_body(response: reqwest::Response) -> Bytes {
    read_up_to(response, MAX_ERROR_BODY).await.0
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
    fn excerpts_are_short_and_redacted() {
        let body = "x".repeat(1000);
        let e = Error::decode(
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
        let e = Error::decode(body.as_bytes(), source, Some(200));
        assert!(!format!("{e} {e:?}").contains(jwt), "{e}");
        let e = e.withhold_answer();
        assert_eq!(
            e.kind(),
            &ErrorKind::Decode {
                excerpt: String::new()
            }
        );
    }
}
