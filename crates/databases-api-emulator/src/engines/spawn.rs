//! How engine processes are started so that none outlives the emulator,
//! however the emulator ends (even `kill -9`, which no handler sees): each
//! program runs under util-linux's `setpriv --pdeathsig KILL`, which asks the
//! kernel to SIGKILL it when its parent dies, then `exec`s the program (same
//! pid, same process group). `#![forbid(unsafe_code)]` rules out doing that
//! with `prctl` in `pre_exec`.
//!
//! The kernel's "parent" is the *thread* that forked, not the process: a
//! server forked from a tokio worker or blocking thread would be killed
//! when that thread exits (the blocking pool retires idle threads after
//! 10 s). So every engine process is forked by one dedicated thread that
//! lives as long as the emulator's process.
//!
//! Without `setpriv` (not util-linux 2.33 or later), engines are started
//! directly and a warning says so once: a crash then leaves them running
//! until the next start removes them (see `leftovers`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::mpsc;

use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// A command for `program` that dies with the emulator: under `setpriv
/// --pdeathsig KILL` when it is installed. Add arguments, environment and
/// the account to it, then start it with [`spawn`].
pub(crate) fn command(program: &Path) -> Command {
    match setpriv() {
        Some(setpriv) => {
            let mut cmd = Command::new(setpriv);
            cmd.args(["--pdeathsig", "KILL", "--"]).arg(program);
            cmd
        }
        None => Command::new(program),
    }
}

/// The program a [`command`] runs (not `setpriv`), for messages.
pub(crate) fn program_of(command: &Command) -> PathBuf {
    let std = command.as_std();
    let mut args = std.get_args();
    if setpriv().is_some_and(|s| s == std.get_program())
        && let Some(program) = args.find(|a| *a == OsStr::new("--")).and(args.next())
    {
        return PathBuf::from(program);
    }
    PathBuf::from(std.get_program())
}

/// Starts `command` from the spawning thread, registered with the calling
/// task's runtime (which reaps it and reports its exit).
pub(crate) async fn spawn(command: Command) -> std::io::Result<Child> {
    let (reply, answer) = oneshot::channel();
    let job = Job {
        command,
        runtime: tokio::runtime::Handle::current(),
        reply,
    };
    let gone = || std::io::Error::other("the thread that starts engine processes is gone");
    spawner().ok_or_else(gone)?.send(job).map_err(|_| gone())?;
    answer.await.map_err(|_| gone())?
}

struct Job {
    command: Command,
    runtime: tokio::runtime::Handle,
    reply: oneshot::Sender<std::io::Result<Child>>,
}

/// The queue of the spawning thread, started on first use (`None` if the
/// thread could not be created); the thread waits on it for as long as the
/// process lives (the queue's sender is never dropped).
fn spawner() -> Option<&'static mpsc::Sender<Job>> {
    static SPAWNER: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    SPAWNER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("engine-spawner".into())
                .spawn(move || {
                    for mut job in rx {
                        let _in_runtime = job.runtime.enter();
                        let _ = job.reply.send(job.command.spawn());
                    }
                })
                .ok()?;
            Some(tx)
        })
        .as_ref()
}

/// `setpriv`, when installed with `--pdeathsig` (util-linux 2.33+).
fn setpriv() -> Option<&'static Path> {
    static SETPRIV: OnceLock<Option<PathBuf>> = OnceLock::new();
    SETPRIV
        .get_or_init(|| {
            let found = ["/usr/bin/setpriv", "/bin/setpriv"]
                .into_iter()
                .map(PathBuf::from)
                .find(|p| supports_pdeathsig(p));
            if found.is_none() {
                tracing::warn!(
                    "setpriv with --pdeathsig (util-linux 2.33+) is not installed: real engines \
                     outlive an emulator that is killed with SIGKILL until its next start"
                );
            }
            found
        })
        .as_deref()
}

fn supports_pdeathsig(setpriv: &Path) -> bool {
    std::process::Command::new(setpriv)
        .arg("--help")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("--pdeathsig"))
}
