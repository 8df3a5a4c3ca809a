//! Databases: list (paged), create, create-if-missing, get, delete,
//! configuration, usage, stats, tokens, and waiting until a new database
//! answers. The types are in [`model`].

mod model;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{Stream, TryStreamExt};
use sdk_runtime::wait::{Poll, Wait};
use turso_platform_generated::types;

pub use model::{
    CreateDatabase, CreatedDatabase, Database, DatabaseConfiguration, DatabaseConfigurationUpdate,
    DatabaseListOptions, DatabasePage, DatabaseParent, DatabaseStats, DatabaseUsage, Encryption,
    InstanceUsage, QueryStats, Seed, UsageCounters,
};
pub use sdk_runtime::Ensured;

use crate::pagination::{Cursors, MAX_PAGES};
use crate::tokens::TokenRequest;
use crate::{Client, Deleted, ErrorKind, Idempotency, Result, Token, validate};

crate::org_handle! {
    /// The databases of an organization. Obtained with [`crate::Client::databases`]
    /// or [`crate::OrgScope::databases`].
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use std::time::Duration;
    /// use turso_platform::CreateDatabase;
    ///
    /// let dbs = client.databases();
    /// let created = dbs.create_if_missing(&CreateDatabase::new("orders", "default")).await?;
    /// let db = dbs.wait_until_ready(&created.name, Duration::from_secs(60)).await?;
    /// println!("libsql://{}", db.hostname.as_deref().unwrap_or_default());
    /// # Ok(()) }
    /// ```
    Databases
}

/// The default timeout of [`Databases::create_if_missing`]'s look-up of an
/// existing database that is still provisioning.
const ENSURE_LOOKUP_TIMEOUT: Duration = Duration::from_secs(30);

impl Databases {
    /// Every database. Asks for everything at once, and still follows
    /// `pagination.next` should the service page the answer anyway.
    pub async fn list(&self) -> Result<Vec<Database>> {
        self.list_with(&DatabaseListOptions::new()).await
    }

    /// Every database matching `options`, fetched page by page when
    /// `options.page_size` is set.
    pub async fn list_with(&self, options: &DatabaseListOptions) -> Result<Vec<Database>> {
        self.stream(options.clone()).try_collect().await
    }

    /// One page of databases: `cursor` is `None` for the first page, then the
    /// previous page's `next`.
    pub async fn page(
        &self,
        options: &DatabaseListOptions,
        cursor: Option<&str>,
    ) -> Result<DatabasePage> {
        if let Some(g) = &options.group {
            validate::group_name(g)?;
        }
        let answer = self
            .scope
            .call("listDatabases", Idempotency::Safe, |g, org| {
                let mut b = g.list_databases().organization_slug(org);
                if let Some(v) = &options.group {
                    b = b.group(v.clone());
                }
                if let Some(v) = &options.schema {
                    b = b.schema(v.clone());
                }
                if let Some(v) = &options.parent {
                    b = b.parent(v.clone());
                }
                if let Some(v) = options.page_size {
                    b = b.limit(v);
                }
                if let Some(c) = cursor {
                    b = b.cursor(c.to_string());
                }
                b.send()
            })
            .await?;
        Ok(DatabasePage {
            databases: answer.databases.into_iter().map(Into::into).collect(),
            next: answer
                .pagination
                .and_then(|p| p.next)
                .filter(|n| !n.is_empty()),
        })
    }

