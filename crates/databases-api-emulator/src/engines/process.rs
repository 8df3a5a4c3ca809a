//! An engine's server process, supervised: started in a process group of its
//! own (so a signal reaches the server and every child it forks), watched by
//! a task that records its exit the moment it happens (so a database whose
//! server died can move to `error`), stopped gracefully on request, and
//! killed when dropped, which also happens while a panicking test unwinds.

use std::fmt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::sync::watch;

use crate::credentials::Engine;
use crate::engines::error::EngineError;
pub use crate::engines::procfs::runs;
use crate::engines::{leftovers, spawn};

/// How a server process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    /// Its exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
}

impl From<ExitStatus> for Exit {
    fn from(status: ExitStatus) -> Self {
        Exit {
            code: status.code(),
            signal: status.signal(),
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit code {code}"),
            (None, Some(signal)) => match Signal::try_from(signal) {
                Ok(s) => write!(f, "killed by {s}"),
                Err(_) => write!(f, "killed by signal {signal}"),
            },
            (None, None) => f.write_str("ended, status unknown"),
        }
    }
}

/// A running server process and its process group.
#[derive(Debug)]
pub struct Process {
    engine: Engine,
    pid: u32,
    exit: watch::Receiver<Option<Exit>>,
    stop_signal: Signal,
    kill_signal: Signal,
}

impl Process {
    /// Starts `command` (made by [`command`](crate::engines::spawn::command),
    /// so that it dies with the emulator) in a new process group, its output
    /// appended to `log`, and records it beside the log (see `leftovers`).
    /// `signals.0` shuts the server down cleanly and quickly (PostgreSQL's is
    /// SIGINT; SIGTERM would wait for clients); `signals.1` ends it at once
    /// when it is dropped (see [`Process::kill`]).
    pub(crate) async fn spawn(
        engine: Engine,
        mut command: tokio::process::Command,
        log: &Path,
        (stop_signal, kill_signal): (Signal, Signal),
    ) -> Result<Process, EngineError> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| EngineError::io("opening the log", log, e))?;
        let err = out
            .try_clone()
            .map_err(|e| EngineError::io("opening the log", log, e))?;
        command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let program = spawn::program_of(&command);
        let mut child = spawn::spawn(command)
            .await
            .map_err(|source| EngineError::Spawn { program, source })?;
        let pid = child.id().unwrap_or_default();
        let (tx, exit) = watch::channel(None);
        if let Some(dir) = log.parent()
            && let Err(e) = leftovers::record(dir, pid)
        {
            // It still dies with the emulator (or when this is dropped).
            tracing::warn!(%engine, pid, "cannot record the process for removal after a crash: {e}");
        }
        tokio::spawn(async move {
            let exit = match child.wait().await {
                Ok(status) => Exit::from(status),
                Err(_) => Exit {
                    code: None,
                    signal: None,
                },
            };
            tx.send_replace(Some(exit));
        });
        Ok(Process {
            engine,
            pid,
            exit,
            stop_signal,
            kill_signal,
        })
    }

    /// The server's process id (also its process group id).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// How it ended, or `None` while it runs.
    pub fn exit(&self) -> Option<Exit> {
        *self.exit.borrow()
    }

    /// Waits until it ends.
    pub async fn exited(&self) -> Exit {
        let mut exit = self.exit.clone();
        match exit.wait_for(Option::is_some).await {
            Ok(ended) => ended.unwrap_or(UNKNOWN),
            // The watching task is gone with its runtime: nothing watches it any more.
            Err(_) => UNKNOWN,
        }
    }

    /// Shuts the server down: its stop signal, up to `grace` to exit, then
    /// SIGKILL to the whole group.
    pub async fn stop(&self, grace: Duration) -> Result<Exit, EngineError> {
        if let Some(exit) = self.exit() {
            return Ok(exit);
        }
        self.signal(self.stop_signal)?;
        if let Ok(exit) = tokio::time::timeout(grace, self.exited()).await {
            return Ok(exit);
        }
        self.signal(Signal::SIGKILL)?;
        Ok(tokio::time::timeout(KILL_WAIT, self.exited())
            .await
            .unwrap_or(UNKNOWN))
    }

    /// Sends `signal` to the process group; a group that is already gone is
    /// not an error.
    pub fn signal(&self, signal: Signal) -> Result<(), EngineError> {
        let Some(pgid) = self.pgid() else {
            return Ok(());
        };
        match killpg(pgid, signal) {
            Ok(()) | Err(nix::Error::ESRCH) => Ok(()),
            Err(source) => Err(EngineError::Signal {
                engine: self.engine,
                pgid: pgid.as_raw(),
                source,
            }),
        }
    }

    /// Sends the kill signal without waiting (see [`Process::kill`]), unless
    /// the server is known to have ended.
    pub(crate) fn signal_kill(&self) {
        if self.exit().is_none() {
            let _ = self.signal(self.kill_signal);
        }
    }

    /// Ends the server at once, unless it is known to have ended (then its
    /// group id may already belong to someone else). With SIGKILL, the group
    /// dies. PostgreSQL's children leave the postmaster's group, so it is sent
    /// SIGQUIT instead (immediate shutdown: it kills its children and exits),
    /// and waited for briefly before SIGKILL. This blocks (it runs in `Drop`),
    /// for milliseconds in practice.
    pub fn kill(&self) {
        if self.exit().is_some() {
            return;
        }
        let Some(pgid) = self.pgid() else {
            return;
        };
        let _ = killpg(pgid, self.kill_signal);
        if self.kill_signal == Signal::SIGKILL {
            return;
        }
        let deadline = std::time::Instant::now() + KILL_WAIT;
        while std::time::Instant::now() < deadline {
            if !runs(self.pid) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = killpg(pgid, Signal::SIGKILL);
    }

    /// The process group to signal; never 0 (which would be the emulator's
    /// own group: a child whose pid could not be read) nor a pid that does not
    /// fit.
    fn pgid(&self) -> Option<Pid> {
        i32::try_from(self.pid)
            .ok()
            .filter(|pid| *pid > 0)
            .map(Pid::from_raw)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

const UNKNOWN: Exit = Exit {
    code: None,
    signal: None,
};

/// How long a SIGKILLed group gets to be reaped before `stop` gives up waiting.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// The last `max` bytes of a log, with every secret replaced, for error
/// messages. Engines do not log passwords, but a failing statement might be
/// echoed; redacting here makes that harmless.
pub fn log_tail(log: &Path, secrets: &[&str]) -> String {
    const MAX: usize = 2000;
    let bytes = std::fs::read(log).unwrap_or_default();
    let start = bytes.len().saturating_sub(MAX);
    let mut text = String::from_utf8_lossy(&bytes[start..]).into_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "[redacted]");
    }
    text.trim_end().to_string()
}

