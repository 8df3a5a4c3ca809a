//! Real engines behind the emulator's databases. [`Engines`] finds the
//! installed servers once, then [`Engines::start`] gives a database a server
//! of its own ([`Started::Real`]), or says the engine is simulated
//! ([`Started::Simulated`]) when its programs are missing, logging that once
//! per engine. Dropping `Engines` kills every server it started that is still
//! running; each server's data lives under one temporary directory, removed
//! with the last of them.
//!
//! No server outlives the emulator's process however it ends: each runs
//! under a parent-death signal (see `spawn`), and what a crash leaves behind
//! is removed when the next `Engines` is created (see `leftovers`).

mod account;
mod binaries;
mod error;
mod instance;
mod launch;
mod leftovers;
mod mariadb;
mod network;
mod postgres;
pub mod process;
mod procfs;
mod redis;
mod setup;
mod spawn;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

pub use binaries::{MariadbPrograms, PostgresPrograms, SearchPath};
pub use error::EngineError;
pub use instance::{CRASH_LINES, Instance};
pub use leftovers::Swept;
pub use network::Network;
pub use process::Exit;
pub use setup::Setup;

use crate::credentials::Engine;
use instance::InstanceDir;
use process::Process;

/// Whether an engine runs for real here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Its programs are installed; `version` is what they report.
    Real {
        /// The programs' own version line (`redis-server --version`, ...).
        version: String,
    },
    /// It is simulated: no server is started for its databases.
    Simulated {
        /// Why (what is missing).
        reason: String,
    },
}

/// What [`Engines::start`] did for a database.
#[derive(Debug)]
pub enum Started {
    /// A real server serves it.
    Real(Instance),
    /// Its engine is simulated; nothing was started.
    Simulated {
        /// Why the engine is simulated.
        reason: String,
        /// Whether this is the first time this `Engines` says so for the
        /// engine (it logs a warning that time only).
        first_time: bool,
    },
}

/// The installed engines, and every server started from them.
#[derive(Debug)]
pub struct Engines {
    programs: Programs,
    availability: [Availability; 4],
    root: Arc<tempfile::TempDir>,
    next_id: AtomicU64,
    reported: Mutex<BTreeSet<Engine>>,
    started: Mutex<Vec<Weak<Process>>>,
    network: Network,
    step_within: Duration,
    swept: Swept,
    failures: Mutex<HashMap<String, String>>,
}

#[derive(Debug, Default)]
struct Programs {
    postgres: Option<PostgresPrograms>,
    redis: Option<std::path::PathBuf>,
    mariadb: Option<MariadbPrograms>,
}

impl Engines {
    /// Finds the engines on `PATH` and in Debian's locations, with the
    /// servers' data under a new directory in the system's temporary directory.
    pub fn discover() -> Result<Self, EngineError> {
        Self::with_search_path(&SearchPath::from_env(), &std::env::temp_dir())
    }

    /// Finds the engines on `search`, with the servers' data under a new
    /// directory inside `parent`, after removing what emulators that ended
    /// without stopping their servers (killed, crashed) left in `parent`
    /// (see [`Engines::swept`]).
    pub fn with_search_path(search: &SearchPath, parent: &Path) -> Result<Self, EngineError> {
        let swept = leftovers::sweep(parent);
        let root = tempfile::Builder::new()
            .prefix(leftovers::ROOT_PREFIX)
            .tempdir_in(parent)
            .map_err(|e| EngineError::io("creating a directory in", parent, e))?;
        leftovers::write_owner(root.path())
            .map_err(|e| EngineError::io("writing the owner of", root.path(), e))?;
        // When engines run under their own accounts (see `account`), those
        // must be able to reach their directories inside this one.
        std::fs::set_permissions(
            root.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o711),
        )
        .map_err(|e| EngineError::io("setting the mode of", root.path(), e))?;

