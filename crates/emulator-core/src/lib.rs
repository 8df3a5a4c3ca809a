//! What every emulator of an HTTP API in this workspace shares, with no
//! knowledge of any one API:
//!
//! - [`http`] and [`serve`]: the accept loop (hyper, with a header-read
//!   timeout and JSON bodies on the HTTP layer's own 400/414/431 answers),
//!   JSON answers, and fault injection (statuses, latency, dropped
//!   connections, lost answers);
//! - [`faults`]: deterministic fault plans, parsed from `--fault` specs;
//! - [`validate`]: request and response bodies checked against an OpenAPI 3.0
//!   document;
//! - [`routes`]: an axum router built from the document's operations;
//! - [`store`]: a durable `(kind, key) → JSON` row store in one SQLite file,
//!   with its exclusive directory lock;
//! - [`error`]: the `{"error": "..."}` answer;
//! - [`logging`]: `RUST_LOG` logging for the binaries, and the record of spec
//!   violations;
//! - [`auth`]: reading a bearer token;
//! - [`harness`] and [`cli`]: the settings, listener and command line every
//!   emulator's builder and binary share.
//!
//! An emulator supplies its world (state, operations, authentication rules)
//! and plugs it into these.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod cli;
pub mod error;
pub mod faults;
pub mod harness;
pub mod http;
pub mod logging;
pub mod routes;
pub mod serve;
pub mod store;
pub mod validate;

mod deadline;
mod error_bodies;
mod respond;

pub use error::ApiError;
pub use faults::{Fault, FaultParseError, FaultPlan};
