//! [`Emulator`]: a running Databases API emulator, and [`EmulatorBuilder`],
//! its configuration.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use emulator_core::faults::FaultPlan;
use emulator_core::http::lock;
use emulator_core::serve::ServeOptions;
use emulator_core::store::{Store, StoreError};
use emulator_core::validate::Spec;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::engines::{Availability, Engines};
use crate::model::Status;
use crate::shared::{Settings, Shared};
use crate::world::{DEFAULT_TOKEN, READ_ONLY_TOKEN, World, database_write};
use crate::{Engine, server, servers};

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// Binding the listener failed.
    #[error("cannot bind the emulator's listener: {0}")]
    Bind(#[from] std::io::Error),
    /// The spec could not be loaded or compiled.
    #[error("cannot load the Databases API spec: {0}")]
    Spec(String),
    /// The data directory could not be read or written.
    #[error("cannot use the data directory: {0}")]
    Persist(String),
    /// Another emulator (or process) is using the data directory.
    #[error(
        "the data directory {0} is in use by another emulator; stop it or choose another directory"
    )]
    DataDirInUse(PathBuf),
    /// A builder setting is invalid.
    #[error("invalid emulator configuration: {0}")]
    Config(String),
    /// The real engines could not be prepared.
    #[error("cannot prepare the real engines: {0}")]
    Engines(String),
}

/// The spec is compiled once per process: tests start many emulators.
fn spec() -> Result<Arc<Spec>, EmulatorError> {
    static SPEC: OnceLock<Result<Arc<Spec>, String>> = OnceLock::new();
    SPEC.get_or_init(|| {
        Spec::load_with_error_schema(databases_api_generated::EFFECTIVE_SPEC_JSON, "Error")
            .map(Arc::new)
    })
    .clone()
    .map_err(EmulatorError::Spec)
}

/// A running emulator. Dropping it stops the server and every real database
/// server it started.
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    token: String,
    read_only_token: String,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The tokens are credentials.
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Start with the default configuration (simulated engines) on a random
    /// loopback port.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        Emulator::builder().start().await
    }

    /// A builder for a customised emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash; the
    /// operations' paths start with `/api/v1`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A token with the `databases:read` and `databases:write` scopes.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// A token with the `databases:read` scope only (creating and deleting
    /// answer 403).
    pub fn read_only_token(&self) -> &str {
        &self.read_only_token
    }

    /// Replace the fault plan (operationIds of the spec, or `*`). A status
    /// fault must be an error status; another is answered with a 500 saying so.
    pub fn set_faults(&self, faults: FaultPlan) {
        *lock(&self.shared.faults) = faults;
    }

    /// The faults not injected yet.
    pub fn faults_left(&self) -> FaultPlan {
        lock(&self.shared.faults).clone()
    }

    /// Spec violations seen so far in answers the emulator produced.
    pub fn violations(&self) -> Vec<String> {
        self.shared.violations.all()
    }

    /// The status of database `id`, if it exists.
    pub fn status(&self, id: &str) -> Option<Status> {
        lock(&self.shared.world).databases.get(id).map(|d| d.status)
    }

    /// Whether database `id` is served by a real server.
    pub fn is_real(&self, id: &str) -> bool {
        lock(&self.shared.world)
            .databases
            .get(id)
            .is_some_and(|d| d.real)
    }

    /// Whether `engine` runs for real here (`None` without real engines).
    pub fn engine_availability(&self, engine: Engine) -> Option<Availability> {
        lock(&self.shared.engines)
            .as_ref()
            .map(|e| e.availability(engine).clone())
    }

    /// Put database `id` in `status`, as an operator or a failure would (the
    /// API has no operation for it): `stopped` or `error` for a test of how a
    /// client copes, `running` to bring it back. A real server keeps running
    /// (only what the API reports changes). `destroyed` is refused (delete
    /// it through the API), as is a destroyed database. Returns whether the
    /// status was set.
    pub fn set_status(&self, id: &str, status: Status) -> bool {
        if status == Status::Destroyed {
            return false;
        }
        let mut world = lock(&self.shared.world);
        let Some(mut db) = world.databases.get(id).cloned() else {
            return false;
        };
        if db.status == Status::Destroyed {
            return false;
        }
        db.status = status;
        match self.shared.save(&mut world, db) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!("cannot store the emulator's state: {e}");
                false
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        // Kills every real server still running (their supervisors then
        // remove their data), and closes the store so the data directory can
        // be opened again at once.
        lock(&self.shared.servers).clear();
        *lock(&self.shared.engines) = None;
        *lock(&self.shared.store) = None;
    }
}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    port: u16,
    bind: IpAddr,
    data_dir: Option<PathBuf>,
    provisioning_delay: Duration,
    faults: FaultPlan,
    strict: bool,
    real_engines: bool,
    failing: BTreeSet<String>,
    serve: ServeOptions,
}

