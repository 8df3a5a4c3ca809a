//! [`Credentials`]: how to connect to a running database, one typed shape per
//! engine. Passwords are [`Token`]s and connection strings are
//! [`ConnectionString`]s: neither ever prints (`Debug` and `Display` show
//! `****`); `expose()` gives the value where it must be used.

use std::fmt;

use databases_api_generated::types;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sdk_runtime::Token;

use crate::error::{Error, ErrorKind};

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
///
/// The service's answer names no engine (the reference page's examples have
/// no `db_type`): the shape is picked from `db_type` when the answer has one,
/// else from the scheme of its connection string, else from the database it
/// is for. Only `host` and `port` are always there; an engine or shape this
/// crate does not know is [`Credentials::Other`], which still has them and
/// the service's connection string.
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
    /// An engine this crate does not know, or whose engine could not be
    /// told: everything the answer had, as it had it.
    Other(OtherCredentials),
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
    pub username: Option<String>,
    /// The password (never printed).
    pub password: Option<Token>,
    /// The database to connect to (the name with `-` as `_`).
    pub database: Option<String>,
    /// The TLS mode as the engine spells it: libpq's `sslmode` (`require`,
    /// `disable`, ...) or MySQL's `ssl-mode` in lowercase (`required`, ...).
    pub ssl_mode: Option<String>,
    /// The connection string the service sent.
    pub service_connection_string: Option<ConnectionString>,
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
    pub password: Option<Token>,
    /// Whether the service's connection string asks for TLS (`rediss://`).
    pub tls: bool,
    /// The connection string the service sent.
    pub service_connection_string: Option<ConnectionString>,
}

/// How to connect to a MongoDB database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MongodbCredentials {
    /// The host name (with [`Self::srv`], the name whose DNS SRV records
    /// list the servers).
    pub host: String,
    /// The port (not part of a `mongodb+srv://` string).
    pub port: u16,
    /// The user name.
    pub username: Option<String>,
    /// The password (never printed).
    pub password: Option<Token>,
    /// The database to use.
    pub database: Option<String>,
    /// The options of the service's connection string (its query, such as
    /// `authSource=admin&tls=true`), kept in the one this crate builds.
    pub options: Option<String>,
    /// Whether the service's connection string is a `mongodb+srv://` one
    /// (servers found through DNS), kept in the one this crate builds.
    pub srv: bool,
    /// The connection string the service sent.
    pub service_connection_string: Option<ConnectionString>,
}

/// The credentials of an engine this crate does not know, or whose engine
/// could not be told: the answer's fields as they were.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OtherCredentials {
    /// The engine, when the answer or the database named one.
    pub engine: Option<Engine>,
    /// The host name.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The user name.
    pub username: Option<String>,
    /// The password (never printed).
    pub password: Option<Token>,
    /// The database.
    pub database: Option<String>,
    /// The TLS mode, as sent.
    pub ssl_mode: Option<String>,
    /// The connection string the service sent.
    pub service_connection_string: Option<ConnectionString>,
}

impl Credentials {
    /// The engine these credentials are for (`None` for
    /// [`Credentials::Other`] when nothing named one).
    pub fn engine(&self) -> Option<Engine> {
        match self {
            Credentials::Postgresql(_) => Some(Engine::Postgresql),
            Credentials::Mysql(_) => Some(Engine::Mysql),
            Credentials::Redis(_) => Some(Engine::Redis),
            Credentials::Mongodb(_) => Some(Engine::Mongodb),
            Credentials::Other(c) => c.engine.clone(),
        }
    }

