#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod auth;
mod dataplane;
mod dbfiles;
mod jwt;
mod persist;
mod server;
mod shared;
mod state;
mod upload;
mod usage;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use emulator_core::validate;
pub use emulator_core::{Fault, FaultParseError, FaultPlan};

use crate::api::Settings;
use crate::dbfiles::DbFiles;
use crate::shared::Shared;
use crate::state::{ApiToken, State, hostname};
use emulator_core::http::lock;
use emulator_core::store::{Store, StoreError};
use emulator_core::validate::Spec;

/// The default user.
const DEFAULT_USER: &str = "alice";
/// The default team organization (alice is its owner).
const DEFAULT_ORG: &str = "acme";
/// The name of the default user's ready-made token.
const DEFAULT_TOKEN_NAME: &str = "default";
/// The default domain of database hostnames.
const DEFAULT_DOMAIN: &str = "turso.emulator";

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// Binding the listener failed.
    #[error("cannot bind the emulator's listener: {0}")]
    Bind(#[from] std::io::Error),
    /// The effective spec could not be loaded or compiled.
    #[error("cannot load the effective OpenAPI spec: {0}")]
    Spec(String),
    /// The data directory could not be read or written.
    #[error("cannot use the data directory: {0}")]
    Persist(String),
    /// Another emulator (or process) is using the data directory.
    #[error(
        "the data directory {0} is in use by another emulator; stop it or choose another directory"
    )]
    DataDirInUse(PathBuf),
    /// A builder setting is invalid.
    #[error("invalid emulator configuration: {0}")]
    Config(String),
}

/// The spec is compiled once per process: tests start many emulators.
fn spec() -> Result<Arc<Spec>, EmulatorError> {
    static SPEC: OnceLock<Result<Arc<Spec>, String>> = OnceLock::new();
    SPEC.get_or_init(|| {
        Spec::load_with_error_schema(
            turso_platform_generated::EFFECTIVE_SPEC_JSON,
            "ErrorResponse",
        )
        .map(Arc::new)
    })
    .clone()
    .map_err(EmulatorError::Spec)
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    token: String,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token is a credential: keep it out of debug output.
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Start with the default configuration on a random loopback port.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        Emulator::builder().start().await
    }

    /// A builder for a customised emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A ready-to-use, unrestricted platform API token of the default user.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The default user, `alice`.
    pub fn username(&self) -> &str {
        DEFAULT_USER
    }

    /// The default team organization, `acme` (alice is its owner). Alice's
    /// personal organization is `alice`.
    pub fn organization(&self) -> &str {
        DEFAULT_ORG
    }

    /// Replace the fault plan. A status fault must be an error status
    /// (400–599; [`FaultPlan::check`]): another is answered with a 500
    /// saying so.
    pub fn set_faults(&self, faults: FaultPlan) {
        *lock(&self.shared.faults) = faults;
    }

    /// The faults not injected yet: empty once every scheduled fault has met
    /// its request, which a test can check to know its faults were exercised.
    pub fn faults_left(&self) -> FaultPlan {
        lock(&self.shared.faults).clone()
    }

    /// The bytes `/v1/upload` stored for a database, if it was uploaded:
    /// the database's file as it is now (SQL writes since go to its WAL).
    pub fn uploaded_file(&self, organization: &str, database: &str) -> Option<Vec<u8>> {
        let id = {
            let state = lock(&self.shared.state);
            let db = state.org(organization)?.db(database)?;
            db.upload.as_ref()?;
            db.id.clone()
        };
        self.shared.files.read(&id)
    }

    /// The database's SQLite file (it exists as long as the database does).
    /// Open it read-only, or while no test writes through the data plane.
    pub fn database_file(&self, organization: &str, database: &str) -> Option<PathBuf> {
        let state = lock(&self.shared.state);
        let db = state.org(organization)?.db(database)?;
        Some(self.shared.files.path(&db.id))
    }

    /// A URL that reaches the database's data plane without DNS:
    /// `{base_url}/db/{organization}/{database}/`. Official clients (`libsql`,
    /// `@libsql/client`) accept it as the database URL with a database or
    /// group token; the trailing slash keeps the prefix when a client resolves
    /// `v2/pipeline` against it.
    pub fn database_url(&self, organization: &str, database: &str) -> String {
        format!(
            "{}{}{organization}/{database}/",
            self.base_url,
            server::DB_PREFIX
        )
    }

    /// Spec violations seen so far in responses the emulator produced.
    pub fn violations(&self) -> Vec<String> {
        self.shared.violations.all()
    }

    /// The hostname of a database: `{database}-{organization}.{domain}`.
    /// Send requests for it to [`Emulator::base_url`] with this `Host` header.
    pub fn database_hostname(&self, organization: &str, database: &str) -> String {
        hostname(database, organization, &self.shared.settings.domain)
    }

    /// Mark a group archived, as the service does after inactivity (there is
    /// no API call for it), so `unarchiveGroup` can be tested. Returns whether
    /// the group exists.
    pub fn archive_group(&self, organization: &str, group: &str) -> bool {
        let mut state = lock(&self.shared.state);
        let Some(g) = state.org_mut(organization).and_then(|o| o.group_mut(group)) else {
            return false;
        };
        g.archived = true;
        if let Err(e) = self.shared.commit(&mut state) {
            tracing::error!("cannot persist the emulator state: {e}");
            return false;
        }
        true
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Stops the accept loop and gracefully shuts down open connections.
        let _ = self.shutdown.send(true);
        // Close the store now (requests still running get a 500), so the
        // data directory can be opened again right away.
        *lock(&self.shared.store) = None;
    }
}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    port: u16,
    bind: IpAddr,
    data_dir: Option<PathBuf>,
    provisioning_delay: Duration,
    data_plane_delay: Duration,
    duplicate_status: u16,
    faults: FaultPlan,
    domain: String,
    strict: bool,
}

