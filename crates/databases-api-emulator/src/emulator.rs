//! [`Emulator`]: a running Databases API emulator, and [`EmulatorBuilder`],
//! its configuration.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use emulator_core::FaultPlan;
use emulator_core::harness::{Common, Listening};
use emulator_core::http::lock;
use emulator_core::store::Store;
use emulator_core::validate::{Spec, SpecOnce};

use crate::engines::{Availability, Engines, Network};
use crate::model::Status;
use crate::shared::{Settings, Shared};
use crate::world::{DEFAULT_TOKEN, READ_ONLY_TOKEN, World, database_write};
use crate::{Engine, server, servers};

/// Errors starting the emulator.
pub use emulator_core::harness::StartError as EmulatorError;

/// The spec is compiled once per process: tests start many emulators.
fn spec() -> Result<Arc<Spec>, EmulatorError> {
    static SPEC: SpecOnce = SpecOnce::new();
    SPEC.get(databases_api_generated::EFFECTIVE_SPEC_JSON, "Error")
        .map_err(EmulatorError::Spec)
}

/// A running emulator. Dropping it stops the server and every real database
/// server it started.
pub struct Emulator {
    shared: Arc<Shared>,
    /// The read-write token, then the read-only one.
    tokens: [String; 2],
    listening: Listening,
}

// The tokens are credentials: debug output shows the base URL only.
impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Start with the default configuration on a random loopback port.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        EmulatorBuilder::default().start().await
    }

    /// A builder for a customised emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.listening.base_url()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.listening.addr()
    }

    /// Replace the fault plan (operationIds of the spec, or `*`). A status
    /// fault must be an error status (400–599, [`FaultPlan::check`]):
    /// another is answered with a 500 saying so.
    pub fn set_faults(&self, faults: FaultPlan) {
        *lock(&self.shared.faults) = faults;
    }

    /// The faults not injected yet: empty once every scheduled fault has met
    /// its request, which a test can check to know its faults were exercised.
    pub fn faults_left(&self) -> FaultPlan {
        lock(&self.shared.faults).clone()
    }

    /// Spec violations seen so far in answers the emulator produced.
    pub fn violations(&self) -> Vec<String> {
        self.shared.violations.all()
    }

    /// A token with the `databases:read` and `databases:write` scopes.
    pub fn token(&self) -> &str {
        &self.tokens[0]
    }

    /// A token with the `databases:read` scope only (creating and deleting
    /// answer 403).
    pub fn read_only_token(&self) -> &str {
        &self.tokens[1]
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

    /// Why database `id`'s real server failed, when it did: its start's
    /// error, or how it ended and the last lines of its log (bounded, its
    /// password redacted). The API has no field for it; the emulator's log
    /// says it too.
    pub fn error_reason(&self, id: &str) -> Option<String> {
        lock(&self.shared.engines).as_ref()?.failure(id)
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
        // The listener stops serving when dropped, after this. Kills every real server still running (their supervisors then
        // remove their data), and closes the store so the data directory can
        // be opened again at once.
        lock(&self.shared.servers).clear();
        *lock(&self.shared.engines) = None;
        *lock(&self.shared.store) = None;
    }
}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone, Default)]
pub struct EmulatorBuilder {
    common: Common,
    real_engines: bool,
    public_host: Option<String>,
    failing: BTreeSet<String>,
}

impl EmulatorBuilder {
    /// The port to listen on (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.common.port = port;
        self
    }

    /// The address to bind (default 127.0.0.1).
    pub fn bind(mut self, addr: IpAddr) -> Self {
        self.common.bind = addr;
        self
    }

    /// Keep the state durably in this directory (`state.sqlite3`), loaded on
    /// start; one emulator at a time. Without it, everything lives in a
    /// temporary directory removed on drop.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.common.data_dir = Some(dir.into());
        self
    }

    /// The initial fault plan (refused at start when a status fault is not
    /// an error status).
    pub fn faults(mut self, faults: FaultPlan) -> Self {
        self.common.faults = faults;
        self
    }

    /// Whether a response that violates the spec becomes a 500 (default
    /// true). Violations are recorded and logged either way.
    pub fn strict_validation(mut self, strict: bool) -> Self {
        self.common.strict = strict;
        self
    }

    /// How long a new database stays `provisioning` (default zero); with
    /// real engines its server starts then, and the database is `running`
    /// once the server accepts connections.
    pub fn provisioning_delay(mut self, delay: Duration) -> Self {
        self.common.provisioning_delay = delay;
        self
    }

    /// How long a client may take to send a request's headers before its
    /// connection is closed (default 30 s).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.common.serve.header_read_timeout = timeout;
        self
    }

    /// How long a request body may take to arrive once it is read, in all,
    /// before the request is answered 408 and its connection closed
    /// (default 30 s).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.common.serve.body_read_timeout = timeout;
        self
    }

    /// All the common settings at once (what the command line gives).
    pub fn common(mut self, common: Common) -> Self {
        self.common = common;
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

    /// The host real servers' credentials name, for clients on other hosts
    /// of an emulator bound to a non-loopback address (`--bind 0.0.0.0`).
    /// Without it: the bound address, or for `0.0.0.0` this host's address
    /// on its default route (else its host name). See [`Network`].
    pub fn public_host(mut self, host: impl Into<String>) -> Self {
        self.public_host = Some(host.into());
        self
    }

    /// Databases created with this name end their provisioning in `error`.
    pub fn fail_provisioning(mut self, name: impl Into<String>) -> Self {
        self.failing.insert(name.into());
        self
    }

    /// Start the server.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        self.common.check()?;
        let spec = spec()?;
        let store = Store::open(self.common.data_dir.as_deref())?;
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
            let network = Network::for_bind(self.common.bind, self.public_host);
            let engines = Engines::discover()
                .map_err(|e| EmulatorError::Setup(format!("real engines: {e}")))?
                .with_network(network);
            for engine in Engine::ALL {
                if let Availability::Real { version } = engines.availability(engine) {
                    tracing::info!(%engine, %version, "{engine} databases get a real server");
                }
            }
            Some(Arc::new(engines))
        } else {
            None
        };
        let (listening, listener, stop) = Listening::bind(&self.common).await?;
        let tokens = [world.token(DEFAULT_TOKEN), world.token(READ_ONLY_TOKEN)];
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            store: Mutex::new(Some(store)),
            spec,
            faults: Mutex::new(self.common.faults),
            violations: Default::default(),
            strict: self.common.strict,
            settings: Settings {
                provisioning_delay: self.common.provisioning_delay,
                failing: self.failing,
            },
            engines: Mutex::new(engines),
            servers: Default::default(),
        });
        shared.persist(&writes).map_err(EmulatorError::Persist)?;
        for id in provisioning {
            tokio::spawn(servers::provision(shared.clone(), id));
        }
        let serving = server::serve(listener, shared.clone(), stop, self.common.serve);
        tokio::spawn(serving);
        Ok(Emulator {
            shared,
            tokens,
            listening,
        })
    }
}