/// A free TCP port on `address` (the address a server is reached at), as
/// the kernel picks it. The port is free when this returns; a server that
/// loses it to someone else before binding exits, and its start is tried
/// again on another port.
pub fn free_port(address: std::net::IpAddr) -> Result<u16, EngineError> {
    let listener = std::net::TcpListener::bind((address, 0))
        .map_err(|e| EngineError::io("finding a free port on", address.to_string(), e))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| EngineError::io("finding a free port on", address.to_string(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERM_KILL: (Signal, Signal) = (Signal::SIGTERM, Signal::SIGKILL);

    #[tokio::test]
    async fn notices_exit_and_kills_its_group_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        // A leader that forks a child of its own: both are in the group.
        let mut cmd = spawn::command(Path::new("/bin/sh"));
        cmd.arg("-c").arg("sleep 600 & echo child $!; wait");
        let process = Process::spawn(Engine::Redis, cmd, &log, TERM_KILL)
            .await
            .unwrap();
        assert_eq!(process.exit(), None);
        let pid = process.pid();
        let child_pid = wait_for_child(&log).await;
        drop(process);
        for pid in [pid, child_pid] {
            assert!(gone(pid).await, "process {pid} outlived the drop");
        }

        let mut cmd = spawn::command(Path::new("/bin/sh"));
        cmd.arg("-c").arg("exit 3");
        let process = Process::spawn(Engine::Redis, cmd, &log, TERM_KILL)
            .await
            .unwrap();
        let exit = process.exited().await;
        assert_eq!(exit.code, Some(3));
        assert_eq!(process.exit(), Some(exit));
        assert_eq!(exit.to_string(), "exit code 3");
    }

    #[tokio::test]
    async fn stop_escalates_to_sigkill() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let mut cmd = spawn::command(Path::new("/bin/sh"));
        // Ignores SIGTERM, so only SIGKILL ends it.
        cmd.arg("-c")
            .arg("trap '' TERM; echo ready; while :; do sleep 1; done");
        let process = Process::spawn(Engine::Redis, cmd, &log, TERM_KILL)
            .await
            .unwrap();
        while !std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("ready")
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let exit = process.stop(Duration::from_millis(300)).await.unwrap();
        assert_eq!(exit.signal, Some(Signal::SIGKILL as i32), "{exit}");
    }

    #[test]
    fn log_tails_are_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        std::fs::write(&log, "ERROR: CREATE USER x IDENTIFIED BY 'pw-123456'\n").unwrap();
        let tail = log_tail(&log, &["pw-123456"]);
        assert_eq!(tail, "ERROR: CREATE USER x IDENTIFIED BY '[redacted]'");
    }

    async fn wait_for_child(log: &Path) -> u32 {
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some(pid) = text
                .strip_prefix("child ")
                .and_then(|t| t.trim().parse().ok())
            {
                return pid;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Whether `pid` stops running within 5 s.
    async fn gone(pid: u32) -> bool {
        for _ in 0..250 {
            if !runs(pid) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }
}
