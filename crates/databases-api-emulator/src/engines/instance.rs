//! A database served by a real engine: its credentials, the version it
//! really runs, its server process and its directory. Stopping it (the
//! API's delete) shuts the server down and removes its data; dropping it
//! kills the server and removes its data too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{Credentials, Engine};
use crate::engines::error::EngineError;
use crate::engines::launch::Launch;
use crate::engines::network::Network;
use crate::engines::process::{Exit, Process, log_tail};
use crate::engines::setup::Setup;

/// How many lines of a crashed server's log its report keeps.
pub const CRASH_LINES: usize = 20;
/// How long a server gets to shut down cleanly before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);

/// A running database server of a real engine.
#[derive(Debug)]
pub struct Instance {
    // Declared before `dir`: fields drop in order, so the server is killed
    // before its directory is removed.
    process: Arc<Process>,
    dir: InstanceDir,
    // Boxed: `Started::Real` holds an `Instance`, kept small.
    log: Box<Path>,
    credentials: Credentials,
    server_version: String,
}

impl Instance {
    /// A server started by `launch`, running as `process`, listening on
    /// `port`, prepared with `setup`, its credentials naming the network's
    /// public host.
    pub(crate) fn new(
        launch: &Launch<'_>,
        (process, port): (Process, u16),
        dir: InstanceDir,
        setup: &Setup,
        server_version: &str,
        network: &Network,
    ) -> Self {
        let credentials = Credentials::plain(
            launch.engine,
            &network.public_host,
            port,
            setup.username(),
            setup.password(),
            setup.database(),
        );
        Instance {
            process: Arc::new(process),
            dir,
            log: launch.log.into(),
            credentials,
            server_version: server_version.to_string(),
        }
    }

    /// What to say of a server that ended on its own with `exit`: how, and
    /// the last lines of its log (at most [`CRASH_LINES`] lines and 2000
    /// bytes, its password redacted).
    pub fn crash_report(&self, exit: Exit) -> String {
        let tail = log_tail(&self.log, &[self.credentials.password.expose()]);
        let lines: Vec<&str> = tail.lines().collect();
        let last = lines[lines.len().saturating_sub(CRASH_LINES)..].join("\n");
        format!(
            "the {} server ended ({exit}); its log ends with:\n{last}",
            self.engine()
        )
    }

    pub(crate) fn process_weak(&self) -> std::sync::Weak<Process> {
        Arc::downgrade(&self.process)
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        self.credentials.engine
    }

    /// How to connect: the network's public host (`127.0.0.1` by default),
    /// the server's own port, and the user,
    /// password and database it was set up with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The version the server really runs (`postgres (PostgreSQL) 15.14`,
    /// ...), which may differ from the one the API was asked for.
    pub fn server_version(&self) -> &str {
        &self.server_version
    }

    /// The server's process id, which is also its process group id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The directory holding the server's data, config and log.
    pub fn dir(&self) -> &Path {
        &self.dir.path
    }

    /// How the server ended, or `None` while it runs. A database whose server
    /// ended without [`Instance::stop`] is in `error`.
    pub fn exit(&self) -> Option<Exit> {
        self.process.exit()
    }

    /// Waits until the server ends, for a task that moves its database to
    /// `error` when it dies.
    pub async fn exited(&self) -> Exit {
        self.process.exited().await
    }

    /// Shuts the server down (cleanly, then by force after 15 s) and removes
    /// its data. Afterwards its port refuses connections.
    pub async fn stop(self) -> Result<(), EngineError> {
        self.process.stop(STOP_GRACE).await?;
        let Instance { process, dir, .. } = self;
        drop(process);
        dir.remove()
    }
}

/// An instance's directory, removed when dropped.
#[derive(Debug)]
pub(crate) struct InstanceDir {
    path: PathBuf,
    removed: bool,
}

impl InstanceDir {
    /// Creates `path` (mode 0700).
    pub(crate) fn create(path: PathBuf) -> Result<Self, EngineError> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(|e| EngineError::io("creating", &path, e))?;
        Ok(InstanceDir {
            path,
            removed: false,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Removes it and everything in it.
    pub(crate) fn remove(mut self) -> Result<(), EngineError> {
        self.removed = true;
        remove_all(&self.path).map_err(|e| EngineError::io("removing", &self.path, e))
    }
}

impl Drop for InstanceDir {
    fn drop(&mut self) {
        if !self.removed {
            let _ = remove_all(&self.path);
        }
    }
}

/// `remove_dir_all`, tried a few times: a server killed a moment ago may
/// still be writing a file as the directory is emptied.
fn remove_all(path: &Path) -> std::io::Result<()> {
    let mut last = Ok(());
    for _ in 0..10 {
        last = match std::fs::remove_dir_all(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            other => other,
        };
        if last.is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    last
}
