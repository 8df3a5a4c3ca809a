//! The waits on a database's status: until it is `running`, and until it is
//! destroyed. Both are [`sdk_runtime::wait::Wait`]s: they poll the database
//! with a growing pause (250 ms, then ×1.5 up to 5 s), wait through transient
//! failures, stop at once on any other error, and give up with
//! [`ErrorKind::Timeout`] when `limit` has passed, the name's look-up and the
//! request in flight included, naming the last thing seen.
//!
//! - Until running: returns the database once it is `running`; stops with
//!   [`ApiErrorKind::InvalidState`](crate::ApiErrorKind::InvalidState) (its
//!   `state` `"error"` or `"destroyed"`) once it is in a status it will not
//!   leave by itself; waits through `provisioning`, `stopped` (an operator
//!   may start it again), statuses this crate does not know and answers
//!   without a status.
//! - Until destroyed: returns once the database's status is `destroyed` or
//!   it is not found (by id, or no database of that name is left).

use std::time::Duration;

use sdk_runtime::wait::{Poll, Wait};

use super::{Database, Databases};
use crate::error::{self, Error, Result};
use crate::model::Status;

/// What a poll reports about a database's status.
fn status_seen(db: &Database) -> String {
    match &db.status {
        Some(status) => format!("status {status}"),
        None => "an answer without a status".to_string(),
    }
}

/// A transient failure is waited through; the wait reports it if time runs out.
fn waited_through<T>(e: Error) -> Result<Poll<T>> {
    if e.is_transient() {
        Ok(Poll::Waiting(e.to_string()))
    } else {
        Err(e)
    }
}

pub(super) async fn until_running(
    databases: &Databases,
    id_or_name: &str,
    limit: Duration,
) -> Result<Database> {
    let what = format!("database {id_or_name:?} was not running");
    let wait = Wait::new("waitUntilRunning", what, limit);
    let id = wait
        .step(databases.resolve(id_or_name, "waitUntilRunning"))
        .await?;
    wait.poll(|| async {
        let db = match databases.get_by_id(&id).await {
            Ok(db) => db,
            Err(e) => return waited_through(e),
        };
        match &db.status {
            Some(Status::Running) => Ok(Poll::Done(db)),
            Some(status) if status.is_dead_end() => Err(dead_end(&db, status)),
            _ => Ok(Poll::Waiting(status_seen(&db))),
        }
    })
    .await
}

pub(super) async fn until_destroyed(
    databases: &Databases,
    id_or_name: &str,
    limit: Duration,
) -> Result<()> {
    let what = format!("database {id_or_name:?} was not destroyed");
    let wait = Wait::new("waitUntilDestroyed", what, limit);
    let id = match wait
        .step(databases.resolve(id_or_name, "waitUntilDestroyed"))
        .await
    {
        Ok(id) => id,
        // No database of that name is left: nothing to wait for.
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    wait.poll(|| async {
        match databases.get_by_id(&id).await {
            Ok(db) if db.is(&Status::Destroyed) => Ok(Poll::Done(())),
            Ok(db) => Ok(Poll::Waiting(status_seen(&db))),
            Err(e) if e.is_not_found() => Ok(Poll::Done(())),
            Err(e) => waited_through(e),
        }
    })
    .await
}

/// The error for a database the wait cannot see through to `running`.
fn dead_end(db: &Database, status: &Status) -> Error {
    let why = match status {
        Status::Destroyed => "it was deleted, which is final",
        _ => "provisioning or the instance failed; only an operator can repair it",
    };
    error::new(
        error::invalid_state(Some(status.as_str().to_string())),
        format!(
            "database {:?} ({}) is {status}, so it will not be running: {why}",
            db.name, db.id
        ),
    )
}
