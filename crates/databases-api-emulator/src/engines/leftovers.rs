//! What a crashed emulator leaves behind, and its removal by the next start.
//!
//! Every `Engines` directory (`databases-api-engines-*` in the temporary
//! directory) holds an `owner` file naming the emulator process, and every
//! instance directory in it a `processes` file naming each process started
//! there. A process is named by its [`Identity`]: boot, pid and start time,
//! so a pid the kernel has since given to another program is never
//! signalled (and a pid of 0, which would mean "my own process group",
//! never is either).
//!
//! [`sweep`] runs when `Engines` is created: for each such directory whose
//! owner no longer runs, it SIGKILLs the process groups still running under
//! their recorded identity, then removes the directory. Directories of
//! emulators that still run are left alone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::engines::procfs::{boot_id, runs, start_time};

/// The prefix of an `Engines` directory's name.
pub(crate) const ROOT_PREFIX: &str = "databases-api-engines-";
/// The file naming the emulator that owns an `Engines` directory.
const OWNER: &str = "owner";
/// The file naming the processes started in an instance directory.
const PROCESSES: &str = "processes";

/// A process, told apart from any later one that gets the same pid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    boot: String,
    pid: u32,
    start: u64,
}

impl Identity {
    /// The identity of the running process `pid`, read from `/proc`.
    pub(crate) fn of(pid: u32) -> Option<Identity> {
        if pid == 0 {
            return None;
        }
        Some(Identity {
            boot: boot_id()?,
            pid,
            start: start_time(pid)?,
        })
    }

    /// Whether the process still runs (the same one: same boot, same start
    /// time).
    fn runs(&self) -> bool {
        self.pid != 0
            && boot_id().as_deref() == Some(self.boot.as_str())
            && start_time(self.pid) == Some(self.start)
            && runs(self.pid)
    }

    fn line(&self) -> String {
        format!("{} {} {}\n", self.boot, self.pid, self.start)
    }

    fn parse(line: &str) -> Option<Identity> {
        let mut parts = line.split_whitespace();
        let identity = Identity {
            boot: parts.next()?.to_string(),
            pid: parts.next()?.parse().ok()?,
            start: parts.next()?.parse().ok()?,
        };
        (identity.pid != 0).then_some(identity)
    }
}

/// Names this process as the owner of the `Engines` directory `root`.
pub(crate) fn write_owner(root: &Path) -> std::io::Result<()> {
    let me = Identity::of(std::process::id())
        .ok_or_else(|| std::io::Error::other("cannot read this process's identity in /proc"))?;
    std::fs::write(root.join(OWNER), me.line())
}

/// Records process `pid`, just started in the instance directory `dir`.
pub(crate) fn record(dir: &Path, pid: u32) -> std::io::Result<()> {
    let identity = Identity::of(pid)
        .ok_or_else(|| std::io::Error::other(format!("cannot read process {pid} in /proc")))?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(PROCESSES))?
        .write_all(identity.line().as_bytes())
}

/// What the sweep of a new `Engines` removed (see [`Engines::swept`](crate::engines::Engines::swept)).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// The `Engines` directories removed.
    pub directories: Vec<PathBuf>,
    /// The processes (by pid) that still ran and were killed.
    pub killed: Vec<u32>,
}

/// Kills and removes what emulators that no longer run left in `parent`.
/// Errors (a directory of another user) are logged and skipped: a leftover
/// must not stop an emulator from starting.
pub(crate) fn sweep(parent: &Path) -> Swept {
    let mut swept = Swept::default();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return swept;
    };
    for entry in entries.flatten() {
        let root = entry.path();
        let is_root = entry.file_name().to_string_lossy().starts_with(ROOT_PREFIX)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_root || !abandoned(&root) {
            continue;
        }
        let killed = kill_recorded(&root);
        match std::fs::remove_dir_all(&root) {
            Ok(()) => {
                tracing::info!(directory = %root.display(), processes = ?killed, "removed what an emulator that ended without stopping its engines left behind");
                swept.directories.push(root);
            }
            Err(e) => {
                tracing::warn!(directory = %root.display(), "cannot remove what an emulator that ended without stopping its engines left behind: {e}");
            }
        }
        swept.killed.extend(killed);
    }
    swept
}

/// Whether `root`'s owner no longer runs. A directory without an `owner`
/// file is left alone: an emulator may be creating it right now, or an
/// older version of the emulator (which wrote none) may still use it.
fn abandoned(root: &Path) -> bool {
    match std::fs::read_to_string(root.join(OWNER)) {
        Ok(text) => !Identity::parse(&text).is_some_and(|owner| owner.runs()),
        Err(_) => false,
    }
}

/// SIGKILLs the process group of every process recorded under `root` that
/// still runs as itself, and waits briefly until they are gone. PostgreSQL's
/// children leave the group but exit when their postmaster dies.
fn kill_recorded(root: &Path) -> Vec<u32> {
    let mut killed = Vec::new();
    let Ok(instances) = std::fs::read_dir(root) else {
        return killed;
    };
    for instance in instances.flatten() {
        let text = std::fs::read_to_string(instance.path().join(PROCESSES)).unwrap_or_default();
        for identity in text.lines().filter_map(Identity::parse) {
            if !identity.runs() {
                continue;
            }
            let Ok(pgid) = i32::try_from(identity.pid) else {
                continue;
            };
            // Started as the leader of its own group (see `Process::spawn`).
            if killpg(Pid::from_raw(pgid), Signal::SIGKILL).is_ok() {
                killed.push(identity.pid);
            }
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while killed.iter().any(|pid| runs(*pid)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    killed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_name_one_process() {
        let me = Identity::of(std::process::id()).expect("this process");
        assert!(me.runs());
        assert_eq!(Identity::parse(&me.line()), Some(me.clone()));
        let later = Identity {
            start: me.start + 1,
            ..me.clone()
        };
        assert!(!later.runs(), "another start time is another process");
        assert_eq!(Identity::of(0), None);
        assert_eq!(Identity::parse(&format!("{} 0 1", me.boot)), None);
    }
}
