//! Databases: list (paged), create, create-if-missing, get, delete,
//! configuration, usage, stats, tokens, and waiting until a new database answers.

use std::future::Future;
use std::num::NonZeroU64;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::{Stream, TryStreamExt};
use serde::{Deserialize, Serialize};
use turso_platform_generated::types;

use crate::client::Token;
use crate::error::{Error, ErrorKind, Result};
use crate::groups::JwtBody;
use crate::model::{EncryptionCipher, SeedType, to_input};
use crate::runtime::Retry;
use crate::tokens::TokenRequest;
use crate::validate;

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
    /// println!("libsql://{}", db.hostname);
    /// # Ok(()) }
    /// ```
    Databases
}

/// A database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Database {
    /// The name, unique in the organization.
    #[serde(rename = "Name")]
    pub name: String,
    /// The database's UUID.
    #[serde(rename = "DbId")]
    pub id: String,
    /// The hostname for libSQL and HTTP connections.
    #[serde(rename = "Hostname")]
    pub hostname: String,
    /// The group the database belongs to.
    pub group: String,
    /// The primary location of the group.
    #[serde(rename = "primaryRegion", default)]
    pub primary_region: Option<String>,
    /// The group's locations (deprecated by the service; see [`crate::Group`]).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Whether reads are blocked.
    #[serde(default)]
    pub block_reads: bool,
    /// Whether writes are blocked.
    #[serde(default)]
    pub block_writes: bool,
    /// Whether delete protection is on.
    #[serde(default)]
    pub delete_protection: bool,
    /// The parent database of a branch.
    #[serde(default)]
    pub parent: Option<DatabaseParent>,
}

/// The parent of a branched database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatabaseParent {
    /// The parent's identifier.
    #[serde(default)]
    pub id: Option<String>,
    /// The parent's name.
    #[serde(default)]
    pub name: Option<String>,
}

/// A database as the create call answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedDatabase {
    /// The name.
    #[serde(rename = "Name")]
    pub name: String,
    /// The UUID.
    #[serde(rename = "DbId")]
    pub id: String,
    /// The hostname.
    #[serde(rename = "Hostname")]
    pub hostname: String,
}

impl From<Database> for CreatedDatabase {
    fn from(db: Database) -> Self {
        CreatedDatabase {
            name: db.name,
            id: db.id,
            hostname: db.hostname,
        }
    }
}

/// The result of an idempotent "ensure": created now, or already there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ensured<T> {
    /// Created by this call.
    Created(T),
    /// Already existed (and matched the request).
    Existing(T),
}

impl<T> Ensured<T> {
    /// The value, either way.
    pub fn into_inner(self) -> T {
        match self {
            Ensured::Created(t) | Ensured::Existing(t) => t,
        }
    }

    /// True when this call created it.
    pub fn was_created(&self) -> bool {
        matches!(self, Ensured::Created(_))
    }
}

impl<T> std::ops::Deref for Ensured<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Ensured::Created(t) | Ensured::Existing(t) => t,
        }
    }
}

/// How a new database is seeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seed {
    #[serde(rename = "type")]
    kind: SeedType,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
}

impl Seed {
    /// A copy of the database `name`.
    pub fn from_database(name: impl Into<String>) -> Self {
        Seed {
            kind: SeedType::Database,
            name: Some(name.into()),
            timestamp: None,
        }
    }

    /// A copy of the database `name` as it was at `at` (point-in-time recovery).
    pub fn from_database_at(name: impl Into<String>, at: DateTime<Utc>) -> Self {
        Seed {
            kind: SeedType::Database,
            name: Some(name.into()),
            timestamp: Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }

    /// An empty database awaiting an upload (see [`Databases::upload`]).
    pub fn upload() -> Self {
        Seed {
            kind: SeedType::DatabaseUpload,
            name: None,
            timestamp: None,
        }
    }

    /// The seed type.
    pub fn kind(&self) -> &SeedType {
        &self.kind
    }
}

/// Encryption at rest for a new database. The key is a [`Token`] and is never
/// printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encryption {
    /// The base64-encoded key.
    pub key: Token,
    /// The cipher (the service's default when `None`).
    pub cipher: Option<EncryptionCipher>,
}

