//! [`Credentials`]: how to connect to a running database, one typed shape per
//! engine. Passwords are [`Token`]s and connection strings are
//! [`ConnectionString`]s: neither ever prints (`Debug` and `Display` show
//! `****`); `expose()` gives the value where it must be used.

use std::fmt;

use databases_api_generated::types;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sdk_runtime::{Error, ErrorKind, Token};

use crate::model::Engine;

/// Characters escaped in a URI's user name and password (RFC 3986 userinfo:
/// everything but unreserved characters), so that any password gives a valid
/// connection string.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A connection string (a URI with the password in it). It never prints:
/// `Debug` shows `ConnectionString(Token(****))` and `Display`
/// `ConnectionString(****)`; [`Self::redacted`] is a printable form with the
/// password replaced.
// Debug is derived: the wrapped Token prints as `Token(****)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionString(Token);

impl ConnectionString {
    /// Wraps a connection string.
    pub fn new(value: impl Into<String>) -> Self {
        ConnectionString(Token::new(value))
    }

    /// The connection string, password included. Avoid logging it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The connection string with its password (everything between the
    /// scheme's `//` and the last `@` of the authority, after the first `:`)
    /// replaced by `****`, fit for logs.
    pub fn redacted(&self) -> String {
        let text = self.expose();
        let Some(start) = text.find("://").map(|i| i + 3) else {
            return "****".to_string();
        };
        let authority_end = text[start..]
            .find(['/', '?', '#'])
            .map_or(text.len(), |i| start + i);
        let Some(at) = text[start..authority_end].rfind('@').map(|i| start + i) else {
            return text.to_string();
        };
        let user_end = text[start..at].find(':').map_or(at, |i| start + i);
        let mut out = text[..user_end].to_string();
        out.push_str(":****");
        out.push_str(&text[at..]);
        out
    }
}

impl fmt::Display for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectionString(****)")
    }
}

/// The credentials of a database, in the shape of its engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// A PostgreSQL database.
    Postgresql(SqlCredentials),
    /// A MySQL database (the PostgreSQL shape, MySQL's TLS modes).
    Mysql(SqlCredentials),
    /// A Redis database: a password, no user and no database.
    Redis(RedisCredentials),
    /// A MongoDB database.
    Mongodb(MongodbCredentials),
}

/// How to connect to a PostgreSQL or MySQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqlCredentials {
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The user name.
    pub username: String,
    /// The password (never printed).
    pub password: Token,
    /// The database to connect to (the name with `-` as `_`).
    pub database: String,
    /// The TLS mode as the engine spells it: libpq's `sslmode` (`require`,
    /// `disable`, ...) or MySQL's `ssl-mode` in lowercase (`required`, ...).
    pub ssl_mode: String,
    /// The connection string the service sent.
    pub service_connection_string: ConnectionString,
}

/// How to connect to a Redis database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisCredentials {
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The password, Redis's `requirepass` (never printed).
    pub password: Token,
    /// Whether the service's connection string asks for TLS (`rediss://`).
    pub tls: bool,
    /// The connection string the service sent.
    pub service_connection_string: ConnectionString,
}

/// How to connect to a MongoDB database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MongodbCredentials {
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The user name.
    pub username: String,
    /// The password (never printed).
    pub password: Token,
    /// The database to use.
    pub database: String,
    /// The options of the service's connection string (its query, such as
    /// `authSource=admin&tls=true`), kept in the one this crate builds.
    pub options: Option<String>,
    /// The connection string the service sent.
    pub service_connection_string: ConnectionString,
}

impl Credentials {
    /// The engine these credentials are for.
    pub fn engine(&self) -> Engine {
        match self {
            Credentials::Postgresql(_) => Engine::Postgresql,
            Credentials::Mysql(_) => Engine::Mysql,
            Credentials::Redis(_) => Engine::Redis,
            Credentials::Mongodb(_) => Engine::Mongodb,
        }
    }

