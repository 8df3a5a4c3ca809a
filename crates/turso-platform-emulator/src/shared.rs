//! What every request of the Turso emulator shares: the world's state and
//! its store, the databases' files and streams, usage counters, settings,
//! the spec, faults and recorded violations; and the one way to make a
//! change durable, [`Shared::commit`], or to undo it, [`Shared::rollback`].

use std::sync::{Arc, Mutex};

use crate::api::Settings;
use crate::dataplane::limits::DataPlaneLimits;
use crate::dataplane::streams::Streams;
use crate::dbfiles::DbFiles;
use crate::persist;
use crate::state::{FileOp, State};
use crate::usage::UsageBook;
use emulator_core::faults::FaultPlan;
use emulator_core::http::lock;
use emulator_core::logging::Violations;
use emulator_core::store::Store;
use emulator_core::validate::Spec;

/// Everything the server shares between connections.
pub(crate) struct Shared {
    /// Lock order: `state`, then `store`.
    pub state: Mutex<State>,
    /// `None` once the emulator has stopped: the store is closed at once so
    /// its directory's lock is released for the next emulator.
    pub store: Mutex<Option<Store>>,
    pub files: DbFiles,
    pub streams: Streams,
    pub usage: UsageBook,
    pub settings: Settings,
    /// The data plane's bounds.
    pub limits: DataPlaneLimits,
    pub strict: bool,
    pub spec: Arc<Spec>,
    pub faults: Mutex<FaultPlan>,
    pub violations: Violations,
}

impl Shared {
    /// Make the changes in `state` durable, in one transaction with the
    /// database files they need. On failure nothing changed: the state is
    /// reloaded from the store and the error says why.
    pub(crate) fn commit(&self, state: &mut State) -> Result<(), String> {
        if !state.is_dirty() {
            return Ok(());
        }
        let files = std::mem::take(&mut state.dirty.files);
        let mut made = Vec::new();
        for op in &files {
            let done = match op {
                FileOp::Create(id) => self.files.create(id).map(|()| id),
                FileOp::Copy { from, to } => self.files.copy(from, to).map(|()| to),
                FileOp::Remove(_) => continue,
            };
            match done {
                Ok(id) => made.push(id.clone()),
                Err(e) => {
                    self.undo_files(&made);
                    self.rollback(state);
                    return Err(format!("cannot create a database file: {e}"));
                }
            }
        }
        let result = match lock(&self.store).as_mut() {
            Some(store) => persist::commit(state, store),
            None => Err("the emulator has stopped".to_string()),
        };
        if let Err(e) = result {
            self.undo_files(&made);
            self.rollback(state);
            return Err(e);
        }
        for op in &files {
            if let FileOp::Remove(id) = op {
                self.streams.close_db(id);
                self.files.remove(id);
                self.usage.forget(id);
            }
        }
        Ok(())
    }

    fn undo_files(&self, ids: &[String]) {
        for id in ids {
            self.files.remove(id);
        }
    }

    /// Forget uncommitted changes: reload the state from the store.
    pub(crate) fn rollback(&self, state: &mut State) {
        if !state.is_dirty() {
            return;
        }
        let store = lock(&self.store);
        let Some(store) = store.as_ref() else {
            return;
        };
        match persist::load(store) {
            Ok(Some(stored)) => *state = stored,
            Ok(None) => tracing::error!("cannot roll back: the store is empty"),
            Err(e) => tracing::error!("cannot roll back: {e}"),
        }
    }
}