impl Encryption {
    /// Encryption with a base64-encoded `key` and a `cipher`.
    pub fn new(key: impl Into<Token>, cipher: Option<EncryptionCipher>) -> Self {
        Encryption {
            key: key.into(),
            cipher,
        }
    }
}

impl Serialize for Encryption {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("encryption_key", self.key.expose())?;
        if let Some(c) = &self.cipher {
            m.serialize_entry("encryption_cipher", c)?;
        }
        m.end()
    }
}

/// A new database.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CreateDatabase {
    /// The name (lowercase letters, digits, dashes; at most 64 characters).
    pub name: String,
    /// The group; it must exist.
    pub group: String,
    /// How to seed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<Seed>,
    /// The maximum size, e.g. `256mb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<String>,
    /// Encryption at rest.
    #[serde(skip_serializing_if = "Option::is_none", rename = "remote_encryption")]
    pub encryption: Option<Encryption>,
}

impl CreateDatabase {
    /// A database `name` in `group`.
    pub fn new(name: impl Into<String>, group: impl Into<String>) -> Self {
        CreateDatabase {
            name: name.into(),
            group: group.into(),
            seed: None,
            size_limit: None,
            encryption: None,
        }
    }

    /// Seeds it.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Limits its size (e.g. `"256mb"`).
    pub fn size_limit(mut self, limit: impl Into<String>) -> Self {
        self.size_limit = Some(limit.into());
        self
    }

    /// Encrypts it.
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    fn check(&self) -> Result<()> {
        validate::database_name(&self.name)?;
        validate::group_name(&self.group)?;
        if let Some(Seed {
            name: Some(seed), ..
        }) = &self.seed
        {
            validate::database_name(seed)?;
        }
        Ok(())
    }
}

/// A database's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatabaseConfiguration {
    /// The maximum size, if limited.
    #[serde(default, deserialize_with = "crate::model::empty_as_none")]
    pub size_limit: Option<String>,
    /// Whether `ATTACH` is allowed.
    #[serde(default)]
    pub allow_attach: bool,
    /// Whether reads are blocked.
    #[serde(default)]
    pub block_reads: bool,
    /// Whether writes are blocked.
    #[serde(default)]
    pub block_writes: bool,
    /// Whether delete protection is on.
    #[serde(default)]
    pub delete_protection: bool,
    /// IP allow-list.
    #[serde(default)]
    pub allowed_ips: Vec<String>,
    /// AWS VPC allow-list.
    #[serde(default)]
    pub allowed_aws_vpc_ids: Vec<String>,
}

/// Changes to a database's configuration; unset fields stay as they are.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct DatabaseConfigurationUpdate {
    /// The maximum size, e.g. `"1gb"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<String>,
    /// Allows `ATTACH`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_attach: Option<bool>,
    /// Blocks reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_reads: Option<bool>,
    /// Blocks writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_writes: Option<bool>,
    /// Delete protection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_protection: Option<bool>,
    /// IP allow-list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_ips: Option<Vec<String>>,
    /// AWS VPC allow-list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_aws_vpc_ids: Option<Vec<String>>,
}

impl DatabaseConfigurationUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the size limit.
    pub fn size_limit(mut self, limit: impl Into<String>) -> Self {
        self.size_limit = Some(limit.into());
        self
    }
    /// Allows or forbids `ATTACH`.
    pub fn allow_attach(mut self, on: bool) -> Self {
        self.allow_attach = Some(on);
        self
    }
    /// Blocks or unblocks reads.
    pub fn block_reads(mut self, on: bool) -> Self {
        self.block_reads = Some(on);
        self
    }
    /// Blocks or unblocks writes.
    pub fn block_writes(mut self, on: bool) -> Self {
        self.block_writes = Some(on);
        self
    }
    /// Turns delete protection on or off.
    pub fn delete_protection(mut self, on: bool) -> Self {
        self.delete_protection = Some(on);
        self
    }
}

