//! The types of the databases resource: what the facade returns and takes,
//! and their conversions from and into the generated types (plain `From` /
//! `TryFrom`: a change of the spec's schemas breaks them at compile time).

use std::num::NonZeroU64;

use chrono::{DateTime, Utc};
use turso_platform_generated::types;

use crate::model::{EncryptionCipher, SeedType, non_empty};
use crate::{Error, Result, Token, validate};

/// A database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Database {
    /// The name, unique in the organization.
    pub name: String,
    /// The database's UUID.
    pub id: String,
    /// The hostname for libSQL and HTTP connections (`None` when the answer
    /// lacked it: the database is still identified by its name, and
    /// [`Databases::get`](crate::Databases::get) asks again).
    pub hostname: Option<String>,
    /// The group the database belongs to (`None` when the answer lacked it,
    /// as some 2024 answers did).
    pub group: Option<String>,
    /// The primary location of the group.
    pub primary_region: Option<String>,
    /// The group's locations (deprecated by the service; see [`crate::Group`]).
    pub regions: Vec<String>,
    /// Whether reads are blocked.
    pub block_reads: bool,
    /// Whether writes are blocked.
    pub block_writes: bool,
    /// Whether delete protection is on.
    pub delete_protection: bool,
    /// The parent database of a branch.
    pub parent: Option<DatabaseParent>,
    /// The engine: `logical` (libSQL) or `turso` (created with
    /// [`CreateDatabase::use_tursodb`]); `None` when the service did not say.
    pub kind: Option<String>,
    /// The server version the database runs (see [`Databases::update_version`]).
    ///
    /// [`Databases::update_version`]: crate::Databases::update_version
    pub version: Option<String>,
    /// Whether the database is scaled to zero and wakes on the next request.
    pub sleeping: bool,
    /// Whether the database's group is archived.
    pub archived: bool,
    /// Whether other databases may `ATTACH` this one.
    pub allow_attach: bool,
    /// Whether this is a parent schema database.
    pub is_schema: bool,
}

impl Database {
    /// The group's name, or a [`ErrorKind::Decode`](crate::ErrorKind::Decode)
    /// error when the service's answer did not say it (for the calls that
    /// need it).
    pub(crate) fn group_name(&self) -> Result<&str> {
        self.group
            .as_deref()
            .ok_or_else(|| missing(&self.name, "group"))
    }

    /// The hostname, or a [`ErrorKind::Decode`](crate::ErrorKind::Decode)
    /// error when the service's answer did not say it.
    pub(crate) fn hostname(&self) -> Result<&str> {
        self.hostname
            .as_deref()
            .ok_or_else(|| missing(&self.name, "Hostname"))
    }
}

/// The error for a call that needs `field` of database `name`, which the
/// service's answer lacked.
pub(crate) fn missing(name: &str, field: &str) -> Error {
    crate::error::new(
        crate::ErrorKind::Decode {
            excerpt: String::new(),
        },
        format!(
            "the service's answer for database {name:?} has no `{field}`, which this call needs"
        ),
    )
}

/// The parent of a branched database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseParent {
    /// The parent's identifier.
    pub id: Option<String>,
    /// The parent's name.
    pub name: Option<String>,
}

/// A database as the create call answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedDatabase {
    /// The name.
    pub name: String,
    /// The UUID.
    pub id: String,
    /// The hostname (`None` when the answer lacked it).
    pub hostname: Option<String>,
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

/// How a new database is seeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    kind: SeedType,
    name: Option<String>,
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

    /// An empty database awaiting an upload (see [`crate::Databases::upload`]).
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

