//! The API's vocabularies as open enums: [`Engine`], [`Version`] and
//! [`Status`]. Each has an `Other(String)` variant, so that a value this
//! version of the crate does not know is kept as sent rather than lost; each
//! converts from its generated type with a plain `From` (an exhaustive
//! `match`: a value added to the spec breaks the build until it is known
//! here) and, for requests, into it with a `TryFrom` that refuses `Other`
//! before anything is sent.

use std::fmt;

use crate::error::{Error, invalid_input};
use databases_api_generated::types;

/// Looks `value` up in a `(variant, wire name)` table.
fn wire_name<T: PartialEq>(table: &[(T, &'static str)], value: &T) -> Option<&'static str> {
    table.iter().find(|(v, _)| v == value).map(|(_, w)| *w)
}

/// The variant whose wire name is `wire`, if any.
fn from_wire<T: Clone>(table: &[(T, &'static str)], wire: &str) -> Option<T> {
    table
        .iter()
        .find(|(_, w)| *w == wire)
        .map(|(v, _)| v.clone())
}

/// A database engine (the API's `db_type`).
///
/// ```
/// use databases_api::{Engine, Version};
/// assert_eq!(Engine::from("redis"), Engine::Redis);
/// assert_eq!(Engine::Postgresql.default_version(), Some(Version::V16));
/// assert!(Engine::Mysql.supports(&Version::V8_0));
/// assert!(!Engine::Mysql.supports(&Version::V16));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Engine {
    /// PostgreSQL (versions 14, 15, 16).
    Postgresql,
    /// MySQL (versions 8.0, 8.4).
    Mysql,
    /// Redis (versions 7.0, 7.2).
    Redis,
    /// MongoDB (versions 6.0, 7.0).
    Mongodb,
    /// An engine this version of the crate does not know, as the service
    /// sent it. Refused in requests.
    Other(String),
}

const ENGINES: [(Engine, &str); 4] = [
    (Engine::Postgresql, "postgresql"),
    (Engine::Mysql, "mysql"),
    (Engine::Redis, "redis"),
    (Engine::Mongodb, "mongodb"),
];

impl Engine {
    /// Every engine this version knows.
    pub fn known() -> [Engine; 4] {
        ENGINES.map(|(engine, _)| engine)
    }

    /// The engine as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Engine::Other(s) => s,
            known => wire_name(&ENGINES, known).unwrap_or_default(),
        }
    }

    /// The versions the spec lists for this engine, oldest first (none for
    /// [`Engine::Other`]).
    pub fn versions(&self) -> &'static [Version] {
        match self {
            Engine::Postgresql => &[Version::V14, Version::V15, Version::V16],
            Engine::Mysql => &[Version::V8_0, Version::V8_4],
            Engine::Redis => &[Version::V7_0, Version::V7_2],
            Engine::Mongodb => &[Version::V6_0, Version::V7_0],
            Engine::Other(_) => &[],
        }
    }

    /// The version the service uses when a create names none: the newest.
    pub fn default_version(&self) -> Option<Version> {
        self.versions().last().cloned()
    }

    /// Whether the spec lists `version` for this engine.
    pub fn supports(&self, version: &Version) -> bool {
        self.versions().contains(version)
    }
}

/// An engine version, as the API spells it (`"16"`, `"8.4"`, ...). Which
/// versions an engine takes is [`Engine::versions`]; `7.0` is Redis's and
/// MongoDB's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Version {
    /// PostgreSQL 14.
    V14,
    /// PostgreSQL 15.
    V15,
    /// PostgreSQL 16.
    V16,
    /// MySQL 8.0.
    V8_0,
    /// MySQL 8.4.
    V8_4,
    /// Redis 7.0 or MongoDB 7.0.
    V7_0,
    /// Redis 7.2.
    V7_2,
    /// MongoDB 6.0.
    V6_0,
    /// A version this crate does not know, as given or sent.
    Other(String),
}

