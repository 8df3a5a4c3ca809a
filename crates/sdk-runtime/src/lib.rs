#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod body;
mod builder;
mod call;
pub mod config;
mod deleted;
mod ensured;
mod error;
mod headers;
pub mod http;
pub mod retry;
mod secret;
pub mod tolerant;
mod transport;
pub mod wait;

pub use body::error_body;
pub use call::{answer_tolerant, call};
pub use deleted::Deleted;
#[doc(hidden)]
pub use deleted::deleted_after_lost_answer;
pub use ensured::Ensured;
pub use error::convert::ErrorPayload;
pub use error::{ApiKind, Error, ErrorKind, NoApiKind, Result};
pub use retry::{Idempotency, RetryPolicy};
pub use secret::{Token, redact_tokens};
pub use transport::Transport;

/// How errors are made (from a status, a `reqwest` error, a generated
/// call's error) and changed (the operation, the kind, the message): for the
/// runtime and the facades, not part of the API users are promised, so kept
/// off the docs. See the module's own documentation in the source.
#[doc(hidden)]
pub use error::convert;