/// Usage counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageCounters {
    /// Rows read.
    #[serde(default)]
    pub rows_read: i64,
    /// Rows written.
    #[serde(default)]
    pub rows_written: i64,
    /// Bytes stored.
    #[serde(default)]
    pub storage_bytes: i64,
    /// Bytes synced to embedded replicas.
    #[serde(default)]
    pub bytes_synced: i64,
}

/// The usage of one instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InstanceUsage {
    /// The instance's UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Its counters.
    #[serde(default)]
    pub usage: UsageCounters,
}

/// The usage of a database over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatabaseUsage {
    /// The database's UUID.
    #[serde(default)]
    pub uuid: Option<String>,
    /// Per-instance usage.
    #[serde(default)]
    pub instances: Vec<InstanceUsage>,
    /// Totals.
    #[serde(default)]
    pub total: UsageCounters,
}

/// Statistics of one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueryStats {
    /// The SQL text.
    pub query: String,
    /// Rows read.
    #[serde(default)]
    pub rows_read: i64,
    /// Rows written.
    #[serde(default)]
    pub rows_written: i64,
}

/// A database's statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DatabaseStats {
    /// The most expensive queries.
    #[serde(default)]
    pub top_queries: Vec<QueryStats>,
}

/// Filters and page size for listing databases.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DatabaseListOptions {
    /// Only the databases of this group.
    pub group: Option<String>,
    /// Only the databases using this schema database.
    pub schema: Option<String>,
    /// Only the branches of this parent database ID.
    pub parent: Option<String>,
    /// Databases per page (the service's `limit`); `None` asks for everything at once.
    pub page_size: Option<NonZeroU64>,
}

impl DatabaseListOptions {
    /// No filters, no paging.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only the databases of `group`.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }
    /// Only the databases using the schema database `schema`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }
    /// Only the branches of the database with ID `parent`.
    pub fn parent(mut self, parent: impl Into<String>) -> Self {
        self.parent = Some(parent.into());
        self
    }
    /// Pages of `size` databases (0 means no paging).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = NonZeroU64::new(size);
        self
    }
}

/// One page of databases.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabasePage {
    /// The databases of this page.
    pub databases: Vec<Database>,
    /// The cursor of the next page, if more remain.
    pub next: Option<String>,
}

#[derive(Deserialize)]
struct ListBody {
    #[serde(default)]
    databases: Vec<Database>,
    #[serde(default)]
    pagination: Option<Pagination>,
}

#[derive(Deserialize)]
struct Pagination {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct DatabaseBody {
    database: Database,
}

#[derive(Deserialize)]
struct CreatedBody {
    database: CreatedDatabase,
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
        let org = self.org()?;
        if let Some(g) = &options.group {
            validate::group_name(g)?;
        }
        let g = self.client.generated();
        let mut b = g.list_databases().organization_slug(&org);
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
        let body: ListBody = self
            .client
            .run("listDatabases", Retry::Auto, || b.send())
            .await?;
        Ok(DatabasePage {
            databases: body.databases,
            next: body
                .pagination
                .and_then(|p| p.next)
                .filter(|n| !n.is_empty()),
        })
    }