    /// The host name.
    pub fn host(&self) -> &str {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => &c.host,
            Credentials::Redis(c) => &c.host,
            Credentials::Mongodb(c) => &c.host,
            Credentials::Other(c) => &c.host,
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => c.port,
            Credentials::Redis(c) => c.port,
            Credentials::Mongodb(c) => c.port,
            Credentials::Other(c) => c.port,
        }
    }

    /// The user name (Redis has none).
    pub fn username(&self) -> Option<&str> {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => c.username.as_deref(),
            Credentials::Redis(_) => None,
            Credentials::Mongodb(c) => c.username.as_deref(),
            Credentials::Other(c) => c.username.as_deref(),
        }
    }

    /// The password (never printed), if the answer had one.
    pub fn password(&self) -> Option<&Token> {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => c.password.as_ref(),
            Credentials::Redis(c) => c.password.as_ref(),
            Credentials::Mongodb(c) => c.password.as_ref(),
            Credentials::Other(c) => c.password.as_ref(),
        }
    }

    /// The database to connect to (Redis has none).
    pub fn database(&self) -> Option<&str> {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => c.database.as_deref(),
            Credentials::Redis(_) => None,
            Credentials::Mongodb(c) => c.database.as_deref(),
            Credentials::Other(c) => c.database.as_deref(),
        }
    }

    /// A connection string built from the fields, user name and password
    /// percent-encoded, for the engine's official clients:
    ///
    /// - `postgresql://user:pass@host:port/database?sslmode=require`
    /// - `mysql://user:pass@host:port/database`, with `?require_ssl=true`
    ///   (and `verify_ca`/`verify_identity` as the mode says) when the TLS
    ///   mode requires TLS: the parameters `mysql_async` reads (it refuses
    ///   MySQL Shell's `ssl-mode`)
    /// - `redis://:pass@host:port` (`rediss://` with TLS)
    /// - `mongodb://user:pass@host:port/database?<the service's options>`
    ///   (`mongodb+srv://user:pass@host/...` when the service's is one)
    ///
    /// Built rather than taken from the service, so that it is complete and
    /// well-formed even when the service elides it (the reference page shows
    /// `postgresql://...`); the service's own is
    /// [`Credentials::service_connection_string`], and it is what
    /// [`Credentials::Other`] answers here (`None` when it has none).
    pub fn connection_string(&self) -> Option<ConnectionString> {
        let text = match self {
            Credentials::Postgresql(c) => {
                let mut s = format!(
                    "postgresql://{}/{}",
                    authority(
                        c.username.as_deref(),
                        c.password.as_ref(),
                        &c.host,
                        Some(c.port)
                    ),
                    c.database.as_deref().map(encode).unwrap_or_default()
                );
                if let Some(mode) = &c.ssl_mode {
                    s.push_str("?sslmode=");
                    s.push_str(&encode(mode));
                }
                s
            }
            Credentials::Mysql(c) => format!(
                "mysql://{}/{}{}",
                authority(
                    c.username.as_deref(),
                    c.password.as_ref(),
                    &c.host,
                    Some(c.port)
                ),
                c.database.as_deref().map(encode).unwrap_or_default(),
                mysql_tls_parameters(c.ssl_mode.as_deref())
            ),
            Credentials::Redis(c) => format!(
                "{}://{}",
                if c.tls { "rediss" } else { "redis" },
                authority(None, c.password.as_ref(), &c.host, Some(c.port))
            ),
            Credentials::Mongodb(c) => {
                let (scheme, port) = if c.srv {
                    ("mongodb+srv", None)
                } else {
                    ("mongodb", Some(c.port))
                };
                let mut s = format!(
                    "{scheme}://{}/{}",
                    authority(c.username.as_deref(), c.password.as_ref(), &c.host, port),
                    c.database.as_deref().map(encode).unwrap_or_default()
                );
                if let Some(options) = &c.options {
                    s.push('?');
                    s.push_str(options);
                }
                s
            }
            Credentials::Other(c) => return c.service_connection_string.clone(),
        };
        Some(ConnectionString::new(text))
    }

    /// The connection string exactly as the service sent it, if it sent one.
    pub fn service_connection_string(&self) -> Option<&ConnectionString> {
        match self {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => {
                c.service_connection_string.as_ref()
            }
            Credentials::Redis(c) => c.service_connection_string.as_ref(),
            Credentials::Mongodb(c) => c.service_connection_string.as_ref(),
            Credentials::Other(c) => c.service_connection_string.as_ref(),
        }
    }

    /// The engine an answer names by itself: its `db_type`, else the scheme
    /// of its connection string (the page's examples have no `db_type`, but
    /// even their elided strings keep the scheme); `None` when neither says.
    pub(crate) fn engine_named_by(answer: &types::Credentials) -> Option<Engine> {
        if let Some(engine) = answer.db_type.clone() {
            return Some(engine.into());
        }
        let uri = answer.connection_string.as_deref()?;
        let (scheme, _) = uri.split_once("://")?;
        match scheme.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" => Some(Engine::Postgresql),
            "mysql" => Some(Engine::Mysql),
            "redis" | "rediss" => Some(Engine::Redis),
            "mongodb" | "mongodb+srv" => Some(Engine::Mongodb),
            _ => None,
        }
    }

    /// The credentials of `answer` in the shape of `engine` (the one the
    /// answer names, else its database's; `None` when nothing named one).
    /// Fails only on a port that is not a TCP port: host and port are what
    /// identify a connection.
    pub(crate) fn from_answer(
        answer: types::Credentials,
        engine: Option<Engine>,
    ) -> Result<Self, Error> {
        let port = port(answer.port)?;
        let service = answer.connection_string.map(ConnectionString::new);
        let scheme_is = |prefix: &str| {
            service
                .as_ref()
                .is_some_and(|s| s.expose().to_ascii_lowercase().starts_with(prefix))
        };
        let password = answer.password.map(Token::new);
        let sql = |host, username, database, ssl_mode| SqlCredentials {
            host,
            port,
            username,
            password: password.clone(),
            database,
            ssl_mode,
            service_connection_string: service.clone(),
        };
        Ok(match engine {
            Some(Engine::Postgresql) => Credentials::Postgresql(sql(
                answer.host,
                answer.username,
                answer.database,
                answer.ssl_mode,
            )),
            Some(Engine::Mysql) => Credentials::Mysql(sql(
                answer.host,
                answer.username,
                answer.database,
                answer.ssl_mode,
            )),
            Some(Engine::Redis) => Credentials::Redis(RedisCredentials {
                host: answer.host,
                port,
                password,
                tls: scheme_is("rediss://"),
                service_connection_string: service,
            }),
            Some(Engine::Mongodb) => Credentials::Mongodb(MongodbCredentials {
                host: answer.host,
                port,
                username: answer.username,
                password,
                database: answer.database,
                options: service.as_ref().and_then(|s| query_of(s.expose())),
                srv: scheme_is("mongodb+srv://"),
                service_connection_string: service,
            }),
            engine => Credentials::Other(OtherCredentials {
                engine,
                host: answer.host,
                port,
                username: answer.username,
                password,
                database: answer.database,
                ssl_mode: answer.ssl_mode,
                service_connection_string: service,
            }),
        })
    }
}

