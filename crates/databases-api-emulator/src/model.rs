//! The Databases API's world as the emulator keeps it: a database record,
//! its statuses, and the catalogue the spec leaves to the server (plans,
//! regions, each engine's versions), with the JSON shapes the API answers.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::credentials::{Credentials, Engine};
use crate::secret::Secret;

/// The project every token of the emulator belongs to.
pub(crate) const PROJECT: &str = "proj_default";

/// The size plans the emulator knows (`db-s-<vcpus>vcpu-<memory>gb`).
pub const PLANS: [&str; 6] = [
    "db-s-1vcpu-1gb",
    "db-s-1vcpu-2gb",
    "db-s-2vcpu-4gb",
    "db-s-4vcpu-8gb",
    "db-s-8vcpu-16gb",
    "db-s-16vcpu-32gb",
];

/// The regions the emulator knows.
pub const REGIONS: [&str; 10] = [
    "nyc1", "nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1", "blr1", "syd1",
];

/// A database's status (the spec's `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being created.
    Provisioning,
    /// Ready and accepting connections.
    Running,
    /// Stopped by an operator.
    Stopped,
    /// Provisioning or its instance failed.
    Error,
    /// Deleted; final.
    Destroyed,
}

impl Status {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Provisioning => "provisioning",
            Status::Running => "running",
            Status::Stopped => "stopped",
            Status::Error => "error",
            Status::Destroyed => "destroyed",
        }
    }
}

/// The versions of an engine, oldest first (the spec's table).
pub(crate) fn versions(engine: Engine) -> &'static [&'static str] {
    match engine {
        Engine::Postgresql => &["14", "15", "16"],
        Engine::Mysql => &["8.0", "8.4"],
        Engine::Redis => &["7.0", "7.2"],
        Engine::Mongodb => &["6.0", "7.0"],
    }
}

/// The engine of a `db_type`.
pub(crate) fn engine(db_type: &str) -> Option<Engine> {
    Engine::ALL.into_iter().find(|e| e.as_str() == db_type)
}

/// A password as the state stores it: the text in the store, `[redacted]`
/// in `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct StoredPassword(pub String);

impl std::fmt::Debug for StoredPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// One database, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Database {
    pub id: String,
    /// Creation order, to list databases created in the same second in order.
    pub seq: u64,
    pub name: String,
    pub db_type: String,
    pub version: String,
    pub plan_id: String,
    pub region: String,
    pub storage_gb: u32,
    pub replicas: u32,
    pub created_at: DateTime<Utc>,
    pub status: Status,
    /// Where it is served: a real engine's loopback port, or the engine's
    /// default port on a made-up host when simulated.
    pub host: String,
    pub port: u16,
    pub database: String,
    pub username: String,
    /// Kept in the emulator's own state only; answered by the credentials
    /// operation, never printed.
    pub password: StoredPassword,
    /// Whether a real server serves it.
    pub real: bool,
}

impl Database {
    fn created(&self) -> String {
        self.created_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The spec's `Database`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "project_id": PROJECT,
            "name": self.name,
            "slug": self.name,
            "db_type": self.db_type,
            "version": self.version,
            "plan_id": self.plan_id,
            "status": self.status.as_str(),
            "region": self.region,
            "storage_gb": self.storage_gb,
            "replicas": self.replicas,
            "created_at": self.created(),
        })
    }

    /// The spec's `CreatedDatabase`.
    pub(crate) fn to_created_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "db_type": self.db_type,
            "status": self.status.as_str(),
            "created_at": self.created(),
        })
    }

    /// Its credentials, in the engine layer's shape.
    pub(crate) fn credentials(&self) -> Option<Credentials> {
        Some(Credentials::plain(
            engine(&self.db_type)?,
            &self.host,
            self.port,
            &self.username,
            &Secret::new(self.password.0.clone()),
            &self.database,
        ))
    }
}

/// The spec's `Credentials` in its engine's shape, as the page shows them:
/// without `db_type` (clients tell the engine from the database or the
/// connection string's scheme).
pub(crate) fn credentials_json(c: &Credentials) -> Value {
    let mut v = json!({
        "host": c.host,
        "port": c.port,
        "password": c.password.expose(),
        "connection_string": c.connection_string.expose(),
    });
    if let Some(user) = &c.username {
        v["username"] = json!(user);
    }
    if let Some(db) = &c.database {
        v["database"] = json!(db);
    }
    if let Some(mode) = c.ssl_mode {
        v["ssl_mode"] = json!(mode);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_never_prints_its_password() {
        let db = Database {
            id: "db_1".into(),
            seq: 0,
            name: "n".into(),
            db_type: "redis".into(),
            version: "7.2".into(),
            plan_id: PLANS[0].into(),
            region: REGIONS[0].into(),
            storage_gb: 10,
            replicas: 1,
            created_at: Utc::now(),
            status: Status::Running,
            host: "h".into(),
            port: 1,
            database: "n".into(),
            username: "app_user".into(),
            password: StoredPassword("hunter2hunter2".into()),
            real: false,
        };
        assert!(!format!("{db:?}").contains("hunter2"));
        let stored = serde_json::to_string(&db).expect("serialises");
        assert!(
            stored.contains("\"password\":\"hunter2hunter2\""),
            "{stored}"
        );
        let creds = credentials_json(&db.credentials().expect("an engine"));
        assert_eq!(creds["password"], "hunter2hunter2");
        assert!(creds.get("username").is_none(), "redis has no user");
        assert!(
            creds.get("db_type").is_none(),
            "the page's shape names no engine"
        );
    }
}