impl Default for EmulatorBuilder {
    fn default() -> EmulatorBuilder {
        EmulatorBuilder {
            port: 0,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            data_dir: None,
            provisioning_delay: Duration::ZERO,
            data_plane_delay: Duration::ZERO,
            duplicate_status: 409,
            faults: FaultPlan::new(),
            domain: DEFAULT_DOMAIN.into(),
            strict: true,
        }
    }
}

impl EmulatorBuilder {
    /// The port to listen on (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to bind (default 127.0.0.1).
    pub fn bind(mut self, addr: IpAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Keep the state durably in this directory (`state.sqlite3` plus one
    /// SQLite file per database under `databases/`), loaded on start. Without
    /// it, everything lives in a temporary directory removed on drop.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// For this long after creation a database answers 404 on the Platform
    /// API (default zero).
    pub fn provisioning_delay(mut self, delay: Duration) -> Self {
        self.provisioning_delay = delay;
        self
    }

    /// For this much longer (after the provisioning delay) the database's
    /// data plane answers 404, as the service's does for a few seconds after
    /// the Platform API reports a new database (default zero).
    pub fn data_plane_delay(mut self, delay: Duration) -> Self {
        self.data_plane_delay = delay;
        self
    }

    /// Status for a duplicate database name: 409 (documented, default) or
    /// 400 (as the live service has been seen to answer).
    pub fn duplicate_database_status(mut self, status: u16) -> Self {
        self.duplicate_status = status;
        self
    }

    /// The initial fault plan.
    pub fn faults(mut self, faults: FaultPlan) -> Self {
        self.faults = faults;
        self
    }

    /// The domain of database hostnames (default `turso.emulator`).
    pub fn database_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = domain.into();
        self
    }

    /// Whether a response that violates the spec becomes a 500 (default true).
    /// Violations are recorded either way.
    pub fn strict_validation(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Start the server.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        if self.duplicate_status != 400 && self.duplicate_status != 409 {
            return Err(EmulatorError::Config(format!(
                "duplicate database status must be 400 or 409, not {}",
                self.duplicate_status
            )));
        }
        self.faults
            .check()
            .map_err(|e| EmulatorError::Config(e.to_string()))?;
        let domain = self.domain.trim_matches('.').to_ascii_lowercase();
        if domain.is_empty() {
            return Err(EmulatorError::Config("database domain is empty".into()));
        }
        let spec = spec()?;
        let store = Store::open(self.data_dir.as_deref()).map_err(|e| match e {
            StoreError::Locked(dir) => EmulatorError::DataDirInUse(dir),
            other => EmulatorError::Persist(other.to_string()),
        })?;
        let files = DbFiles::new(store.dir()).map_err(EmulatorError::Persist)?;
        let mut state = persist::load(&store)
            .map_err(EmulatorError::Persist)?
            .unwrap_or_else(|| State::seed(new_secret()));
        let ids = state
            .orgs
            .iter()
            .flat_map(|o| o.databases())
            .map(|d| d.id.clone())
            .collect();
        files.sweep(&ids).map_err(EmulatorError::Persist)?;
        let token = ensure_default_token(&mut state)?;
        let listener = TcpListener::bind(SocketAddr::new(self.bind, self.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::seed(String::new())),
            store: Mutex::new(Some(store)),
            files,
            streams: Default::default(),
            usage: Default::default(),
            settings: Settings {
                provisioning_delay: self.provisioning_delay,
                data_plane_delay: self.data_plane_delay,
                duplicate_status: self.duplicate_status,
                domain,
            },
            strict: self.strict,
            spec,
            faults: Mutex::new(self.faults),
            violations: Default::default(),
        });
        shared.commit(&mut state).map_err(EmulatorError::Persist)?;
        *lock(&shared.state) = state;
        let (tx, rx) = watch::channel(false);
        tokio::spawn(server::serve(listener, shared.clone(), rx));
        let host = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        Ok(Emulator {
            addr,
            base_url: format!("http://{host}:{}", addr.port()),
            token,
            shared,
            shutdown: tx,
        })
    }
}

/// A random root secret for token signatures.
fn new_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The default user's token: reuse the persisted one while its record
/// exists, otherwise mint a new one.
fn ensure_default_token(state: &mut State) -> Result<String, EmulatorError> {
    if let Some(claims) = jwt::verify_platform(&state.secret, &state.default_token)
        && state.api_token(&claims.jti).is_some()
    {
        return Ok(state.default_token.clone());
    }
    let mut name = DEFAULT_TOKEN_NAME.to_string();
    let mut n = 1;
    while state
        .api_tokens()
        .iter()
        .any(|t| t.owner == DEFAULT_USER && t.name == name)
    {
        n += 1;
        name = format!("{DEFAULT_TOKEN_NAME}-{n}");
    }
    let id = api::new_token_id();
    let token =
        jwt::platform_token(&state.secret, DEFAULT_USER, &id).map_err(EmulatorError::Config)?;
    state.add_api_token(ApiToken {
        id,
        name,
        owner: DEFAULT_USER.into(),
        organization: None,
        group: None,
        scopes: Vec::new(),
        created_at: chrono::Utc::now(),
    });
    state.default_token = token.clone();
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_thread_safe() {
        fn assert_send_sync<T: Send + Sync>() {}
        fn assert_clone_debug<T: Clone + std::fmt::Debug>() {}
        assert_send_sync::<Emulator>();
        assert_send_sync::<EmulatorBuilder>();
        assert_clone_debug::<FaultPlan>();
        assert_clone_debug::<Fault>();
    }
}
