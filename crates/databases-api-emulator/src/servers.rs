//! Real servers behind databases: provisioning starts one through the engine
//! layer after the provisioning delay (or leaves the database simulated when
//! its engine is), a supervisor task owns each running server, moves its
//! database to `error` when the process dies (the end of its log kept as the
//! database's error reason, see `Emulator::error_reason`), and stops it
//! (removing its data) when the database is deleted.

use std::sync::{Arc, Weak};

use emulator_core::http::lock;
use tokio::sync::oneshot;

use crate::api;
use crate::engines::{Exit, Instance, Started};
use crate::model::Status;
use crate::shared::{Shared, StopHandle};

/// Provision database `id`: wait, start its server (when engines are real),
/// then mark it `running`, or `error` when that fails.
pub(crate) async fn provision(shared: Arc<Shared>, id: String) {
    tokio::time::sleep(shared.settings.provisioning_delay).await;
    let (engine, setup, fails) = {
        let world = lock(&shared.world);
        let Some(db) = world.databases.get(&id) else {
            return;
        };
        if db.status != Status::Provisioning {
            return;
        }
        match api::setup(db) {
            Ok((engine, setup)) => (engine, setup, shared.settings.failing.contains(&db.name)),
            Err(e) => {
                drop(world);
                tracing::warn!(database = %id, "cannot provision: {e}");
                return finish(&shared, &id, Err(()));
            }
        }
    };
    if fails {
        tracing::info!(database = %id, "provisioning fails, as configured");
        return finish(&shared, &id, Err(()));
    }
    let engines = lock(&shared.engines).clone();
    let started = match engines {
        None => Ok(None),
        Some(engines) => match engines.start(engine, &setup).await {
            Ok(Started::Real(instance)) => Ok(Some(instance)),
            // The engine layer says so once per engine.
            Ok(Started::Simulated { .. }) => Ok(None),
            Err(e) => {
                tracing::warn!(database = %id, %engine, "cannot start a real {engine} server: {e}");
                engines.note_failure(&id, format!("cannot start a real {engine} server: {e}"));
                Err(())
            }
        },
    };
    finish(&shared, &id, started);
}

/// Record how provisioning ended. A server started for a database that was
/// deleted (or whose status was changed) meanwhile is stopped again.
fn finish(shared: &Arc<Shared>, id: &str, started: Result<Option<Instance>, ()>) {
    let mut world = lock(&shared.world);
    let current = world
        .databases
        .get(id)
        .filter(|d| d.status == Status::Provisioning)
        .cloned();
    let Some(mut db) = current else {
        drop(world);
        if let Ok(Some(instance)) = started {
            tokio::spawn(stop(instance));
        }
        return;
    };
    db.status = match &started {
        Ok(_) => Status::Running,
        Err(()) => Status::Error,
    };
    if let Ok(Some(instance)) = &started {
        let c = instance.credentials();
        db.host = c.host.clone();
        db.port = c.port;
        db.real = true;
    }
    if let Err(e) = shared.save(&mut world, db) {
        tracing::error!(database = %id, "cannot store the database's status: {e}");
    }
    drop(world);
    if let Ok(Some(instance)) = started {
        let (tx, rx) = oneshot::channel();
        lock(&shared.servers).insert(id.to_string(), tx);
        tokio::spawn(supervise(
            Arc::downgrade(shared),
            id.to_string(),
            instance,
            rx,
        ));
    }
}

async fn stop(instance: Instance) {
    let engine = instance.engine();
    if let Err(e) = instance.stop().await {
        tracing::warn!(%engine, "cannot stop a real {engine} server cleanly: {e}");
    }
}

enum Next {
    Died(Exit),
    Stop(Option<oneshot::Sender<()>>),
}

/// Own `instance` until it dies (its database moves to `error`) or is asked
/// to stop (or its handle is dropped with the emulator).
async fn supervise(
    shared: Weak<Shared>,
    id: String,
    instance: Instance,
    mut stop_rx: oneshot::Receiver<oneshot::Sender<()>>,
) {
    let next = tokio::select! {
        exit = instance.exited() => Next::Died(exit),
        reply = &mut stop_rx => Next::Stop(reply.ok()),
    };
    match next {
        Next::Stop(reply) => {
            stop(instance).await;
            if let Some(reply) = reply {
                let _ = reply.send(());
            }
        }
        Next::Died(exit) => {
            let engine = instance.engine();
            let report = instance.crash_report(exit);
            drop(instance);
            let Some(shared) = shared.upgrade() else {
                return;
            };
            lock(&shared.servers).remove(&id);
            if let Some(engines) = lock(&shared.engines).as_ref() {
                engines.note_failure(&id, report.clone());
            }
            let mut world = lock(&shared.world);
            let Some(mut db) = world.databases.get(&id).cloned() else {
                return;
            };
            if matches!(db.status, Status::Running | Status::Stopped) {
                tracing::warn!(database = %id, %engine, "{report}; the database is now in error");
                db.status = Status::Error;
                if let Err(e) = shared.save(&mut world, db) {
                    tracing::error!(database = %id, "cannot store the database's status: {e}");
                }
            }
        }
    }
}

/// Stop the real server of database `id`, if it has one, and wait until it
/// is stopped and its data removed.
pub(crate) async fn stop_server(shared: &Shared, id: &str) {
    if let Some(engines) = lock(&shared.engines).as_ref() {
        engines.forget_failure(id);
    }
    let handle: Option<StopHandle> = lock(&shared.servers).remove(id);
    if let Some(handle) = handle {
        let (tx, rx) = oneshot::channel();
        if handle.send(tx).is_ok() {
            let _ = rx.await;
        }
    }
}