/// A new database.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateDatabase {
    /// The name (lowercase letters, digits, dashes; at most 64 characters).
    pub name: String,
    /// The group; it must exist.
    pub group: String,
    /// How to seed it.
    pub seed: Option<Seed>,
    /// The maximum size, e.g. `256mb`.
    pub size_limit: Option<String>,
    /// Encryption at rest.
    pub encryption: Option<Encryption>,
    /// Create it on the Turso engine instead of libSQL (the CLI's `--tursodb`).
    /// Database tokens for such a database take no `permissions`.
    pub use_tursodb: bool,
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
            use_tursodb: false,
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

    /// Creates it on the Turso engine (`use_tursodb`) instead of libSQL.
    pub fn use_tursodb(mut self, yes: bool) -> Self {
        self.use_tursodb = yes;
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseConfiguration {
    /// The maximum size, if limited.
    pub size_limit: Option<String>,
    /// Whether `ATTACH` is allowed.
    pub allow_attach: bool,
    /// Whether reads are blocked.
    pub block_reads: bool,
    /// Whether writes are blocked.
    pub block_writes: bool,
    /// Whether delete protection is on.
    pub delete_protection: bool,
    /// IP allow-list.
    pub allowed_ips: Vec<String>,
    /// AWS VPC allow-list.
    pub allowed_aws_vpc_ids: Vec<String>,
}

/// Changes to a database's configuration; unset fields stay as they are.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DatabaseConfigurationUpdate {
    /// The maximum size, e.g. `"1gb"`.
    pub size_limit: Option<String>,
    /// Allows `ATTACH`.
    pub allow_attach: Option<bool>,
    /// Blocks reads.
    pub block_reads: Option<bool>,
    /// Blocks writes.
    pub block_writes: Option<bool>,
    /// Delete protection.
    pub delete_protection: Option<bool>,
    /// IP allow-list.
    pub allowed_ips: Option<Vec<String>>,
    /// AWS VPC allow-list.
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsageCounters {
    /// Rows read.
    pub rows_read: i64,
    /// Rows written.
    pub rows_written: i64,
    /// Bytes stored.
    pub storage_bytes: i64,
    /// Bytes synced to embedded replicas.
    pub bytes_synced: i64,
}

/// The usage of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstanceUsage {
    /// The instance's UUID.
    pub uuid: Option<String>,
    /// Its counters.
    pub usage: UsageCounters,
}

/// The usage of a database over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseUsage {
    /// The database's UUID.
    pub uuid: Option<String>,
    /// Per-instance usage.
    pub instances: Vec<InstanceUsage>,
    /// Totals.
    pub total: UsageCounters,
}

/// Statistics of one query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryStats {
    /// The SQL text.
    pub query: String,
    /// Rows read.
    pub rows_read: i64,
    /// Rows written.
    pub rows_written: i64,
}

/// A database's statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseStats {
    /// The most expensive queries.
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

impl From<types::Database> for Database {
    fn from(db: types::Database) -> Self {
        Database {
            name: db.name,
            id: db.db_id,
            hostname: non_empty(db.hostname),
            group: non_empty(db.group),
            primary_region: non_empty(db.primary_region),
            regions: db.regions,
            block_reads: db.block_reads.unwrap_or_default(),
            block_writes: db.block_writes.unwrap_or_default(),
            delete_protection: db.delete_protection.unwrap_or_default(),
            parent: db.parent.map(Into::into),
            kind: non_empty(db.type_),
            version: non_empty(db.version),
            sleeping: db.sleeping.unwrap_or_default(),
            archived: db.archived.unwrap_or_default(),
            allow_attach: db.allow_attach.unwrap_or_default(),
            is_schema: db.is_schema.unwrap_or_default(),
        }
    }
}

impl From<types::DatabaseParent> for DatabaseParent {
    fn from(p: types::DatabaseParent) -> Self {
        DatabaseParent {
            id: p.id,
            name: p.name,
        }
    }
}

impl From<types::CreateDatabaseOutput> for CreatedDatabase {
    fn from(db: types::CreateDatabaseOutput) -> Self {
        CreatedDatabase {
            name: db.name,
            id: db.db_id,
            hostname: non_empty(db.hostname),
        }
    }
}

impl TryFrom<&CreateDatabase> for types::CreateDatabaseInput {
    type Error = Error;
    fn try_from(db: &CreateDatabase) -> Result<Self> {
        let seed = match &db.seed {
            None => None,
            Some(seed) => Some(types::CreateDatabaseInputSeed {
                type_: Some((&seed.kind).try_into()?),
                name: seed.name.clone(),
                timestamp: seed.timestamp.clone(),
            }),
        };
        let remote_encryption = match &db.encryption {
            None => None,
            Some(e) => Some(types::CreateDatabaseInputRemoteEncryption {
                encryption_key: Some(e.key.expose().to_string()),
                encryption_cipher: e.cipher.as_ref().map(TryInto::try_into).transpose()?,
            }),
        };
        Ok(types::CreateDatabaseInput {
            name: db.name.clone(),
            group: db.group.clone(),
            seed,
            size_limit: db.size_limit.clone(),
            remote_encryption,
            // Sent only when asked for: a libSQL create is the same request
            // as before the field existed.
            use_tursodb: db.use_tursodb.then_some(true),
        })
    }
}

