//! The types of the databases resource — [`Database`], [`CreatedDatabase`],
//! [`CreateDatabase`] — their local checks (the spec's rules, so a bad input
//! is refused before anything is sent, with a message naming the field), and
//! plain `From` / `TryFrom` conversions from and into the generated types.

use std::num::NonZeroU32;

use crate::error::{Error, invalid_input};
use chrono::{DateTime, Utc};
use databases_api_generated::types;

use crate::model::{Engine, Status, Version};

/// A database instance, as the service answered it. Only `id` and `name`
/// identify it, so only they are always there; a field the answer left out,
/// sent as `null` or sent with a type this crate cannot read is `None` (or the
/// page's default for `storage_gb` and `replicas`), never a failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Database {
    /// The id, `db_` and an opaque suffix.
    pub id: String,
    /// The name, unique among the project's databases that are not destroyed
    /// (kept as answered, even if it is not a DNS label).
    pub name: String,
    /// The project it belongs to (the token's), `proj_...`.
    pub project_id: Option<String>,
    /// The name as used in host names (equal to the name).
    pub slug: Option<String>,
    /// The engine.
    pub engine: Option<Engine>,
    /// The engine version.
    pub version: Option<Version>,
    /// The size plan, such as `db-s-2vcpu-4gb`.
    pub plan_id: Option<String>,
    /// Where it is in its lifecycle.
    pub status: Option<Status>,
    /// The region, such as `nyc1` (kept as answered, whatever its shape).
    pub region: Option<String>,
    /// The storage, in GB: 10 (the page's default) when the answer has none,
    /// `None` when it has one that is not a count.
    pub storage_gb: Option<u32>,
    /// The number of replicas: 1 (the page's default) when the answer has
    /// none, `None` when it has one that is not a count.
    pub replicas: Option<u32>,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
}

impl Database {
    /// Whether its status is `status` (`false` when the answer had none).
    pub fn is(&self, status: &Status) -> bool {
        self.status.as_ref() == Some(status)
    }
}

/// A database as the create call answers it: provisioning has started. As
/// for [`Database`], only `id` and `name` are always there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedDatabase {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The engine.
    pub engine: Option<Engine>,
    /// The status (`provisioning` for a new database).
    pub status: Option<Status>,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
}

/// A new database: name, engine, plan and region are required; the version
/// defaults to the engine's newest, storage to 10 GB, replicas to 1.
///
/// ```
/// use databases_api::{CreateDatabase, Engine, Version};
/// let input = CreateDatabase::new("main-postgres", Engine::Postgresql, "db-s-2vcpu-4gb", "nyc1")
///     .version(Version::V16)
///     .storage_gb(50);
/// assert!(input.check().is_ok());
/// let wrong = CreateDatabase::new("cache", Engine::Redis, "db-s-1vcpu-1gb", "nyc1").version(Version::V16);
/// assert!(wrong.check().is_err()); // Redis has 7.0 and 7.2
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateDatabase {
    /// The name: a DNS label (lowercase letters, digits, `-`; at most 63).
    pub name: String,
    /// The engine.
    pub engine: Engine,
    /// The version; `None` for the engine's newest.
    pub version: Option<Version>,
    /// The size plan (`db-...`); the catalogue is the service's.
    pub plan_id: String,
    /// The region (`nyc1`); the list is the service's.
    pub region: String,
    /// The storage in GB (1 to 16384; the service's default is 10).
    pub storage_gb: Option<u32>,
    /// The number of replicas (1 to 10; the service's default is 1).
    pub replicas: Option<u32>,
}

impl CreateDatabase {
    /// A database `name` of `engine`, on `plan_id` in `region`.
    pub fn new(
        name: impl Into<String>,
        engine: Engine,
        plan_id: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        CreateDatabase {
            name: name.into(),
            engine,
            version: None,
            plan_id: plan_id.into(),
            region: region.into(),
            storage_gb: None,
            replicas: None,
        }
    }

    /// Asks for a version of the engine.
    pub fn version(self, version: impl Into<Version>) -> Self {
        let version = Some(version.into());
        CreateDatabase { version, ..self }
    }

    /// Asks for `gb` of storage.
    pub fn storage_gb(self, gb: u32) -> Self {
        CreateDatabase {
            storage_gb: Some(gb),
            ..self
        }
    }

    /// Asks for `count` replicas.
    pub fn replicas(self, count: u32) -> Self {
        CreateDatabase {
            replicas: Some(count),
            ..self
        }
    }

