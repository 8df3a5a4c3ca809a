//! The wait until a database is `running`: polls it with a growing pause
//! (250 ms, then ×1.5 up to 5 s) and
//!
//! - returns it once it is `running`;
//! - stops with [`ErrorKind::InvalidState`] (its `state` `"error"` or
//!   `"destroyed"`) once it is in a status it will not leave by itself;
//! - waits through `provisioning`, `stopped` (an operator may start it again)
//!   and statuses this crate does not know, and through transient failures;
//! - stops at once on any other error (`NotFound`, `Unauthorized`, ...);
//! - gives up with [`ErrorKind::Timeout`] when `limit` has passed, the name's
//!   look-up and the request in flight included (`tokio::time::timeout`
//!   drops it), naming the last status seen.

use std::time::Duration;

use sdk_runtime::{Error, ErrorKind, Result};

use super::{Database, Databases};
use crate::model::Status;

/// The name errors of the wait carry as their operation.
const OPERATION: &str = "waitUntilRunning";

const FIRST_PAUSE: Duration = Duration::from_millis(250);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

pub(super) async fn until_running(
    databases: &Databases,
    id_or_name: &str,
    limit: Duration,
) -> Result<Database> {
    let mut polls = 0u32;
    let mut last_seen: Option<String> = None;
    let polling = async {
        let id = databases.resolve(id_or_name, OPERATION).await?;
        let mut pause = FIRST_PAUSE;
        loop {
            polls += 1;
            match databases.get_by_id(&id).await {
                Ok(db) if db.status == Status::Running => return Ok(db),
                Ok(db) if db.status.is_dead_end() => return Err(dead_end(&db)),
                Ok(db) => last_seen = Some(format!("status {}", db.status)),
                Err(e) if e.is_transient() => last_seen = Some(e.to_string()),
                Err(e) => return Err(e.with_operation(OPERATION)),
            }
            tokio::time::sleep(pause).await;
            pause = pause.mul_f64(1.5).min(LONGEST_PAUSE);
        }
    };
    let outcome = tokio::time::timeout(limit, polling).await;
    outcome.unwrap_or_else(|_| {
        Err(Error::timed_out(format!(
            "database {id_or_name:?} was not running after {:.1}s ({polls} polls; last seen: {})",
            limit.as_secs_f64(),
            last_seen.as_deref().unwrap_or("nothing yet")
        ))
        .with_operation(OPERATION))
    })
}

/// The error for a database the wait cannot see through to `running`.
fn dead_end(db: &Database) -> Error {
    let why = match db.status {
        Status::Destroyed => "it was deleted, which is final",
        _ => "provisioning or the instance failed; only an operator can repair it",
    };
    Error::new(
        ErrorKind::InvalidState {
            state: Some(db.status.as_str().to_string()),
        },
        format!(
            "database {:?} ({}) is {}, so it will not be running: {why}",
            db.name, db.id, db.status
        ),
    )
    .with_operation(OPERATION)
}