    /// Every database matching `options` as a lazy stream: a page is requested
    /// only when the previous one has been consumed.
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
        crate::pagination::paged(None::<String>, move |cursor: Option<String>| {
            let this = this.clone();
            let options = options.clone();
            async move {
                let page = this.page(&options, cursor.as_deref()).await?;
                let next = match page.next {
                    // A cursor that does not move would loop forever: stop.
                    Some(n) if Some(&n) != cursor.as_ref() => Some(Some(n)),
                    _ => None,
                };
                Ok((page.databases, next))
            }
        })
    }

    /// Creates a database. Sent once and never retried (a repeat could create a
    /// duplicate or report one); use [`Databases::create_if_missing`] for an
    /// idempotent create.
    pub async fn create(&self, database: &CreateDatabase) -> Result<CreatedDatabase> {
        self.create_with(database, Retry::Never).await
    }

    pub(crate) async fn create_with(
        &self,
        database: &CreateDatabase,
        retry: Retry,
    ) -> Result<CreatedDatabase> {
        database.check()?;
        let org = self.org()?;
        let body: types::CreateDatabaseInput = to_input("database", database)?;
        let g = self.client.generated();
        let b: CreatedBody = self
            .client
            .run("createDatabase", retry, || {
                g.create_database()
                    .organization_slug(&org)
                    .body(body)
                    .send()
            })
            .await?;
        Ok(b.database)
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
        match self.create_with(database, Retry::Idempotent).await {
            Ok(db) => Ok(Ensured::Created(db)),
            Err(e) if e.is_already_exists() => {
                let existing = match self.get(&database.name).await {
                    Ok(db) => db,
                    Err(g) if g.is_not_found() => {
                        self.wait_until_ready(&database.name, ENSURE_LOOKUP_TIMEOUT)
                            .await?
                    }
                    Err(g) => return Err(g),
                };
                if existing.group != database.group {
                    return Err(Error::new(
                        ErrorKind::AlreadyExists,
                        format!(
                            "database {:?} already exists in group {:?}, not in the requested group {:?}",
                            database.name, existing.group, database.group
                        ),
                    )
                    .with_operation("createDatabase"));
                }
                // After an attempt whose answer was lost, that attempt most
                // likely created it.
                Ok(if e.after_lost_answer() {
                    Ensured::Created(existing.into())
                } else {
                    Ensured::Existing(existing.into())
                })
            }
            Err(e) => Err(e),
        }
    }

    /// One database.
    pub async fn get(&self, name: &str) -> Result<Database> {
        validate::database_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        let b: DatabaseBody = self
            .client
            .run("getDatabase", Retry::Auto, || {
                g.get_database()
                    .organization_slug(&org)
                    .database_name(name)
                    .send()
            })
            .await?;
        Ok(b.database)
    }

    /// Deletes a database; returns its name.
    pub async fn delete(&self, name: &str) -> Result<String> {
        validate::database_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        #[derive(Deserialize)]
        struct Body {
            database: String,
        }
        let deleted = self
            .client
            .run("deleteDatabase", Retry::Auto, || {
                g.delete_database()
                    .organization_slug(&org)
                    .database_name(name)
                    .send()
            })
            .await;
        let b = crate::Client::deleted_if_lost(deleted, || Body {
            database: name.to_string(),
        })?;
        Ok(b.database)
    }

    /// Polls until the database answers (a new database answers 404 for a while),
    /// with backoff, for at most `timeout`. Fails with [`ErrorKind::Timeout`] when
    /// it does not answer in time; errors other than "not found" and transient
    /// ones end the wait at once.
    pub async fn wait_until_ready(&self, name: &str, timeout: Duration) -> Result<Database> {
        validate::database_name(name)?;
        let what = format!("database {name:?}");
        poll_until_ready(&what, timeout, || self.get(name)).await
    }

    /// The database's configuration.
    pub async fn configuration(&self, name: &str) -> Result<DatabaseConfiguration> {
        validate::database_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        self.client
            .run("getDatabaseConfiguration", Retry::Auto, || {
                g.get_database_configuration()
                    .organization_slug(&org)
                    .database_name(name)
                    .send()
            })
            .await
    }

    /// Updates the configuration (an idempotent update) and returns the new one.
    pub async fn update_configuration(
        &self,
        name: &str,
        update: &DatabaseConfigurationUpdate,
    ) -> Result<DatabaseConfiguration> {
        validate::database_name(name)?;
        let org = self.org()?;
        let body: types::DatabaseConfigurationInput = to_input("configuration", update)?;
        let g = self.client.generated();
        self.client
            .run("updateDatabaseConfiguration", Retry::Auto, || {
                g.update_database_configuration()
                    .organization_slug(&org)
                    .database_name(name)
                    .body(body)
                    .send()
            })
            .await
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
            return Err(Error::invalid_input(
                "the usage period ends before it starts",
            ));
        }
        let org = self.org()?;
        let g = self.client.generated();
        let mut b = g
            .get_database_usage()
            .organization_slug(&org)
            .database_name(name);
        if let Some(f) = from {
            b = b.from(f);
        }
        if let Some(t) = to {
            b = b.to(t);
        }
        #[derive(Deserialize)]
        struct Body {
            database: DatabaseUsage,
        }
        let body: Body = self
            .client
            .run("getDatabaseUsage", Retry::Auto, || b.send())
            .await?;
        Ok(body.database)
    }

    /// The database's top queries.
    pub async fn stats(&self, name: &str) -> Result<DatabaseStats> {
        validate::database_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        self.client
            .run("getDatabaseStats", Retry::Auto, || {
                g.get_database_stats()
                    .organization_slug(&org)
                    .database_name(name)
                    .send()
            })
            .await
    }

    /// Mints a database token (sent once).
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
        let org = self.org()?;
        let g = self.client.generated();
        let mut b = g
            .create_database_token()
            .organization_slug(&org)
            .database_name(name)
            .body(request.body()?);
        if let Some(e) = &request.expiration {
            b = b.expiration(e.to_query());
        }
        if let Some(a) = &request.authorization {
            let a: types::CreateDatabaseTokenAuthorization = to_input("token authorization", a)?;
            b = b.authorization(a);
        }
        let jwt: JwtBody = self
            .client
            .run("createDatabaseToken", Retry::Never, || b.send())
            .await?;
        Ok(jwt.jwt)
    }

    /// Invalidates every token minted for the database so far (rotation).
    pub async fn invalidate_tokens(&self, name: &str) -> Result<()> {
        validate::database_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        self.client
            .run("invalidateDatabaseTokens", Retry::Never, || {
                g.invalidate_database_tokens()
                    .organization_slug(&org)
                    .database_name(name)
                    .send()
            })
            .await
    }

    /// The instances of database `name`.
    pub fn instances(&self, name: impl Into<String>) -> crate::Instances {
        crate::Instances::new(self.client.clone(), self.org.clone(), name.into())
    }

    pub(crate) fn client(&self) -> &crate::Client {
        &self.client
    }
}

/// Polls `get` until it succeeds, for at most `timeout`: "not found" and
/// transient errors are waited out with backoff, other errors end the wait.
pub(crate) async fn poll_until_ready<T, F, Fut>(
    what: &str,
    timeout: Duration,
    mut get: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let start = Instant::now();
    let mut interval = Duration::from_millis(100);
    let mut polls = 0u32;
    loop {
        polls += 1;
        let last = match get().await {
            Ok(v) => {
                tracing::debug!(what, polls, "ready");
                return Ok(v);
            }
            Err(e) if e.is_not_found() || e.is_transient() => e,
            Err(e) => return Err(e),
        };
        let elapsed = start.elapsed();
        if elapsed >= timeout {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "{what} was not ready after {:.1}s ({polls} polls; last answer: {last})",
                    elapsed.as_secs_f64()
                ),
            )
            .with_operation("waitUntilReady"));
        }
        tokio::time::sleep(interval.min(timeout - elapsed)).await;
        interval = (interval * 3 / 2).min(Duration::from_secs(2));
    }
}
