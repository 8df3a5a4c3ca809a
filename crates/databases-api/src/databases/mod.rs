//! The databases of the token's project: list, get, create (once, or
//! idempotently by name), delete, credentials, and the waits until a database
//! is `running` or destroyed. The types are in [`model`]; the waits in
//! [`wait`].
//!
//! Every call that names a database takes an id (`db_...`) or a name: a name
//! is a DNS label, which has no `_`, so the two never collide. A name is
//! looked up in the list first (one more request), since the API addresses
//! databases by id only.

mod model;
mod wait;

use std::time::Duration;

use databases_api_generated::types;
use progenitor_client::ResponseValue;
use sdk_runtime::{Deleted, Ensured, Idempotency};

pub use model::{CreateDatabase, CreatedDatabase, Database};

use crate::client::Client;
use crate::credentials::Credentials;
use crate::error::{self, ErrorKind, Result, with_operation};

/// The databases of the token's project; obtained with
/// [`Client::databases`].
///
/// ```no_run
/// # async fn run(client: databases_api::Client) -> databases_api::Result<()> {
/// use std::time::Duration;
/// use databases_api::{CreateDatabase, Engine};
///
/// let dbs = client.databases();
/// let input = CreateDatabase::new("orders", Engine::Postgresql, "db-s-2vcpu-4gb", "nyc1");
/// let created = dbs.create_if_missing(&input).await?;
/// let db = dbs.wait_until_running(&created.id, Duration::from_secs(300)).await?;
/// let creds = dbs.credentials(&db.id).await?;
/// if let Some(url) = creds.connection_string() {
///     println!("{}", url.redacted());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Databases {
    client: Client,
}

impl Client {
    /// The databases of the token's project.
    pub fn databases(&self) -> Databases {
        Databases {
            client: self.clone(),
        }
    }
}

/// How many times [`Databases::create_if_missing`] tries again when the
/// database that made its create fail is gone before it could be read (it was
/// deleted in between).
const ENSURE_ROUNDS: usize = 3;

impl Databases {
    /// Every database of the project that is not destroyed, oldest first.
    /// An item that cannot be identified (no `id` or `name`) is left out and
    /// reported through `tracing`; a field of an unexpected type reads as
    /// absent (see the crate's README, "Tolerant answers").
    pub async fn list(&self) -> Result<Vec<Database>> {
        let all = self
            .client
            .call("listDatabases", Idempotency::Safe, |g| {
                g.list_databases().send()
            })
            .await?;
        Ok(all.into_iter().map(Database::from).collect())
    }

    /// The database named `name`, if one that is not destroyed exists.
    pub async fn find(&self, name: &str) -> Result<Option<Database>> {
        if !model::is_name(name) {
            return Err(error::invalid_input(format!(
                "{name:?} is not a database name (a DNS label)"
            )));
        }
        let all = self.list().await?;
        Ok(all.into_iter().find(|db| db.name == name))
    }

    /// One database, by id or name. By id, a destroyed database is still
    /// answered (status `destroyed`); by name, it is not found.
    pub async fn get(&self, id_or_name: &str) -> Result<Database> {
        let id = self.resolve(id_or_name, "getDatabase").await?;
        self.get_by_id(&id).await
    }

    async fn get_by_id(&self, id: &str) -> Result<Database> {
        self.client
            .call("getDatabase", Idempotency::Safe, |g| {
                g.get_database().id(id).send()
            })
            .await
            .map(Database::from)
    }

    /// Creates a database; the answer is at once, with status
    /// `provisioning` (see [`Databases::wait_until_running`]). The input is
    /// checked first ([`CreateDatabase::check`]). Sent once and never
    /// repeated after an answer that was lost (a repeat could report a
    /// duplicate); [`Databases::create_if_missing`] is the idempotent create.
    pub async fn create(&self, input: &CreateDatabase) -> Result<CreatedDatabase> {
        self.create_with(input, Idempotency::Unsafe).await
    }

    async fn create_with(
        &self,
        input: &CreateDatabase,
        idempotency: Idempotency,
    ) -> Result<CreatedDatabase> {
        let body = types::CreateDatabase::try_from(input)
            .map_err(|e| with_operation(e, "createDatabase"))?;
        self.client
            .call("createDatabase", idempotency, |g| {
                g.create_database().body(body.clone()).send()
            })
            .await
            .map(CreatedDatabase::from)
    }

    /// Creates the database unless one of that name exists. "Already exists"
    /// (409) is success when the existing database has the requested engine
    /// ([`Ensured::Existing`]), and an [`ErrorKind::AlreadyExists`] error
    /// naming its engine otherwise. Its other settings (version, plan,
    /// region, sizes) are not compared: the answer's database says what they
    /// are. Safe to repeat, so transient failures are retried; when an
    /// attempt's answer was lost and the repeat finds the database, the
    /// result is [`Ensured::Created`], since that attempt most likely made it.
    pub async fn create_if_missing(
        &self,
        input: &CreateDatabase,
    ) -> Result<Ensured<CreatedDatabase>> {
        let mut last = None;
        for _ in 0..ENSURE_ROUNDS {
            let conflict = match self.create_with(input, Idempotency::Safe).await {
                Ok(created) => return Ok(Ensured::Created(created)),
                Err(e) if e.is_already_exists() => e,
                Err(e) => return Err(e),
            };
            let Some(existing) = self.find(&input.name).await? else {
                // Deleted between the create and the look-up: create again.
                last = Some(conflict);
                continue;
            };
            // An answer without an engine is given the benefit of the doubt.
            if let Some(engine) = existing.engine.as_ref().filter(|e| **e != input.engine) {
                let message = format!(
                    "database {:?} already exists as {engine} ({}), not {}",
                    input.name, existing.id, input.engine
                );
                let e = error::new(ErrorKind::AlreadyExists, message);
                return Err(with_operation(e, "createDatabase"));
            }
            let existing = CreatedDatabase::from(existing);
            return Ok(if conflict.after_lost_answer() {
                Ensured::Created(existing)
            } else {
                Ensured::Existing(existing)
            });
        }
        Err(last.unwrap_or_else(|| error::new(ErrorKind::AlreadyExists, "no attempt was made")))
    }