impl From<types::DatabaseConfigurationResponse> for DatabaseConfiguration {
    fn from(c: types::DatabaseConfigurationResponse) -> Self {
        DatabaseConfiguration {
            size_limit: non_empty(c.size_limit),
            allow_attach: c.allow_attach.unwrap_or_default(),
            block_reads: c.block_reads.unwrap_or_default(),
            block_writes: c.block_writes.unwrap_or_default(),
            delete_protection: c.delete_protection.unwrap_or_default(),
            allowed_ips: c.allowed_ips,
            allowed_aws_vpc_ids: c.allowed_aws_vpc_ids,
        }
    }
}

impl From<&DatabaseConfigurationUpdate> for types::DatabaseConfigurationInput {
    fn from(u: &DatabaseConfigurationUpdate) -> Self {
        types::DatabaseConfigurationInput {
            size_limit: u.size_limit.clone(),
            allow_attach: u.allow_attach,
            block_reads: u.block_reads,
            block_writes: u.block_writes,
            delete_protection: u.delete_protection,
            // `Some(vec![])` is sent as `[]`, which clears the list.
            allowed_ips: u.allowed_ips.clone(),
            allowed_aws_vpc_ids: u.allowed_aws_vpc_ids.clone(),
        }
    }
}

impl From<types::DatabaseUsageObject> for UsageCounters {
    fn from(u: types::DatabaseUsageObject) -> Self {
        UsageCounters {
            rows_read: u.rows_read.unwrap_or_default(),
            rows_written: u.rows_written.unwrap_or_default(),
            storage_bytes: u.storage_bytes.unwrap_or_default(),
            bytes_synced: u.bytes_synced.unwrap_or_default(),
        }
    }
}

impl From<types::DatabaseUsageOutput> for DatabaseUsage {
    /// The totals are the spec's `total` or, as the service names them,
    /// `usage`.
    fn from(u: types::DatabaseUsageOutput) -> Self {
        DatabaseUsage {
            uuid: u.uuid,
            instances: u
                .instances
                .into_iter()
                .map(|i| InstanceUsage {
                    uuid: i.uuid,
                    usage: i.usage.map(Into::into).unwrap_or_default(),
                })
                .collect(),
            total: u.total.or(u.usage).map(Into::into).unwrap_or_default(),
        }
    }
}

impl From<types::GetDatabaseUsageResponse> for DatabaseUsage {
    /// `database` as above; what it lacks is taken from the service's
    /// top-level `total` and `instances` (instance UUID to usage).
    fn from(answer: types::GetDatabaseUsageResponse) -> Self {
        let has_total = answer.database.total.is_some() || answer.database.usage.is_some();
        let mut usage = DatabaseUsage::from(answer.database);
        if let (false, Some(total)) = (has_total, answer.total) {
            usage.total = total.into();
        }
        if usage.instances.is_empty() {
            let mut by_uuid: Vec<_> = answer.instances.into_iter().collect();
            by_uuid.sort_by(|a, b| a.0.cmp(&b.0));
            usage.instances = by_uuid
                .into_iter()
                .map(|(uuid, counters)| InstanceUsage {
                    uuid: Some(uuid),
                    usage: counters.into(),
                })
                .collect();
        }
        usage
    }
}

impl From<types::DatabaseStatsOutput> for QueryStats {
    fn from(q: types::DatabaseStatsOutput) -> Self {
        QueryStats {
            query: q.query,
            rows_read: q.rows_read.unwrap_or_default(),
            rows_written: q.rows_written.unwrap_or_default(),
        }
    }
}

impl From<types::GetDatabaseStatsResponse> for DatabaseStats {
    fn from(s: types::GetDatabaseStatsResponse) -> Self {
        DatabaseStats {
            top_queries: s
                .top_queries
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        }
    }
}
