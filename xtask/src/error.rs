//! The one error type of the xtask: every failure says which file, patch or
//! step is at fault, so a maintainer knows where to look.

use std::path::PathBuf;

/// Result alias used across the xtask.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop generation or checking.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// A file could not be parsed.
    #[error("{path}: cannot parse: {message}")]
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// The vendored spec no longer matches its recorded provenance.
    #[error(
        "{path}: sha256 is {actual} but its provenance records {expected}; the vendored \
         spec must stay byte-for-byte as upstream published it (put fixes in spec/patches/, \
         vendor new versions with `cargo xtask update-spec FILE`)"
    )]
    ProvenanceMismatch {
        /// The vendored spec.
        path: PathBuf,
        /// The sha256 recorded in the provenance file.
        expected: String,
        /// The sha256 of the file on disk.
        actual: String,
    },
    /// An overlay action or normalisation step no longer applies.
    #[error("patch `{patch}`, {step}: {message}")]
    Patch {
        /// The overlay file or normalisation name.
        patch: String,
        /// Which action or step (with its description).
        step: String,
        /// What went wrong.
        message: String,
    },
    /// The effective spec cannot be turned into a client.
    #[error("cannot generate `{api}`: {message}")]
    Generate {
        /// The API named in the manifest.
        api: String,
        /// What went wrong, and the way forward where known.
        message: String,
    },
    /// The spec, as patched, cannot generate a working client: every
    /// problem found, each with its operation, location and fix.
    #[error("cannot generate `{api}`: {}", crate::blockers::render(blockers))]
    Blocked {
        /// The API named in the manifest.
        api: String,
        /// Everything to fix.
        blockers: Vec<crate::blockers::Blocker>,
    },
    /// No workspace was found to act on.
    #[error(
        "no workspace found: neither {} nor any directory above it holds `spec/apis.toml` next \
         to a `Cargo.toml`; run the xtask inside the workspace, or name it with `--workspace DIR` \
         (or the XTASK_WORKSPACE environment variable)",
        start.display()
    )]
    NoWorkspace {
        /// Where the search started.
        start: PathBuf,
    },
    /// Committed files differ from what generation produces.
    #[error("{0}")]
    Stale(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parse(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        Error::Parse {
            path: path.into(),
            message: message.to_string(),
        }
    }
}