impl Default for EmulatorBuilder {
    fn default() -> EmulatorBuilder {
        EmulatorBuilder {
            port: 0,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            data_dir: None,
            provisioning_delay: Duration::ZERO,
            faults: FaultPlan::new(),
            strict: true,
            real_engines: false,
            failing: BTreeSet::new(),
            serve: ServeOptions::default(),
        }
    }
}

impl EmulatorBuilder {
    /// The port to listen on (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to bind (default 127.0.0.1).
    pub fn bind(mut self, addr: IpAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Keep the state durably in `DIR/state.sqlite3`, loaded on start.
    /// Without it, the state lives in a temporary directory removed on drop.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// How long a new database stays `provisioning` before its engine starts
    /// (default zero; a real engine adds its own start-up time).
    pub fn provisioning_delay(mut self, delay: Duration) -> Self {
        self.provisioning_delay = delay;
        self
    }

    /// The initial fault plan (refused when a status fault is not an error).
    pub fn faults(mut self, faults: FaultPlan) -> Self {
        self.faults = faults;
        self
    }

    /// Whether an answer that violates the spec becomes a 500 (default
    /// true). Violations are recorded and logged either way.
    pub fn strict_validation(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Start a real server for each database whose engine is installed
    /// (PostgreSQL, Redis, MariaDB for `mysql`); other engines stay simulated
    /// and the emulator says so once per engine. Off by default: everything
    /// is simulated and nothing is started.
    pub fn real_engines(mut self, on: bool) -> Self {
        self.real_engines = on;
        self
    }

    /// Databases created with this name end their provisioning in `error`.
    pub fn fail_provisioning(mut self, name: impl Into<String>) -> Self {
        self.failing.insert(name.into());
        self
    }

    /// How long a client may take to send a request's headers (default 30 s).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.serve.header_read_timeout = timeout;
        self
    }

    /// Start the server.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        self.faults
            .check()
            .map_err(|e| EmulatorError::Config(e.to_string()))?;
        let spec = spec()?;
        let store = Store::open(self.data_dir.as_deref()).map_err(|e| match e {
            StoreError::Locked(dir) => EmulatorError::DataDirInUse(dir),
            other => EmulatorError::Persist(other.to_string()),
        })?;
        let (mut world, mut writes) = World::load(&store).map_err(EmulatorError::Persist)?;
        let mut provisioning = Vec::new();
        for db in world.databases.values_mut() {
            if db.real && db.status != Status::Destroyed {
                // Its server ended with the emulator that started it.
                db.status = Status::Error;
                writes.push(database_write(db));
            } else if db.status == Status::Provisioning {
                provisioning.push(db.id.clone());
            }
        }
        let engines = if self.real_engines {
            let engines = Engines::discover().map_err(|e| EmulatorError::Engines(e.to_string()))?;
            for engine in Engine::ALL {
                if let Availability::Real { version } = engines.availability(engine) {
                    tracing::info!(%engine, %version, "{engine} databases get a real server");
                }
            }
            Some(Arc::new(engines))
        } else {
            None
        };
        let listener = TcpListener::bind(SocketAddr::new(self.bind, self.port)).await?;
        let addr = listener.local_addr()?;
        let token = world.token(DEFAULT_TOKEN);
        let read_only_token = world.token(READ_ONLY_TOKEN);
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            store: Mutex::new(Some(store)),
            spec,
            faults: Mutex::new(self.faults),
            violations: Default::default(),
            strict: self.strict,
            settings: Settings {
                provisioning_delay: self.provisioning_delay,
                failing: self.failing,
            },
            engines: Mutex::new(engines),
            servers: Default::default(),
        });
        shared.persist(&writes).map_err(EmulatorError::Persist)?;
        for id in provisioning {
            tokio::spawn(servers::provision(shared.clone(), id));
        }
        let (tx, rx) = watch::channel(false);
        tokio::spawn(server::serve(listener, shared.clone(), rx, self.serve));
        let host = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        Ok(Emulator {
            addr,
            base_url: format!("http://{host}:{}", addr.port()),
            token,
            read_only_token,
            shared,
            shutdown: tx,
        })
    }
}
