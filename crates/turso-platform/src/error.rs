//! The facade's error: the runtime's [`sdk_runtime::Error`] with this API's
//! own kinds ([`ApiErrorKind`], in [`ErrorKind::Api`]); the rules of this
//! API the runtime does not know (a 400 saying "already exists" is a
//! duplicate; a file that changed while it was sent); and the constructors
//! the modules use (thin wrappers over `sdk_runtime::convert`, typed for
//! this facade: the upload code calls [`from_reqwest`], [`from_status`] and
//! [`file_changed`]).

use std::fmt;
use std::time::Duration;

pub(crate) use sdk_runtime::convert::{with_message, with_operation, with_source, withhold_answer};

/// The error of every call of this crate.
pub type Error = sdk_runtime::Error<ApiErrorKind>;

/// What went wrong: the runtime's API-neutral kinds, and this API's own in
/// [`ErrorKind::Api`]. See the README's table for when each happens.
pub type ErrorKind = sdk_runtime::ErrorKind<ApiErrorKind>;

/// `Result<T, Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The Turso Platform API's own kinds of failure, in [`ErrorKind::Api`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// A local file changed (grew, shrank, was rewritten) while an upload
    /// sent it; nothing of it was kept.
    FileChanged,
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiErrorKind::FileChanged => f.write_str("file changed during the transfer"),
        }
    }
}

impl sdk_runtime::ApiKind for ApiErrorKind {}

/// The error a request body's stream ends with when the file it reads
/// changed while it was being sent (see [`from_reqwest`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileChanged {
    /// What changed.
    pub(crate) detail: String,
}

impl fmt::Display for FileChanged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the file changed while it was being sent: {}",
            self.detail
        )
    }
}

impl std::error::Error for FileChanged {}

/// An error of `kind` with a message.
pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
    sdk_runtime::convert::new(kind, message)
}

/// An unusable configuration.
pub(crate) fn configuration(message: impl Into<String>) -> Error {
    sdk_runtime::convert::configuration(message)
}

/// An input refused before anything was sent.
pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
    sdk_runtime::convert::invalid_input(message)
}

/// [`ApiErrorKind::FileChanged`] for `operation`.
pub(crate) fn file_changed(changed: &FileChanged, operation: &'static str) -> Error {
    let e = new(
        ErrorKind::Api(ApiErrorKind::FileChanged),
        changed.to_string(),
    );
    with_operation(e, operation)
}

/// Converts a `reqwest` error: a request body that ended with
/// [`FileChanged`] is [`ApiErrorKind::FileChanged`], anything else as the
/// runtime converts it.
pub(crate) fn from_reqwest(err: reqwest::Error, operation: &'static str) -> Error {
    if let Some(changed) = sdk_runtime::convert::find_source::<FileChanged>(&err) {
        return file_changed(changed, operation);
    }
    with_operation(sdk_runtime::convert::from_reqwest(err), operation)
}

/// The error of an answer with error status `status` and body `body`, with
/// this API's rules ([`turso_rules`]).
pub(crate) fn from_status(status: u16, body: &[u8], retry_after: Option<Duration>) -> Error {
    turso_rules(sdk_runtime::convert::from_status(status, body, retry_after))
}

/// What the Turso service means beyond its statuses: a 400 whose message
/// says "... already exists" is how it reports a duplicate (a database of
/// that name), so it is [`ErrorKind::AlreadyExists`].
pub(crate) fn turso_rules(e: Error) -> Error {
    let duplicate = e.status() == Some(400)
        && e.message()
            .is_some_and(|m| m.to_ascii_lowercase().contains("already exists"));
    if duplicate {
        sdk_runtime::convert::with_kind(e, ErrorKind::AlreadyExists)
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_400_saying_already_exists_is_a_duplicate() {
        let e = from_status(
            400,
            br#"{"error":"database with same name already exists"}"#,
            None,
        );
        assert!(e.is_already_exists());
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.message(), Some("database with same name already exists"));
        let e = from_status(400, br#"{"error":"bad name"}"#, None);
        assert_eq!(e.kind(), &ErrorKind::BadRequest);
        assert!(from_status(409, b"", None).is_already_exists());
    }

    #[test]
    fn file_changed_is_this_apis_kind() {
        let changed = FileChanged {
            detail: "it grew".into(),
        };
        let e = file_changed(&changed, "uploadDatabase");
        assert_eq!(e.kind(), &ErrorKind::Api(ApiErrorKind::FileChanged));
        assert_eq!(
            e.to_string(),
            "uploadDatabase: file changed during the transfer: \
             the file changed while it was being sent: it grew"
        );
    }
}
