//! The maintainers' tooling behind `cargo xtask`, as a library so that the
//! drift tests in `tests/` can run the very same pipeline in-process.
//!
//! The pipeline, one module a step:
//! [`manifest`] says which spec generates which crate;
//! [`provenance`] refuses a vendored spec whose sha256 changed;
//! [`normalise`] and [`overlay`] turn the upstream document into the
//! effective spec; [`generate`] runs progenitor on it and renders the files;
//! [`check`] compares them with what is committed; [`surface`] describes the
//! API surface for the schema-drift snapshots.
//!
//! Before generating, [`plan`] checks a spec as patched, all at once: patch
//! actions that no longer apply ([`retarget`] tells a moved target from a
//! fixed defect) and operationIds ([`operation_ids`]), each a
//! [`blockers::Blocker`] with its fix; what progenitor itself cannot take is
//! what it says when each operation is generated alone
//! ([`generate::diagnose`]). [`update`] vendors new upstream versions with it.
#![forbid(unsafe_code)]

pub mod blockers;
pub mod check;
pub mod error;
pub mod generate;
pub mod manifest;
pub mod normalise;
pub mod openapi;
pub mod operation_ids;
pub mod overlay;
pub mod plan;
pub mod provenance;
pub mod retarget;
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
