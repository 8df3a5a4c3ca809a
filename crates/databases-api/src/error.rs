//! The facade's error: the runtime's [`sdk_runtime::Error`] with this API's
//! own kinds ([`ApiErrorKind`], in [`ErrorKind::Api`]), and the
//! constructors the modules use (thin wrappers over
//! `sdk_runtime::convert`, typed for this facade).

use std::fmt;

/// The error of every call of this crate.
pub type Error = sdk_runtime::Error<ApiErrorKind>;

/// What went wrong: the runtime's API-neutral kinds, and this API's own in
/// [`ErrorKind::Api`]. See the README's table for when each happens.
pub type ErrorKind = sdk_runtime::ErrorKind<ApiErrorKind>;

/// `Result<T, Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The Databases API's own kinds of failure, in [`ErrorKind::Api`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// The database is not in a state that allows the call, or reached a
    /// state a wait cannot leave: credentials asked of a database that is
    /// not running (the service's 409, which here is not a duplicate), or a
    /// database that failed or was destroyed while the client waited for it
    /// to run.
    InvalidState {
        /// The database's status, when the client knows it (`"error"`,
        /// `"destroyed"`, `"provisioning"`, ...).
        state: Option<String>,
    },
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiErrorKind::InvalidState { .. } => f.write_str("invalid state"),
        }
    }
}

impl sdk_runtime::ApiKind for ApiErrorKind {}

/// An error of `kind` with a message.
pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
    sdk_runtime::convert::new(kind, message)
}

/// An input refused before anything was sent.
pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
    sdk_runtime::convert::invalid_input(message)
}

/// [`ApiErrorKind::InvalidState`] in `state`.
pub(crate) fn invalid_state(state: Option<String>) -> ErrorKind {
    ErrorKind::Api(ApiErrorKind::InvalidState { state })
}

pub(crate) use sdk_runtime::convert::{with_kind, with_operation, withhold_answer};