    /// Every database matching `options` as a lazy stream: a page is requested
    /// only when the previous one has been consumed. A server whose cursors go
    /// round in a circle, or never end, ends the stream with an error.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use futures::TryStreamExt;
    /// use turso_platform::DatabaseListOptions;
    ///
    /// let mut dbs = client.databases().stream(DatabaseListOptions::new().page_size(50));
    /// while let Some(db) = dbs.try_next().await? {
    ///     println!("{}", db.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(
        &self,
        options: DatabaseListOptions,
    ) -> impl Stream<Item = Result<Database>> + Send + 'static {
        let this = self.clone();
        let first = (None::<String>, Cursors::new("listDatabases", MAX_PAGES));
        crate::pagination::paged(first, move |(cursor, mut cursors)| {
            let this = this.clone();
            let options = options.clone();
            async move {
                let page = this.page(&options, cursor.as_deref()).await?;
                let next = cursors.follow(page.next)?.map(|n| (Some(n), cursors));
                Ok((page.databases, next))
            }
        })
    }

    /// Creates a database. Sent once and never retried (a repeat could create a
    /// duplicate or report one); use [`Databases::create_if_missing`] for an
    /// idempotent create.
    pub async fn create(&self, database: &CreateDatabase) -> Result<CreatedDatabase> {
        self.create_with(database, Idempotency::Unsafe).await
    }

    pub(crate) async fn create_with(
        &self,
        database: &CreateDatabase,
        idempotency: Idempotency,
    ) -> Result<CreatedDatabase> {
        database.check()?;
        let body = types::CreateDatabaseInput::try_from(database)?;
        let answer = self
            .scope
            .call("createDatabase", idempotency, |g, org| {
                g.create_database()
                    .organization_slug(org)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(answer.database.into())
    }

    /// Creates the database unless it exists. "Already exists" (a 409, or the
    /// live service's 400) is success when the existing database is in the
    /// requested group, and an [`ErrorKind::AlreadyExists`] error naming the
    /// other group otherwise. Safe to retry, so transient failures are retried;
    /// when an attempt's answer was lost and the retry finds the database, the
    /// result is [`Ensured::Created`], since that attempt most likely created it.
    pub async fn create_if_missing(
        &self,
        database: &CreateDatabase,
    ) -> Result<Ensured<CreatedDatabase>> {
        let e = match self.create_with(database, Idempotency::Safe).await {
            Ok(db) => return Ok(Ensured::Created(db)),
            Err(e) if e.is_already_exists() => e,
            Err(e) => return Err(e),
        };
        let existing = match self.get(&database.name).await {
            Ok(db) => db,
            Err(g) if g.is_not_found() => {
                self.wait_until_ready(&database.name, ENSURE_LOOKUP_TIMEOUT)
                    .await?
            }
            Err(g) => return Err(g),
        };
        // An answer that does not name the group cannot contradict the
        // request: the database of this name is taken as the one asked for.
        if existing
            .group
            .as_ref()
            .is_some_and(|group| *group != database.group)
        {
            let message = format!(
                "database {:?} already exists in group {:?}, not in the requested group {:?}",
                database.name,
                existing.group.as_deref().unwrap_or_default(),
                database.group
            );
            let e = crate::error::new(ErrorKind::AlreadyExists, message);
            return Err(crate::error::with_operation(e, "createDatabase"));
        }
        // After an attempt whose answer was lost, that attempt most likely
        // created it.
        Ok(if e.after_lost_answer() {
            Ensured::Created(existing.into())
        } else {
            Ensured::Existing(existing.into())
        })
    }

    /// One database.
    pub async fn get(&self, name: &str) -> Result<Database> {
        validate::database_name(name)?;
        let answer = self
            .scope
            .call("getDatabase", Idempotency::Safe, |g, org| {
                g.get_database()
                    .organization_slug(org)
                    .database_name(name)
                    .send()
            })
            .await?;
        Ok(answer.database.into())
    }

    /// Deletes a database; the [`Deleted`] names it (the service deletes at
    /// once: `destroyed` is `true`). A retry that finds nothing left after an
    /// attempt whose answer was lost counts as success.
    pub async fn delete(&self, name: &str) -> Result<Deleted> {
        validate::database_name(name)?;
        let deleted = self
            .scope
            .call("deleteDatabase", Idempotency::Safe, |g, org| {
                g.delete_database()
                    .organization_slug(org)
                    .database_name(name)
                    .send()
            })
            .await
            .map(|_| true);
        sdk_runtime::deleted_after_lost_answer(name.to_string(), deleted)
    }

    /// Moves the database to the latest server version (`turso db update`);
    /// [`Database::version`] shows it once done. Repeating it is harmless.
    pub async fn update_version(&self, name: &str) -> Result<()> {
        validate::database_name(name)?;
        self.scope
            .call("updateDatabaseVersion", Idempotency::Safe, |g, org| {
                g.update_database_version()
                    .organization_slug(org)
                    .database_name(name)
                    .send()
            })
            .await?;
        Ok(())
    }

    /// Polls the Platform API until it knows the database (a new database
    /// answers 404 for a while), for at most `timeout` in all, the request in
    /// flight included. Fails with [`ErrorKind::Timeout`] when it does not
    /// answer in time; errors other than "not found" and transient ones end
    /// the wait at once.
    ///
    /// This says the Platform API knows the database, not that it serves
    /// queries yet: its data plane may still answer 404 for a few seconds.
    pub async fn wait_until_ready(&self, name: &str, timeout: Duration) -> Result<Database> {
        validate::database_name(name)?;
        let wait = ready_wait(&format!("database {name:?}"), timeout);
        wait.poll(|| known(self.get(name))).await
    }

    /// The database's configuration.
    pub async fn configuration(&self, name: &str) -> Result<DatabaseConfiguration> {
        validate::database_name(name)?;
        let answer = self
            .scope
            .call("getDatabaseConfiguration", Idempotency::Safe, |g, org| {
                g.get_database_configuration()
                    .organization_slug(org)
                    .database_name(name)
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Updates the configuration (an idempotent update) and returns the new one.
    pub async fn update_configuration(
        &self,
        name: &str,
        update: &DatabaseConfigurationUpdate,
    ) -> Result<DatabaseConfiguration> {
        validate::database_name(name)?;
        let body = types::DatabaseConfigurationInput::from(update);
        let answer = self
            .scope
            .call(
                "updateDatabaseConfiguration",
                Idempotency::Safe,
                |g, org| {
                    g.update_database_configuration()
                        .organization_slug(org)
                        .database_name(name)
                        .body(body.clone())
                        .send()
                },
            )
            .await?;
        Ok(answer.into())
    }

    /// The usage in the current calendar month.
    pub async fn usage(&self, name: &str) -> Result<DatabaseUsage> {
        self.usage_between(name, None, None).await
    }

    /// The usage between `from` and `to` (each defaulting to the current month).
    pub async fn usage_between(
        &self,
        name: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<DatabaseUsage> {
        validate::database_name(name)?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(crate::error::invalid_input(
                "the usage period ends before it starts",
            ));
        }
        let answer = self
            .scope
            .call("getDatabaseUsage", Idempotency::Safe, |g, org| {
                let mut b = g
                    .get_database_usage()
                    .organization_slug(org)
                    .database_name(name);
                if let Some(f) = from {
                    b = b.from(f);
                }
                if let Some(t) = to {
                    b = b.to(t);
                }
                b.send()
            })
            .await?;
        Ok(answer.into())
    }

    /// The database's top queries.
    pub async fn stats(&self, name: &str) -> Result<DatabaseStats> {
        validate::database_name(name)?;
        let answer = self
            .scope
            .call("getDatabaseStats", Idempotency::Safe, |g, org| {
                g.get_database_stats()
                    .organization_slug(org)
                    .database_name(name)
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Mints a database token (sent once). Its value never appears in errors:
    /// an answer that does not decode is reported without quoting it.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use std::time::Duration;
    /// use turso_platform::TokenRequest;
    /// let token = client
    ///     .databases()
    ///     .create_token("orders", &TokenRequest::new().read_only().expires_in(Duration::from_secs(3600)))
    ///     .await?;
    /// println!("{token}"); // prints Token(****)
    /// # Ok(()) }
    /// ```
    pub async fn create_token(&self, name: &str, request: &TokenRequest) -> Result<Token> {
        validate::database_name(name)?;
        request.check()?;
        let body = request.body();
        let authorization = request
            .authorization
            .as_ref()
            .map(types::CreateDatabaseTokenAuthorization::try_from)
            .transpose()?;
        let answer = self
            .scope
            .call("createDatabaseToken", Idempotency::Unsafe, |g, org| {
                let mut b = g
                    .create_database_token()
                    .organization_slug(org)
                    .database_name(name)
                    .body(body.clone());
                if let Some(e) = &request.expiration {
                    b = b.expiration(e.to_query());
                }
                if let Some(a) = authorization {
                    b = b.authorization(a);
                }
                b.send()
            })
            .await
            .map_err(crate::error::withhold_answer)?;
        Ok(Token::new(answer.jwt))
    }

    /// Invalidates every token minted for the database so far (rotation).
    pub async fn invalidate_tokens(&self, name: &str) -> Result<()> {
        validate::database_name(name)?;
        self.scope
            .call("invalidateDatabaseTokens", Idempotency::Unsafe, |g, org| {
                g.invalidate_database_tokens()
                    .organization_slug(org)
                    .database_name(name)
                    .send()
            })
            .await
    }

    /// The instances of database `name`.
    pub fn instances(&self, name: impl Into<String>) -> crate::Instances {
        crate::Instances::new(self.scope.clone(), name.into())
    }

    /// The client the calls are sent with (for the uploads and the data
    /// plane, which send outside the generated client).
    pub(crate) fn client(&self) -> &Client {
        self.scope.client()
    }
}

/// The pauses of the readiness waits: 100 ms at first, growing to 2 s.
pub(crate) const READY_PAUSES: (Duration, Duration) =
    (Duration::from_millis(100), Duration::from_secs(2));

/// A readiness wait for `what` (`"database \"orders\""`), for at most
/// `limit`; see [`known`] for its polls.
pub(crate) fn ready_wait(what: &str, limit: Duration) -> Wait {
    let (first, longest) = READY_PAUSES;
    Wait::new("waitUntilReady", format!("{what} was not ready"), limit).pauses(first, longest)
}

/// One poll of a readiness wait: the answer once there is one; "not found"
/// (a new resource answers 404 for a while) and transient errors are waited
/// out; other errors end the wait.
pub(crate) async fn known<T>(get: impl Future<Output = Result<T>>) -> Result<Poll<T>> {
    match get.await {
        Ok(value) => Ok(Poll::Done(value)),
        Err(e) if e.is_not_found() || e.is_transient() => Ok(Poll::Waiting(e.to_string())),
        Err(e) => Err(e),
    }
}