const VERSIONS: [(Version, &str); 8] = [
    (Version::V14, "14"),
    (Version::V15, "15"),
    (Version::V16, "16"),
    (Version::V8_0, "8.0"),
    (Version::V8_4, "8.4"),
    (Version::V7_0, "7.0"),
    (Version::V7_2, "7.2"),
    (Version::V6_0, "6.0"),
];

impl Version {
    /// The version as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Version::Other(s) => s,
            known => wire_name(&VERSIONS, known).unwrap_or_default(),
        }
    }
}

/// The lifecycle of a database: `provisioning` → `running` (or `error`);
/// `running` → `error` or `stopped`; any → `destroyed`, which is final.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Being created.
    Provisioning,
    /// Ready and accepting connections; only now are there credentials.
    Running,
    /// Stopped by an operator (no operation of the API stops or starts one).
    Stopped,
    /// Provisioning failed, or the instance failed.
    Error,
    /// Deleted, permanently.
    Destroyed,
    /// A status this version of the crate does not know, as sent.
    Other(String),
}

const STATUSES: [(Status, &str); 5] = [
    (Status::Provisioning, "provisioning"),
    (Status::Running, "running"),
    (Status::Stopped, "stopped"),
    (Status::Error, "error"),
    (Status::Destroyed, "destroyed"),
];

impl Status {
    /// The status as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Other(s) => s,
            known => wire_name(&STATUSES, known).unwrap_or_default(),
        }
    }

    /// Whether a database in this status will never be `running` by itself:
    /// `error` (it needs an operator) and `destroyed` (final).
    pub fn is_dead_end(&self) -> bool {
        matches!(self, Status::Error | Status::Destroyed)
    }
}