    /// The host name.
    pub fn host(&self) -> &str {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => &c.host,
            Credentials::Redis(c) => &c.host,
            Credentials::Mongodb(c) => &c.host,
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => c.port,
            Credentials::Redis(c) => c.port,
            Credentials::Mongodb(c) => c.port,
        }
    }

    /// The user name (Redis has none).
    pub fn username(&self) -> Option<&str> {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => Some(&c.username),
            Credentials::Redis(_) => None,
            Credentials::Mongodb(c) => Some(&c.username),
        }
    }

    /// The password (never printed).
    pub fn password(&self) -> &Token {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => &c.password,
            Credentials::Redis(c) => &c.password,
            Credentials::Mongodb(c) => &c.password,
        }
    }

    /// A connection string built from the fields, user name and password
    /// percent-encoded:
    ///
    /// - `postgresql://user:pass@host:port/database?sslmode=require`
    /// - `mysql://user:pass@host:port/database?ssl-mode=REQUIRED`
    /// - `redis://:pass@host:port` (`rediss://` with TLS)
    /// - `mongodb://user:pass@host:port/database?<the service's options>`
    ///
    /// Built rather than taken from the service, so that it is complete and
    /// well-formed even when the service elides it (the reference page shows
    /// `postgresql://...`); the service's own is
    /// [`Credentials::service_connection_string`].
    pub fn connection_string(&self) -> ConnectionString {
        let text = match self {
            Credentials::Postgresql(c) => format!(
                "postgresql://{}/{}?sslmode={}",
                authority(Some(&c.username), &c.password, &c.host, c.port),
                encode(&c.database),
                encode(&c.ssl_mode)
            ),
            Credentials::Mysql(c) => format!(
                "mysql://{}/{}?ssl-mode={}",
                authority(Some(&c.username), &c.password, &c.host, c.port),
                encode(&c.database),
                encode(&c.ssl_mode.to_ascii_uppercase())
            ),
            Credentials::Redis(c) => format!(
                "{}://{}",
                if c.tls { "rediss" } else { "redis" },
                authority(None, &c.password, &c.host, c.port)
            ),
            Credentials::Mongodb(c) => {
                let mut s = format!(
                    "mongodb://{}/{}",
                    authority(Some(&c.username), &c.password, &c.host, c.port),
                    encode(&c.database)
                );
                if let Some(options) = &c.options {
                    s.push('?');
                    s.push_str(options);
                }
                s
            }
        };
        ConnectionString::new(text)
    }

    /// The connection string exactly as the service sent it.
    pub fn service_connection_string(&self) -> &ConnectionString {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => &c.service_connection_string,
            Credentials::Redis(c) => &c.service_connection_string,
            Credentials::Mongodb(c) => &c.service_connection_string,
        }
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, USERINFO).to_string()
}

/// `user:pass@host:port` (`:pass@host:port` without a user), with an IPv6
/// host in brackets.
fn authority(username: Option<&str>, password: &Token, host: &str, port: u16) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    format!(
        "{}:{}@{host}:{port}",
        username.map(encode).unwrap_or_default(),
        encode(password.expose())
    )
}

/// The port of an answer: the spec bounds it to 1..=65535, the generated type
/// only to non-zero.
fn port(port: std::num::NonZeroU32) -> Result<u16, Error> {
    u16::try_from(port.get()).map_err(|_| {
        Error::new(
            ErrorKind::Decode {
                excerpt: String::new(),
            },
            format!("the credentials name port {port}, which is not a TCP port"),
        )
    })
}

/// The query of a URI (after `?`, before `#`), if it has a non-empty one.
fn query_of(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once('?')?;
    let query = rest.split('#').next().unwrap_or_default();
    (!query.is_empty()).then(|| query.to_string())
}

impl TryFrom<types::Credentials> for Credentials {
    type Error = Error;

    fn try_from(value: types::Credentials) -> Result<Self, Error> {
        Ok(match value {
            types::Credentials::PostgresqlCredentials(c) => {
                Credentials::Postgresql(SqlCredentials {
                    port: port(c.port)?,
                    host: c.host,
                    username: c.username,
                    password: Token::new(c.password),
                    database: c.database,
                    ssl_mode: c.ssl_mode.to_string(),
                    service_connection_string: ConnectionString::new(c.connection_string),
                })
            }
            types::Credentials::MysqlCredentials(c) => Credentials::Mysql(SqlCredentials {
                port: port(c.port)?,
                host: c.host,
                username: c.username,
                password: Token::new(c.password),
                database: c.database,
                ssl_mode: c.ssl_mode.to_string(),
                service_connection_string: ConnectionString::new(c.connection_string),
            }),
            types::Credentials::RedisCredentials(c) => Credentials::Redis(RedisCredentials {
                port: port(c.port)?,
                tls: c.connection_string.starts_with("rediss://"),
                host: c.host,
                password: Token::new(c.password),
                service_connection_string: ConnectionString::new(c.connection_string),
            }),
            types::Credentials::MongodbCredentials(c) => Credentials::Mongodb(MongodbCredentials {
                port: port(c.port)?,
                options: query_of(&c.connection_string),
                host: c.host,
                username: c.username,
                password: Token::new(c.password),
                database: c.database,
                service_connection_string: ConnectionString::new(c.connection_string),
            }),
        })
    }
}

#[cfg(test)]
mod tests;
