//! The engines of the Databases API and the credentials of a database, in
//! the shape the API answers them (`PostgresqlCredentials`,
//! `MysqlCredentials`, `RedisCredentials`, `MongodbCredentials` in
//! `spec/databases-api.openapi.yaml`), with the connection string built in one
//! place for real and simulated databases alike.

use std::fmt;

use crate::secret::Secret;

/// A database engine (`db_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    /// PostgreSQL.
    Postgresql,
    /// MySQL (served by MariaDB on Debian).
    Mysql,
    /// Redis.
    Redis,
    /// MongoDB.
    Mongodb,
}

impl Engine {
    /// Every engine, in the spec's order.
    pub const ALL: [Engine; 4] = [
        Engine::Postgresql,
        Engine::Mysql,
        Engine::Redis,
        Engine::Mongodb,
    ];

    /// The `db_type` of the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Postgresql => "postgresql",
            Engine::Mysql => "mysql",
            Engine::Redis => "redis",
            Engine::Mongodb => "mongodb",
        }
    }

    /// The port the engine listens on by default (what a simulated database
    /// reports).
    pub fn default_port(self) -> u16 {
        match self {
            Engine::Postgresql => 5432,
            Engine::Mysql => 3306,
            Engine::Redis => 6379,
            Engine::Mongodb => 27017,
        }
    }

    /// Whether the API's credentials of this engine carry a user name and a
    /// database (Redis's carry neither).
    pub fn has_user_and_database(self) -> bool {
        self != Engine::Redis
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to connect to a database. `password` and `connection_string` are
/// [`Secret`]s, so printing credentials shows neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The engine, the API's `db_type`.
    pub engine: Engine,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The user name; `None` for Redis.
    pub username: Option<String>,
    /// The password (Redis's `requirepass`).
    pub password: Secret,
    /// The database to use; `None` for Redis.
    pub database: Option<String>,
    /// The API's `ssl_mode` (PostgreSQL and MySQL); `None` for the others.
    pub ssl_mode: Option<&'static str>,
    /// A complete URI, password included.
    pub connection_string: Secret,
}

impl Credentials {
    /// Credentials of a database served without TLS (a local engine, or a
    /// simulated one), with the connection string of its engine. `username`
    /// and `database` are ignored for Redis, whose credentials have neither.
    pub fn plain(
        engine: Engine,
        host: &str,
        port: u16,
        username: &str,
        password: &Secret,
        database: &str,
    ) -> Self {
        let pw = password.expose();
        let (uri, ssl_mode) = match engine {
            Engine::Postgresql => (
                format!("postgresql://{username}:{pw}@{host}:{port}/{database}?sslmode=disable"),
                Some("disable"),
            ),
            Engine::Mysql => (
                // No `ssl-mode` parameter: clients differ in spelling it (and some
                // refuse one they do not know), and without TLS none is needed.
                format!("mysql://{username}:{pw}@{host}:{port}/{database}"),
                Some("disabled"),
            ),
            Engine::Redis => (format!("redis://:{pw}@{host}:{port}"), None),
            Engine::Mongodb => (
                format!("mongodb://{username}:{pw}@{host}:{port}/{database}?authSource=admin"),
                None,
            ),
        };
        let with_user = engine.has_user_and_database();
        Credentials {
            engine,
            host: host.to_string(),
            port,
            username: with_user.then(|| username.to_string()),
            password: password.clone(),
            database: with_user.then(|| database.to_string()),
            ssl_mode,
            connection_string: Secret::new(uri),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_follow_the_engine() {
        let pw = Secret::new("s3cretPassw0rd");
        let pg = Credentials::plain(
            Engine::Postgresql,
            "127.0.0.1",
            5433,
            "app_user",
            &pw,
            "main",
        );
        assert_eq!(
            pg.connection_string.expose(),
            "postgresql://app_user:s3cretPassw0rd@127.0.0.1:5433/main?sslmode=disable"
        );
        assert_eq!(pg.ssl_mode, Some("disable"));
        let redis = Credentials::plain(Engine::Redis, "127.0.0.1", 6380, "app_user", &pw, "main");
        assert_eq!(
            redis.connection_string.expose(),
            "redis://:s3cretPassw0rd@127.0.0.1:6380"
        );
        assert_eq!(
            (redis.username, redis.database, redis.ssl_mode),
            (None, None, None)
        );
        let my = Credentials::plain(Engine::Mysql, "h", 3307, "u", &pw, "d");
        assert!(
            my.connection_string
                .expose()
                .starts_with("mysql://u:s3cretPassw0rd@h:3307/d")
        );
        let mongo = Credentials::plain(Engine::Mongodb, "h", 27017, "u", &pw, "d");
        assert!(mongo.connection_string.expose().starts_with("mongodb://u:"));
    }

    #[test]
    fn debug_shows_no_password() {
        let pw = Secret::new("s3cretPassw0rd");
        for engine in Engine::ALL {
            let c = Credentials::plain(engine, "127.0.0.1", 1, "app_user", &pw, "main");
            let shown = format!("{c:?}");
            assert!(!shown.contains("s3cretPassw0rd"), "{engine}: {shown}");
            assert!(shown.contains("[redacted]"));
        }
    }
}