/// `From<&str>`, `From<String>`, `Display` for an open enum over its table.
macro_rules! wire_text {
    ($name:ident, $table:ident) => {
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                from_wire(&$table, s).unwrap_or_else(|| $name::Other(s.to_string()))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                from_wire(&$table, &s).unwrap_or($name::Other(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_text!(Engine, ENGINES);
wire_text!(Version, VERSIONS);
wire_text!(Status, STATUSES);

impl From<types::Engine> for Engine {
    fn from(value: types::Engine) -> Self {
        match value {
            types::Engine::Postgresql => Engine::Postgresql,
            types::Engine::Mysql => Engine::Mysql,
            types::Engine::Redis => Engine::Redis,
            types::Engine::Mongodb => Engine::Mongodb,
        }
    }
}

impl TryFrom<&Engine> for types::Engine {
    type Error = Error;
    fn try_from(value: &Engine) -> Result<Self, Error> {
        Ok(match value {
            Engine::Postgresql => types::Engine::Postgresql,
            Engine::Mysql => types::Engine::Mysql,
            Engine::Redis => types::Engine::Redis,
            Engine::Mongodb => types::Engine::Mongodb,
            Engine::Other(s) => {
                return Err(invalid_input(format!(
                    "db_type: {s:?} is not an engine the API offers (postgresql, mysql, redis, mongodb)"
                )));
            }
        })
    }
}

impl From<types::EngineVersion> for Version {
    fn from(value: types::EngineVersion) -> Self {
        match value {
            types::EngineVersion::X14 => Version::V14,
            types::EngineVersion::X15 => Version::V15,
            types::EngineVersion::X16 => Version::V16,
            types::EngineVersion::X80 => Version::V8_0,
            types::EngineVersion::X84 => Version::V8_4,
            types::EngineVersion::X70 => Version::V7_0,
            types::EngineVersion::X72 => Version::V7_2,
            types::EngineVersion::X60 => Version::V6_0,
        }
    }
}

impl TryFrom<&Version> for types::EngineVersion {
    type Error = Error;
    fn try_from(value: &Version) -> Result<Self, Error> {
        Ok(match value {
            Version::V14 => types::EngineVersion::X14,
            Version::V15 => types::EngineVersion::X15,
            Version::V16 => types::EngineVersion::X16,
            Version::V8_0 => types::EngineVersion::X80,
            Version::V8_4 => types::EngineVersion::X84,
            Version::V7_0 => types::EngineVersion::X70,
            Version::V7_2 => types::EngineVersion::X72,
            Version::V6_0 => types::EngineVersion::X60,
            Version::Other(s) => {
                return Err(invalid_input(format!(
                    "version: {s:?} is not a version the API offers"
                )));
            }
        })
    }
}

impl From<types::KnownStatus> for Status {
    fn from(value: types::KnownStatus) -> Self {
        match value {
            types::KnownStatus::Provisioning => Status::Provisioning,
            types::KnownStatus::Running => Status::Running,
            types::KnownStatus::Stopped => Status::Stopped,
            types::KnownStatus::Error => Status::Error,
            types::KnownStatus::Destroyed => Status::Destroyed,
        }
    }
}

// Answers are open (the spec's `Status`, `AnsweredEngine`, `AnsweredVersion`):
// a value the spec does not list yet is kept as `Other`, not a decode error.

impl From<types::Status> for Status {
    fn from(value: types::Status) -> Self {
        match value {
            types::Status::KnownStatus(known) => known.into(),
            types::Status::OtherStatus(other) => Status::Other(other.to_string()),
        }
    }
}

impl From<types::AnsweredEngine> for Engine {
    fn from(value: types::AnsweredEngine) -> Self {
        match value {
            types::AnsweredEngine::Engine(known) => known.into(),
            types::AnsweredEngine::OtherEngine(other) => Engine::Other(other.to_string()),
        }
    }
}

impl From<types::AnsweredVersion> for Version {
    fn from(value: types::AnsweredVersion) -> Self {
        match value {
            types::AnsweredVersion::EngineVersion(known) => known.into(),
            types::AnsweredVersion::OtherVersion(other) => Version::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_match_the_generated_enums() {
        for (engine, wire) in ENGINES {
            assert_eq!(Engine::from(wire), engine);
            assert_eq!(engine.as_str(), wire);
            let generated = types::Engine::try_from(&engine).unwrap();
            assert_eq!(generated.to_string(), wire);
            assert_eq!(Engine::from(generated), engine);
        }
        for (version, wire) in VERSIONS {
            assert_eq!(Version::from(wire.to_string()), version);
            let generated = types::EngineVersion::try_from(&version).unwrap();
            assert_eq!(generated.to_string(), wire);
            assert_eq!(Version::from(generated), version);
        }
        for (status, wire) in STATUSES {
            assert_eq!(Status::from(wire), status);
            let generated: types::KnownStatus = wire.parse().unwrap();
            assert_eq!(Status::from(generated), status);
            let open: types::Status = serde_json::from_value(serde_json::json!(wire)).unwrap();
            assert_eq!(Status::from(open), status);
        }
    }

    #[test]
    fn unknown_values_are_kept_and_refused_in_requests() {
        assert_eq!(Engine::from("cockroach"), Engine::Other("cockroach".into()));
        assert_eq!(Engine::Other("cockroach".into()).to_string(), "cockroach");
        assert_eq!(Status::from("paused"), Status::Other("paused".into()));
        let e = types::Engine::try_from(&Engine::from("cockroach")).unwrap_err();
        assert_eq!(e.kind(), &crate::ErrorKind::InvalidInput);
        assert!(types::EngineVersion::try_from(&Version::from("13")).is_err());
    }

    #[test]
    fn every_engine_has_the_spec_versions() {
        let listed: Vec<Vec<&str>> = Engine::known()
            .iter()
            .map(|e| e.versions().iter().map(Version::as_str).collect())
            .collect();
        assert_eq!(
            listed,
            [
                vec!["14", "15", "16"],
                vec!["8.0", "8.4"],
                vec!["7.0", "7.2"],
                vec!["6.0", "7.0"],
            ]
        );
        assert_eq!(Engine::Redis.default_version(), Some(Version::V7_2));
        assert_eq!(Engine::Mongodb.default_version(), Some(Version::V7_0));
        assert_eq!(Engine::Other("x".into()).default_version(), None);
        assert!(Status::Error.is_dead_end() && Status::Destroyed.is_dead_end());
        assert!(!Status::Stopped.is_dead_end());
    }
}
