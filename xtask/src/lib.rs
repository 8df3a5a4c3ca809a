//! The maintainers' tooling behind `cargo xtask`, as a library so that the
//! drift tests in `tests/` can run the very same pipeline in-process.
//!
//! The pipeline, in the order a spec goes through it:
//! [`manifest`] says which spec generates which crate, and refuses a vendored
//! spec whose sha256 changed; [`patches`] applies the normalisations and
//! overlays, strictly; [`plan`] judges every patch action and the
//! operationIds ([`names`]) at once, each problem a [`blockers::Blocker`]
//! with its fix; [`generate`] runs [`progenitor`] on the effective spec (asking
//! it about each operation alone when it fails) and [`rewrite`] finishes its
//! output; [`check`] compares the files with what is committed; `cargo xtask
//! diff` is the `spec-diff` crate on two specs; [`update`] vendors a new
//! upstream version through all of it. [`surface`] describes the API surface
//! for the schema-drift snapshots; [`openapi`] and [`spec_file`] read
//! documents.
#![forbid(unsafe_code)]

pub mod blockers;
pub mod check;
pub mod error;
pub mod generate;
pub mod manifest;
pub mod names;
pub mod openapi;
pub mod patches;
pub mod plan;
pub mod progenitor;
pub mod rewrite;
pub mod spec_file;
pub mod surface;
pub mod update;

pub use error::{Error, Result};

use std::path::{Path, PathBuf};

/// The workspace this crate was built in: the parent of the xtask crate's
/// directory. Only for code compiled inside the workspace (its tests and
/// benches); the `cargo xtask` command acts on the workspace it is run in
/// (see [`manifest::Workspace::discover`]).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the xtask crate lives one level below the workspace root")
        .to_path_buf()
}
