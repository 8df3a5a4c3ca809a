//! What can go wrong while starting, watching or stopping an engine. Every
//! message names the engine and what to do; none carries a password (the
//! engines' log excerpts are redacted before they get here).

use std::path::PathBuf;

use crate::credentials::Engine;

/// An error of the engine layer.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A setup value (database name, user name, password) the engines cannot
    /// take safely.
    #[error("invalid {field}: {reason}")]
    InvalidSetup {
        /// Which value.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The engine's programs are not installed, so it cannot run for real.
    #[error("{engine} cannot run for real: {reason}")]
    Unavailable {
        /// The engine.
        engine: Engine,
        /// What is missing.
        reason: String,
    },
    /// Running as root, but no unprivileged account to run the engine as.
    #[error(
        "{engine} refuses to run as root and there is no unprivileged account to run it as \
         (looked for `{wanted}` and `nobody`)"
    )]
    NoUnprivilegedAccount {
        /// The engine.
        engine: Engine,
        /// The account looked for first.
        wanted: &'static str,
    },
    /// A file or directory operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A program could not be started at all.
    #[error("cannot start {}: {source}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A setup step (`initdb`, `mariadb-install-db`, ...) failed.
    #[error("{engine}: {step} failed ({status}); its output ends with:\n{log_tail}")]
    SetupFailed {
        /// The engine.
        engine: Engine,
        /// The step.
        step: &'static str,
        /// How it ended.
        status: String,
        /// The end of its output, passwords redacted.
        log_tail: String,
    },
    /// A setup step (`initdb`, `mariadb-install-db`, `CREATE DATABASE`) did
    /// not finish in time; it was stopped.
    #[error(
        "{engine}: {step} did not finish within {seconds:.1} s; its output ends with:\n{log_tail}"
    )]
    TimedOut {
        /// The engine.
        engine: Engine,
        /// The step.
        step: &'static str,
        /// The limit, in seconds.
        seconds: f64,
        /// The end of its output, passwords redacted.
        log_tail: String,
    },
    /// The server exited before it accepted connections.
    #[error(
        "{engine}: the server exited before accepting connections ({status}); its log ends with:\n{log_tail}"
    )]
    ExitedEarly {
        /// The engine.
        engine: Engine,
        /// How it ended.
        status: String,
        /// The end of its log, passwords redacted.
        log_tail: String,
    },
    /// The server did not accept connections in time.
    #[error(
        "{engine}: the server did not accept connections within {seconds} s; its log ends with:\n{log_tail}"
    )]
    NotReady {
        /// The engine.
        engine: Engine,
        /// The limit.
        seconds: u64,
        /// The end of its log, passwords redacted.
        log_tail: String,
    },
    /// The server ran but its preparation (creating the database) failed.
    #[error("{engine}: preparing the server failed: {message}")]
    Prepare {
        /// The engine.
        engine: Engine,
        /// What the server said.
        message: String,
    },
    /// Sending a signal to the engine's process group failed.
    #[error("cannot signal the {engine} server (process group {pgid}): {source}")]
    Signal {
        /// The engine.
        engine: Engine,
        /// The process group.
        pgid: i32,
        /// The cause.
        #[source]
        source: nix::Error,
    },
}

impl EngineError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        EngineError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
