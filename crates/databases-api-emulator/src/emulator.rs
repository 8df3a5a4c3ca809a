//! [`Emulator`]: a running Databases API emulator, and [`EmulatorBuilder`],
//! its configuration.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

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
emulator_core::emulator_debug!(Emulator);

impl Emulator {
    emulator_core::emulator_methods!(EmulatorBuilder, EmulatorError);

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
    emulator_core::common_builder_methods!();

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
        self.common
            .faults
            .check()
            .map_err(|e| EmulatorError::Config(e.to_string()))?;
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