        let mut programs = Programs::default();
        let postgresql = match search.postgres() {
            Some(found) => real(&mut programs.postgres, found.clone(), &found.postgres),
            None => {
                simulated("initdb and postgres are not installed (Debian package `postgresql`)")
            }
        };
        let redis = match search.redis() {
            Some(found) => real(&mut programs.redis, found.clone(), &found),
            None => simulated("redis-server is not installed (Debian package `redis-server`)"),
        };
        let mysql = match search.mariadb() {
            Some(found) => match binaries::version_line(&found.server) {
                Some(v) if v.contains("MariaDB") => {
                    programs.mariadb = Some(found);
                    Availability::Real { version: v }
                }
                _ => simulated(&format!(
                    "{} is not MariaDB's server; only MariaDB's bootstrap is supported",
                    found.server.display()
                )),
            },
            None => simulated(
                "mariadbd and mariadb-install-db are not installed (Debian package `mariadb-server`)",
            ),
        };
        let mongodb = simulated(match search.mongod() {
            Some(_) => "running a real MongoDB server is not supported",
            None => "mongod is not installed (Debian does not package MongoDB)",
        });
        Ok(Engines {
            programs,
            availability: [postgresql, mysql, redis, mongodb],
            root: Arc::new(root),
            next_id: AtomicU64::new(1),
            reported: Mutex::new(BTreeSet::new()),
            started: Mutex::new(Vec::new()),
            network: Network::loopback(),
            step_within: launch::STEP_WITHIN,
            swept,
            failures: Mutex::new(HashMap::new()),
        })
    }

    /// Where the servers listen and which host their credentials name
    /// (default: the loopback, [`Network::loopback`]).
    pub fn with_network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// How long each setup step (`initdb`, `mariadb-install-db`,
    /// PostgreSQL's `CREATE DATABASE`) may take before the start fails with
    /// [`EngineError::TimedOut`] (default 120 s).
    pub fn with_step_timeout(mut self, within: Duration) -> Self {
        self.step_within = within;
        self
    }

    /// What was removed when this was created: the directories and processes
    /// of emulators that ended without stopping their servers.
    pub fn swept(&self) -> &Swept {
        &self.swept
    }

    /// Keeps why the server behind `key` (a database id) failed, for
    /// [`Engines::failure`]; bounded by the reason's own bound (a log tail).
    pub fn note_failure(&self, key: &str, reason: String) {
        lock(&self.failures).insert(key.to_string(), reason);
    }

    /// Why the server behind `key` failed, if it did.
    pub fn failure(&self, key: &str) -> Option<String> {
        lock(&self.failures).get(key).cloned()
    }

    /// Forgets `key`'s failure (its database is gone).
    pub fn forget_failure(&self, key: &str) {
        lock(&self.failures).remove(key);
    }

    /// Whether `engine` runs for real here, and why not.
    pub fn availability(&self, engine: Engine) -> &Availability {
        let index = Engine::ALL
            .iter()
            .position(|e| *e == engine)
            .unwrap_or_default();
        &self.availability[index]
    }

    /// The directory under which every server keeps its data.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Starts a server of `engine` prepared with `setup`, and waits until it
    /// accepts connections with the setup's credentials; or, when `engine` is
    /// simulated, says so (logging it the first time).
    pub async fn start(&self, engine: Engine, setup: &Setup) -> Result<Started, EngineError> {
        let version = match self.availability(engine) {
            Availability::Real { version } => version.clone(),
            Availability::Simulated { reason } => {
                let first_time = lock(&self.reported).insert(engine);
                if first_time {
                    tracing::warn!(%engine, %reason, "{engine} databases are simulated: no server is started for them");
                }
                return Ok(Started::Simulated {
                    reason: reason.clone(),
                    first_time,
                });
            }
        };
        let account = account::for_engine(engine)?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let dir = InstanceDir::create(self.root.path().join(format!("{engine}-{id}")))?;
        account::hand_over(dir.path(), account)?;
        let instance = match (engine, &self.programs) {
            (
                Engine::Postgresql,
                Programs {
                    postgres: Some(p), ..
                },
            ) => {
                postgres::start(
                    p,
                    &version,
                    dir,
                    account,
                    setup,
                    (&self.network, self.step_within),
                )
                .await?
            }
            (Engine::Redis, Programs { redis: Some(p), .. }) => {
                redis::start(
                    p,
                    &version,
                    dir,
                    account,
                    setup,
                    (&self.network, self.step_within),
                )
                .await?
            }
            (
                Engine::Mysql,
                Programs {
                    mariadb: Some(p), ..
                },
            ) => {
                mariadb::start(
                    p,
                    &version,
                    dir,
                    account,
                    setup,
                    (&self.network, self.step_within),
                )
                .await?
            }
            _ => {
                return Err(EngineError::Unavailable {
                    engine,
                    reason: "its programs were not found".into(),
                });
            }
        };
        let mut started = lock(&self.started);
        started.retain(|p| p.strong_count() > 0);
        started.push(instance.process_weak());
        tracing::info!(%engine, port = instance.credentials().port, pid = instance.pid(), version = %instance.server_version(), "started a real {engine} server");
        Ok(Started::Real(instance))
    }
}

impl Drop for Engines {
    fn drop(&mut self) {
        let started = self.started.get_mut().unwrap_or_else(|p| p.into_inner());
        let running: Vec<_> = started.drain(..).filter_map(|p| p.upgrade()).collect();
        // Every server is told first, then each is waited for: stopping them
        // takes as long as the slowest, not the sum.
        for process in &running {
            process.signal_kill();
        }
        for process in running {
            process.kill();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn real<T>(slot: &mut Option<T>, found: T, program: &Path) -> Availability {
    *slot = Some(found);
    Availability::Real {
        version: binaries::version_line(program).unwrap_or_else(|| "unknown version".into()),
    }
}

fn simulated(reason: &str) -> Availability {
    Availability::Simulated {
        reason: reason.to_string(),
    }
}