/// The query `mysql_async` needs for MySQL's TLS mode `mode`: none for
/// `disabled` and `preferred` (or no mode), `require_ssl=true` for the modes
/// that require TLS, with the verifications the mode leaves out turned off
/// (`mysql_async` verifies both by default). A mode this crate does not know
/// requires TLS: the safe reading.
fn mysql_tls_parameters(mode: Option<&str>) -> &'static str {
    match mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("disabled" | "preferred" | "") => "",
        Some("required") => "?require_ssl=true&verify_ca=false&verify_identity=false",
        Some("verify_ca") => "?require_ssl=true&verify_identity=false",
        Some(_) => "?require_ssl=true",
    }
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, USERINFO).to_string()
}

/// `user:pass@host:port` (without a user `:pass@`, without a password
/// `user@`, without either `host`; without a port `...host`), with an IPv6
/// host in brackets.
fn authority(
    username: Option<&str>,
    password: Option<&Token>,
    host: &str,
    port: Option<u16>,
) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let user = username.map(encode).unwrap_or_default();
    let userinfo = match password {
        Some(pw) => format!("{user}:{}@", encode(pw.expose())),
        None if user.is_empty() => String::new(),
        None => format!("{user}@"),
    };
    match port {
        Some(port) => format!("{userinfo}{host}:{port}"),
        None => format!("{userinfo}{host}"),
    }
}

/// The port of an answer, which must be a TCP port: the port identifies the
/// connection, so an answer without a usable one cannot be used at all.
fn port(port: i64) -> Result<u16, Error> {
    u16::try_from(port).ok().filter(|p| *p != 0).ok_or_else(|| {
        crate::error::new(
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

#[cfg(test)]
mod tests;