    /// Checks the input against the spec's rules, as the service would, and
    /// fails with [`crate::ErrorKind::InvalidInput`] naming the field.
    pub fn check(&self) -> Result<(), Error> {
        check_name(&self.name)?;
        if let Engine::Other(other) = &self.engine {
            return Err(invalid_input(format!(
                "db_type: {other:?} is not an engine the API offers (postgresql, mysql, redis, mongodb)"
            )));
        }
        if let Some(version) = &self.version
            && !self.engine.supports(version)
        {
            let offered: Vec<&str> = self.engine.versions().iter().map(Version::as_str).collect();
            return Err(invalid_input(format!(
                "version: {} supports {}, not {}",
                self.engine,
                offered.join(", "),
                version.as_str()
            )));
        }
        check_plan_id(&self.plan_id)?;
        check_region(&self.region)?;
        check_range("storage_gb", self.storage_gb, 1..=16384)?;
        check_range("replicas", self.replicas, 1..=10)
    }
}

/// Whether `text` is a database name: a DNS label (RFC 1123), as the spec
/// requires. Ids (`db_...`) never are, since a label has no `_`.
pub(crate) fn is_name(text: &str) -> bool {
    check_name(text).is_ok()
}

fn check_name(name: &str) -> Result<(), Error> {
    let bytes = name.as_bytes();
    let allowed = bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
    let edges = |b: Option<&u8>| b.is_some_and(|b| *b != b'-');
    if name.is_empty()
        || name.len() > 63
        || !allowed
        || !edges(bytes.first())
        || !edges(bytes.last())
    {
        return Err(invalid_input(format!(
            "name: {name:?} is not a DNS label (1 to 63 lowercase letters, digits and '-', \
             starting and ending with a letter or digit)"
        )));
    }
    Ok(())
}

/// A plan id: `db-` and lowercase letters, digits or `-`.
fn check_plan_id(plan: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    match plan.strip_prefix("db-") {
        Some(rest) if !rest.is_empty() && rest.chars().all(allowed) => Ok(()),
        _ => Err(invalid_input(format!(
            "plan_id: {plan:?} is not a plan id such as \"db-s-2vcpu-4gb\""
        ))),
    }
}

/// A region: lowercase letters, then digits (`nyc1`).
fn check_region(region: &str) -> Result<(), Error> {
    let letters = region.chars().take_while(char::is_ascii_lowercase).count();
    let rest = &region[letters..];
    if letters > 0 && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid_input(format!(
            "region: {region:?} is not a region such as \"nyc1\""
        )))
    }
}

fn check_range(
    field: &str,
    value: Option<u32>,
    range: std::ops::RangeInclusive<u32>,
) -> Result<(), Error> {
    match value {
        Some(v) if !range.contains(&v) => Err(invalid_input(format!(
            "{field}: {v} is out of range ({} to {})",
            range.start(),
            range.end()
        ))),
        _ => Ok(()),
    }
}

impl TryFrom<&CreateDatabase> for types::CreateDatabase {
    type Error = Error;

    /// Checks the input ([`CreateDatabase::check`]) and builds the request
    /// body, the service's defaults filled in.
    fn try_from(input: &CreateDatabase) -> Result<Self, Error> {
        input.check()?;
        let refused =
            |field: &str, e: types::error::ConversionError| invalid_input(format!("{field}: {e}"));
        let positive = |v: Option<u32>, default: u32| {
            NonZeroU32::new(v.unwrap_or(default)).unwrap_or(NonZeroU32::MIN)
        };
        Ok(types::CreateDatabase {
            db_type: types::Engine::try_from(&input.engine)?,
            name: input.name.parse().map_err(|e| refused("name", e))?,
            plan_id: input.plan_id.parse().map_err(|e| refused("plan_id", e))?,
            region: input.region.parse().map_err(|e| refused("region", e))?,
            replicas: positive(input.replicas, 1),
            storage_gb: positive(input.storage_gb, 10),
            version: input
                .version
                .as_ref()
                .map(types::EngineVersion::try_from)
                .transpose()?,
        })
    }
}

/// A count of the answer, as the facade types it: a value beyond `u32` is
/// not a count it can give (`None`), like a value of the wrong type.
fn count(value: i64) -> Option<u32> {
    u32::try_from(value).ok()
}

impl From<types::Database> for Database {
    fn from(db: types::Database) -> Self {
        Database {
            id: db.id,
            name: db.name,
            project_id: db.project_id,
            slug: db.slug,
            engine: db.db_type.map(Engine::from),
            version: db.version.map(Version::from),
            plan_id: db.plan_id,
            status: db.status.map(Status::from),
            region: db.region,
            storage_gb: count(db.storage_gb),
            replicas: count(db.replicas),
            created_at: db.created_at,
        }
    }
}

impl From<types::CreatedDatabase> for CreatedDatabase {
    fn from(db: types::CreatedDatabase) -> Self {
        CreatedDatabase {
            id: db.id,
            name: db.name,
            engine: db.db_type.map(Engine::from),
            status: db.status.map(Status::from),
            created_at: db.created_at,
        }
    }
}

impl From<Database> for CreatedDatabase {
    fn from(db: Database) -> Self {
        CreatedDatabase {
            id: db.id,
            name: db.name,
            engine: db.engine,
            status: db.status,
            created_at: db.created_at,
        }
    }
}

#[cfg(test)]
mod tests;
