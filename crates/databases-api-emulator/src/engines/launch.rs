//! Starting a server until it accepts connections: on a free port, watching
//! for an early exit (tried again on another port, in case another program
//! took the port first) and for a time limit, probing with the engine's own
//! protocol rather than a bare TCP connect, which a server accepts before it
//! can serve.

use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::credentials::Engine;
use crate::engines::error::EngineError;
use crate::engines::process::{Process, free_port, log_tail};

/// How many times a server that exits while starting is started again.
const ATTEMPTS: u32 = 3;
/// How long a server gets to accept connections (MariaDB and PostgreSQL
/// take a few seconds on a busy two-core machine).
const READY_WITHIN: Duration = Duration::from_secs(60);
/// How long a setup step (`initdb`, `mariadb-install-db`, PostgreSQL's
/// `CREATE DATABASE`) may take by default: a few seconds is usual, a minute
/// on a slow, busy machine.
pub(crate) const STEP_WITHIN: Duration = Duration::from_secs(120);
/// The pause between two probes.
const PROBE_EVERY: Duration = Duration::from_millis(100);

/// What is needed to start one engine's server.
pub(crate) struct Launch<'a> {
    /// The engine.
    pub engine: Engine,
    /// The log its output goes to.
    pub log: &'a Path,
    /// Secrets to redact from log excerpts in errors.
    pub secrets: &'a [&'a str],
    /// The signals that shut it down cleanly, and at once (see
    /// [`Process::spawn`]).
    pub signals: (Signal, Signal),
    /// The address the emulator reaches the server at (see
    /// [`Network::probe`](crate::engines::Network::probe)).
    pub probe: IpAddr,
    /// How long each setup step may take (see [`STEP_WITHIN`]).
    pub step_within: Duration,
}

impl Launch<'_> {
    /// Starts `command(port)` on a free port until `probe(port)` says the
    /// server serves; the running process and its port.
    pub async fn until_ready<C, P, F>(
        &self,
        mut command: C,
        mut probe: P,
    ) -> Result<(Process, u16), EngineError>
    where
        C: FnMut(u16) -> tokio::process::Command,
        P: FnMut(u16) -> F,
        F: Future<Output = bool>,
    {
        let mut attempt = 1;
        loop {
            let port = free_port(self.probe)?;
            let process =
                Process::spawn(self.engine, command(port), self.log, self.signals).await?;
            let deadline = Instant::now() + READY_WITHIN;
            let failure = loop {
                if let Some(exit) = process.exit() {
                    break EngineError::ExitedEarly {
                        engine: self.engine,
                        status: exit.to_string(),
                        log_tail: log_tail(self.log, self.secrets),
                    };
                }
                if probe(port).await {
                    return Ok((process, port));
                }
                if Instant::now() >= deadline {
                    // Dropping `process` kills it.
                    return Err(EngineError::NotReady {
                        engine: self.engine,
                        seconds: READY_WITHIN.as_secs(),
                        log_tail: log_tail(self.log, self.secrets),
                    });
                }
                tokio::time::sleep(PROBE_EVERY).await;
            };
            if attempt == ATTEMPTS {
                return Err(failure);
            }
            tracing::debug!(engine = %self.engine, attempt, error = %failure, "server exited while starting; trying another port");
            attempt += 1;
        }
    }
}

/// Runs a setup program (`initdb`, `mariadb-install-db`) to completion, its
/// output appended to `log`, within the launch's `step_within`: one that
/// hangs is killed (with its process group) and its start fails.
pub(crate) async fn run_step(
    launch: &Launch<'_>,
    step: &'static str,
    command: tokio::process::Command,
) -> Result<(), EngineError> {
    let process = Process::spawn(
        launch.engine,
        command,
        launch.log,
        (Signal::SIGTERM, Signal::SIGKILL),
    )
    .await?;
    let Ok(exit) = tokio::time::timeout(launch.step_within, process.exited()).await else {
        // Dropping `process` kills its group.
        drop(process);
        return Err(EngineError::TimedOut {
            engine: launch.engine,
            step,
            seconds: launch.step_within.as_secs_f64(),
            log_tail: log_tail(launch.log, launch.secrets),
        });
    };
    if exit.code == Some(0) {
        Ok(())
    } else {
        Err(EngineError::SetupFailed {
            engine: launch.engine,
            step,
            status: exit.to_string(),
            log_tail: log_tail(launch.log, launch.secrets),
        })
    }
}