    /// Deletes a database, by id or name: permanent. Returns
    /// [`Deleted`] with the database's id. The service answers 200 or 204
    /// once it is destroyed ([`Deleted::destroyed`] is `true`) or 202 once it
    /// has accepted the deletion, which goes on ([`Deleted::destroyed`] is
    /// `false`; see [`Databases::wait_until_destroyed`]). Safe to repeat, so
    /// transient failures are retried; when an attempt's answer was lost and
    /// the repeat finds no such database, that attempt deleted it: success.
    pub async fn delete(&self, id_or_name: &str) -> Result<Deleted> {
        let id = self.resolve(id_or_name, "deleteDatabase").await?;
        let answered = self
            .client
            .call("deleteDatabase", Idempotency::Safe, |g| {
                let send = g.delete_database().id(&id).send();
                // Only the status says something: 202 is "still going on".
                async move {
                    send.await.map(|answer| {
                        let status = answer.status();
                        ResponseValue::new(status.as_u16(), status, answer.headers().clone())
                    })
                }
            })
            .await;
        sdk_runtime::deleted_after_lost_answer(id, answered.map(|status| status != 202))
    }

    /// Waits until the database (by id or name) is destroyed: its status is
    /// `destroyed`, or it is not found (by id; by name, once no database of
    /// that name is left). For a delete answered 202; polling as
    /// [`Databases::wait_until_running`] does, `limit` bounding the whole
    /// wait ([`ErrorKind::Timeout`] past it, naming the last status seen).
    pub async fn wait_until_destroyed(&self, id_or_name: &str, limit: Duration) -> Result<()> {
        wait::until_destroyed(self, id_or_name, limit).await
    }

    /// How to connect to a database, by id or name, in its engine's shape.
    /// The service's answer names no engine: the shape is the one its
    /// `db_type` or connection string's scheme names, else its database's
    /// engine (read with one more request), else [`Credentials::Other`].
    /// There are credentials only while it is `running`; otherwise the
    /// service answers 409, given as
    /// [`ApiErrorKind::InvalidState`](crate::ApiErrorKind::InvalidState) with the
    /// database's status (read with one more request). Errors never quote
    /// the answer, which carries the password.
    pub async fn credentials(&self, id_or_name: &str) -> Result<Credentials> {
        const OPERATION: &str = "getDatabaseCredentials";
        let id = self.resolve(id_or_name, OPERATION).await?;
        let answer = self
            .client
            .call(OPERATION, Idempotency::Safe, |g| {
                g.get_database_credentials().id(&id).send()
            })
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            // A 409 here is "not running", not a duplicate: say which status
            // it is in, so that a caller can tell waiting from giving up.
            Err(e) if e.status() == Some(409) => {
                let state = self
                    .get_by_id(&id)
                    .await
                    .ok()
                    .and_then(|db| db.status)
                    .map(|status| status.to_string());
                return Err(error::with_kind(e, error::invalid_state(state)));
            }
            Err(e) => return Err(error::withhold_answer(e)),
        };
        let engine = match Credentials::engine_named_by(&answer) {
            Some(engine) => Some(engine),
            // Without its database, the answer is still host, port and string.
            None => self.get_by_id(&id).await.ok().and_then(|db| db.engine),
        };
        Credentials::from_answer(answer, engine).map_err(|e| with_operation(e, OPERATION))
    }

    /// Waits until the database (by id or name) is `running` and returns it,
    /// polling with a growing pause (250 ms up to 5 s). Stops early with
    /// [`ApiErrorKind::InvalidState`](crate::ApiErrorKind::InvalidState)
    /// (`state` `"error"` or `"destroyed"`) when
    /// it will not be running by itself, and with any error that is not
    /// transient; waits through `provisioning`, `stopped` and unknown
    /// statuses. `limit` bounds the whole wait, the name's look-up and the
    /// request in flight included; past it the wait fails with
    /// [`ErrorKind::Timeout`] naming the last status seen.
    pub async fn wait_until_running(&self, id_or_name: &str, limit: Duration) -> Result<Database> {
        wait::until_running(self, id_or_name, limit).await
    }

    /// The id of `id_or_name`: itself when it is not a name, else the id of
    /// the database of that name (or [`ErrorKind::NotFound`]).
    async fn resolve(&self, id_or_name: &str, operation: &'static str) -> Result<String> {
        if id_or_name.is_empty() || id_or_name.chars().any(char::is_control) {
            let e = error::invalid_input(format!(
                "{id_or_name:?} is neither a database id nor a name"
            ));
            return Err(with_operation(e, operation));
        }
        if !model::is_name(id_or_name) {
            return Ok(id_or_name.to_string());
        }
        match self.find(id_or_name).await? {
            Some(db) => Ok(db.id),
            None => {
                let e = error::new(
                    ErrorKind::NotFound,
                    format!("no database named {id_or_name:?}"),
                );
                Err(with_operation(e, operation))
            }
        }
    }
}
