//! The one error type: [`Error`], classified by [`ErrorKind`].
//!
//! Every failure (a refused input, a transport problem, an error status, a body
//! that does not decode or is too large, a redirect) becomes an [`Error`].
//! Branch on [`Error::kind`]; read [`Error::message`] for the service's own
//! words. Errors never contain a token: the platform token is never put in
//! one, and text quoted from answers has anything that looks like a minted
//! token replaced (see [`crate::redact_tokens`]).
//!
//! The kinds here are API-neutral. What one API adds (an upload's file that
//! changed, a resource in the wrong state, ...) is its facade's own enum,
//! carried in [`ErrorKind::Api`]: a facade names its error
//! `sdk_runtime::Error<TheirKind>`, so its users match one [`ErrorKind`], and
//! this crate knows none of those kinds.
//!
//! This module is the type and what users read of it. How errors are made
//! (from a status, a `reqwest` error, a generated call's error, ...) is in
//! [`convert`]: the runtime's and the facades' business, not users'.

pub mod convert;

use std::fmt;
use std::time::Duration;

/// A convenient alias for `Result<T, Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in terms a caller can branch on. `A` is the facade's own
/// kinds ([`ErrorKind::Api`]); each facade re-exports this type with its `A`
/// filled in.
///
/// `#[non_exhaustive]`: match the kinds you handle and keep a `_` arm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind<A = NoApiKind> {
    /// The resource does not exist (HTTP 404 or 410).
    NotFound,
    /// The resource already exists (HTTP 409; a facade may recognise other
    /// answers that mean a duplicate, and says so in its docs).
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
    /// The input was refused locally, before anything was sent.
    InvalidInput,
    /// The client configuration is unusable (missing token, insecure base URL, ...).
    Configuration,
    /// Any other HTTP status the API does not describe; see [`Error::status`].
    UnexpectedStatus,
    /// A condition particular to this facade's API (its own enum, listed in
    /// its README).
    Api(A),
}

/// The kinds one API adds to the neutral ones: a facade's own enum, carried
/// in [`ErrorKind::Api`]. Its `Display` is the few words an error's message
/// starts with (`"file changed during the transfer"`).
pub trait ApiKind: fmt::Debug + fmt::Display + Clone + Eq + Send + Sync + 'static {}

/// No kinds beyond the neutral ones: the runtime's own errors (a bad
/// configuration, ...), which convert into any facade's error with `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoApiKind {}

impl fmt::Display for NoApiKind {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

impl<A: fmt::Display> fmt::Display for ErrorKind<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = match self {
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
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Configuration => "invalid configuration",
            ErrorKind::UnexpectedStatus => "unexpected status",
            ErrorKind::Api(kind) => return kind.fmt(f),
        };
        f.write_str(words)
    }
}

/// An error of an API client; `A` is the facade's own kinds (see
/// [`ErrorKind::Api`]).
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
pub struct Error<A = NoApiKind> {
    inner: Box<Inner<A>>,
}

struct Inner<A> {
    kind: ErrorKind<A>,
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

impl<A> Error<A> {
    /// The kind of failure, to branch on.
    pub fn kind(&self) -> &ErrorKind<A> {
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
        matches!(self.inner.kind, ErrorKind::NotFound)
    }

    /// True for [`ErrorKind::AlreadyExists`].
    pub fn is_already_exists(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::AlreadyExists)
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
        matches!(self.inner.kind, ErrorKind::Transport) && !self.inner.sent
    }
}

/// The runtime's own errors (a bad configuration, a base URL refused, ...)
/// become any facade's error with `?`.
impl<A: ApiKind> From<Error> for Error<A> {
    fn from(e: Error) -> Self {
        let Inner {
            kind,
            message,
            code,
            status,
            operation,
            lost_answer,
            retry_after,
            sent,
            source,
        } = *e.inner;
        let kind = match kind {
            ErrorKind::NotFound => ErrorKind::NotFound,
            ErrorKind::AlreadyExists => ErrorKind::AlreadyExists,
            ErrorKind::Unauthorized => ErrorKind::Unauthorized,
            ErrorKind::Forbidden => ErrorKind::Forbidden,
            ErrorKind::BadRequest => ErrorKind::BadRequest,
            ErrorKind::RateLimited { retry_after } => ErrorKind::RateLimited { retry_after },
            ErrorKind::Server => ErrorKind::Server,
            ErrorKind::Timeout => ErrorKind::Timeout,
            ErrorKind::Transport => ErrorKind::Transport,
            ErrorKind::Decode { excerpt } => ErrorKind::Decode { excerpt },
            ErrorKind::BodyTooLarge { limit } => ErrorKind::BodyTooLarge { limit },
            ErrorKind::Redirected { location } => ErrorKind::Redirected { location },
            ErrorKind::InvalidInput => ErrorKind::InvalidInput,
            ErrorKind::Configuration => ErrorKind::Configuration,
            ErrorKind::UnexpectedStatus => ErrorKind::UnexpectedStatus,
            ErrorKind::Api(never) => match never {},
        };
        Error {
            inner: Box::new(Inner {
                kind,
                message,
                code,
                status,
                operation,
                lost_answer,
                retry_after,
                sent,
                source,
            }),
        }
    }
}

impl<A: fmt::Display> fmt::Display for Error<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.inner.operation {
            write!(f, "{op}: ")?;
        }
        write!(f, "{}", self.inner.kind)?;
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

impl<A: fmt::Debug> fmt::Debug for Error<A> {
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

impl<A: fmt::Debug + fmt::Display> std::error::Error for Error<A> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}
