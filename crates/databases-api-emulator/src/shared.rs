//! What every request and background task of the emulator shares: the
//! world and its store, the spec, faults, violations, settings, and the real
//! engines with the supervisors of the servers they run.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use emulator_core::faults::FaultPlan;
use emulator_core::http::lock;
use emulator_core::logging::Violations;
use emulator_core::store::{Store, Write};
use emulator_core::validate::Spec;
use tokio::sync::oneshot;

use crate::engines::Engines;
use crate::model::Database;
use crate::world::{World, database_write};

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// How long a new database stays `provisioning` before its engine starts.
    pub provisioning_delay: Duration,
    /// Names whose provisioning ends in `error`.
    pub failing: BTreeSet<String>,
}

/// Asks a real server's supervisor to stop it; answered once it is stopped.
pub(crate) type StopHandle = oneshot::Sender<oneshot::Sender<()>>;

/// Everything the server and its tasks share.
pub(crate) struct Shared {
    /// Lock order: `world`, then `store`.
    pub world: Mutex<World>,
    /// `None` once the emulator has stopped (its directory lock released).
    pub store: Mutex<Option<Store>>,
    pub spec: Arc<Spec>,
    pub faults: Mutex<FaultPlan>,
    pub violations: Violations,
    pub strict: bool,
    pub settings: Settings,
    /// `None` without real engines, and once the emulator has stopped
    /// (dropping the last `Engines` kills every server it started).
    pub engines: Mutex<Option<Arc<Engines>>>,
    /// The supervisors of running real servers, by database id.
    pub servers: Mutex<HashMap<String, StopHandle>>,
}

impl Shared {
    /// Store `writes` in one transaction.
    pub(crate) fn persist(&self, writes: &[Write]) -> Result<(), String> {
        match lock(&self.store).as_mut() {
            Some(store) => store.commit(writes).map_err(|e| e.to_string()),
            None => Err("the emulator has stopped".into()),
        }
    }

    /// Store `db` and put it in the world (the caller holds the world's lock).
    pub(crate) fn save(&self, world: &mut World, db: Database) -> Result<(), String> {
        self.persist(&[database_write(&db)])?;
        world.databases.insert(db.id.clone(), db);
        Ok(())
    }
}
