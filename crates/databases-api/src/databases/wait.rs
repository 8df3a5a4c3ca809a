//! The waits on a database's status: until it is `running`, and until it is
//! destroyed. Both poll it with a growing pause (250 ms, then ×1.5 up to 5 s),
//! wait through transient failures, stop at once on any other error, and give
//! up with [`ErrorKind::Timeout`] when `limit` has passed, the name's look-up
//! and the request in flight included (`tokio::time::timeout` drops it),
//! naming the last thing seen.
//!
//! - Until running: returns the database once it is `running`; stops with
//!   [`ErrorKind::InvalidState`] (its `state` `"error"` or `"destroyed"`)
//!   once it is in a status it will not leave by itself; waits through
//!   `provisioning`, `stopped` (an operator may start it again), statuses
//!   this crate does not know and answers without a status.
//! - Until destroyed: returns once the database's status is `destroyed` or
//!   it is not found (by id, or no database of that name is left).

use std::future::Future;
use std::time::Duration;

use sdk_runtime::{Error, ErrorKind, Result};
use tokio::time::{Instant, timeout_at};

use super::{Database, Databases};
use crate::model::Status;

const FIRST_PAUSE: Duration = Duration::from_millis(250);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// What one poll saw: the end of the wait, or what to report if time runs
/// out.
enum Poll<T> {
    Done(T),
    Waiting(String),
}

/// A wait: what it waits for (for its timeout error), the operation its
/// errors name, and when it gives up.
struct Wait {
    what: String,
    operation: &'static str,
    limit: Duration,
    deadline: Instant,
}

impl Wait {
    fn new(what: String, operation: &'static str, limit: Duration) -> Wait {
        // A limit too long to add is as good as none (a century).
        let now = Instant::now();
        let deadline = now
            .checked_add(limit)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
        Wait {
            what,
            operation,
            limit,
            deadline,
        }
    }

    fn timed_out(&self, polls: u32, last_seen: Option<&str>) -> Error {
        Error::timed_out(format!(
            "{} after {:.1}s ({polls} polls; last seen: {})",
            self.what,
            self.limit.as_secs_f64(),
            last_seen.unwrap_or("nothing yet")
        ))
        .with_operation(self.operation)
    }

    /// `step` (the name's look-up), bounded by the deadline.
    async fn first<T>(&self, step: impl Future<Output = Result<T>>) -> Result<T> {
        match timeout_at(self.deadline, step).await {
            Ok(result) => result.map_err(|e| e.with_operation(self.operation)),
            Err(_) => Err(self.timed_out(0, None)),
        }
    }

    /// Polls `probe` until it is done, fails or the deadline passes (see the
    /// module docs).
    async fn poll<T, F, Fut>(&self, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Poll<T>>>,
    {
        let mut polls = 0u32;
        let mut last_seen: Option<String> = None;
        let polling = async {
            let mut pause = FIRST_PAUSE;
            loop {
                polls += 1;
                match probe().await {
                    Ok(Poll::Done(value)) => return Ok(value),
                    Ok(Poll::Waiting(seen)) => last_seen = Some(seen),
                    Err(e) if e.is_transient() => last_seen = Some(e.to_string()),
                    Err(e) => return Err(e.with_operation(self.operation)),
                }
                tokio::time::sleep(pause).await;
                pause = pause.mul_f64(1.5).min(LONGEST_PAUSE);
            }
        };
        let outcome = timeout_at(self.deadline, polling).await;
        outcome.unwrap_or_else(|_| Err(self.timed_out(polls, last_seen.as_deref())))
    }
}

/// What a poll reports about a database's status.
fn status_seen(db: &Database) -> String {
    match &db.status {
        Some(status) => format!("status {status}"),
        None => "an answer without a status".to_string(),
    }
}

pub(super) async fn until_running(
    databases: &Databases,
    id_or_name: &str,
    limit: Duration,
) -> Result<Database> {
    let what = format!("database {id_or_name:?} was not running");
    let wait = Wait::new(what, "waitUntilRunning", limit);
    let id = wait
        .first(databases.resolve(id_or_name, wait.operation))
        .await?;
    wait.poll(|| async {
        let db = databases.get_by_id(&id).await?;
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
    let wait = Wait::new(what, "waitUntilDestroyed", limit);
    let id = match wait
        .first(databases.resolve(id_or_name, wait.operation))
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
            Err(e) => Err(e),
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
    Error::new(
        ErrorKind::InvalidState {
            state: Some(status.as_str().to_string()),
        },
        format!(
            "database {:?} ({}) is {status}, so it will not be running: {why}",
            db.name, db.id
        ),
    )
}
