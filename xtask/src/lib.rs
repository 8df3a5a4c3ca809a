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
#![forbid(unsafe_code)]

pub mod check;
pub mod error;
pub mod evolve;
pub mod generate;
pub mod manifest;
pub mod normalise;
pub mod overlay;
pub mod provenance;
pub mod spec_file;
pub mod surface;

pub use error::{Error, Result};

use std::path::{Path, PathBuf};

/// The workspace root: the parent of the xtask crate's own directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the xtask crate lives one level below the workspace root")
        .to_path_buf()
}
