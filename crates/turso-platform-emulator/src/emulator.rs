//! [`Emulator`]: a running Turso Platform API emulator with its data plane,
//! and [`EmulatorBuilder`], its configuration; the default user, its
//! organization and its ready-made token.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::api::{self, Settings};
use crate::dataplane::limits::DataPlaneLimits;
use crate::dataplane::streams::Streams;
use crate::dbfiles::DbFiles;
use crate::shared::Shared;
use crate::state::{ApiToken, State, hostname};
use crate::{jwt, persist, server};
use emulator_core::FaultPlan;
use emulator_core::harness::{Common, Listening};
use emulator_core::http::lock;
use emulator_core::store::Store;
use emulator_core::validate::{Spec, SpecOnce};

/// The default user.
const DEFAULT_USER: &str = "alice";
/// The default team organization (alice is its owner).
const DEFAULT_ORG: &str = "acme";
/// The name of the default user's ready-made token.
const DEFAULT_TOKEN_NAME: &str = "default";
/// The default domain of database hostnames.
const DEFAULT_DOMAIN: &str = "turso.emulator";

/// Errors starting the emulator.
pub use emulator_core::harness::StartError as EmulatorError;

/// The spec is compiled once per process: tests start many emulators.
fn spec() -> Result<Arc<Spec>, EmulatorError> {
    static SPEC: SpecOnce = SpecOnce::new();
    SPEC.get(
        turso_platform_generated::EFFECTIVE_SPEC_JSON,
        "ErrorResponse",
    )
    .map_err(EmulatorError::Spec)
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    listening: Listening,
    token: String,
    shared: Arc<Shared>,
}

// The tokens are credentials: debug output shows the base URL only.
impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Start with the default configuration on a random loopback port.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        EmulatorBuilder::default().start().await
    }

    /// A builder for a customised emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.listening.base_url()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.listening.addr()
    }

    /// Replace the fault plan (operationIds of the spec, or `*`). A status
    /// fault must be an error status (400–599, [`FaultPlan::check`]):
    /// another is answered with a 500 saying so.
    pub fn set_faults(&self, faults: FaultPlan) {
        *lock(&self.shared.faults) = faults;
    }

    /// The faults not injected yet: empty once every scheduled fault has met
    /// its request, which a test can check to know its faults were exercised.
    pub fn faults_left(&self) -> FaultPlan {
        lock(&self.shared.faults).clone()
    }

    /// Spec violations seen so far in answers the emulator produced.
    pub fn violations(&self) -> Vec<String> {
        self.shared.violations.all()
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
            self.base_url(),
            server::DB_PREFIX
        )
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
        // The listener stops serving when dropped, after this.
        // Close the store now (requests still running get a 500), so the
        // data directory can be opened again right away.
        *lock(&self.shared.store) = None;
        // Stop every running statement: a runaway query must not keep a
        // thread (and the process) alive after the emulator.
        self.shared.streams.stop_all();
    }
}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    common: Common,
    data_plane_delay: Duration,
    duplicate_status: u16,
    domain: String,
    limits: DataPlaneLimits,
}

impl Default for EmulatorBuilder {
    fn default() -> EmulatorBuilder {
        EmulatorBuilder {
            common: Common::default(),
            data_plane_delay: Duration::ZERO,
            duplicate_status: 409,
            domain: DEFAULT_DOMAIN.into(),
            limits: DataPlaneLimits::default(),
        }
    }
}

impl EmulatorBuilder {
    /// The port to listen on (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.common.port = port;
        self
    }

    /// The address to bind (default 127.0.0.1).
    pub fn bind(mut self, addr: IpAddr) -> Self {
        self.common.bind = addr;
        self
    }

    /// Keep the state durably in this directory (`state.sqlite3` and the
    /// databases' files), loaded on start; one emulator at a time. Without
    /// it, everything lives in a temporary directory removed on drop.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.common.data_dir = Some(dir.into());
        self
    }

    /// The initial fault plan (refused at start when a status fault is not
    /// an error status).
    pub fn faults(mut self, faults: FaultPlan) -> Self {
        self.common.faults = faults;
        self
    }

    /// Whether a response that violates the spec becomes a 500 (default
    /// true). Violations are recorded and logged either way.
    pub fn strict_validation(mut self, strict: bool) -> Self {
        self.common.strict = strict;
        self
    }

    /// For how long a new database answers 404 (get, instances,
    /// configuration, usage, stats, tokens; it is listed, and can be deleted,
    /// at once), as the service's does while it provisions (default zero).
    pub fn provisioning_delay(mut self, delay: Duration) -> Self {
        self.common.provisioning_delay = delay;
        self
    }

    /// How long a client may take to send a request's headers before its
    /// connection is closed (default 30 s).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.common.serve.header_read_timeout = timeout;
        self
    }

    /// How long a request body may take to arrive once it is read, in all,
    /// before the request is answered 408 and its connection closed
    /// (default 30 s).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.common.serve.body_read_timeout = timeout;
        self
    }

    /// All the common settings at once (what the command line gives).
    pub fn common(mut self, common: Common) -> Self {
        self.common = common;
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

    /// The domain of database hostnames (default `turso.emulator`).
    pub fn database_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = domain.into();
        self
    }

    /// The data plane's bounds: statement time limit, answer and request
    /// sizes, streams per database and per token, concurrency per database
    /// (see [`DataPlaneLimits`] for the defaults).
    pub fn data_plane_limits(mut self, limits: DataPlaneLimits) -> Self {
        self.limits = limits;
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
        self.common.check()?;
        let domain = self.domain.trim_matches('.').to_ascii_lowercase();
        if domain.is_empty() {
            return Err(EmulatorError::Config("database domain is empty".into()));
        }
        let spec = spec()?;
        let store = Store::open(self.common.data_dir.as_deref())?;
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
        let (listening, listener, stop) = Listening::bind(&self.common).await?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::seed(String::new())),
            store: Mutex::new(Some(store)),
            files,
            streams: Streams::with_limits(&self.limits),
            usage: Default::default(),
            settings: Settings {
                provisioning_delay: self.common.provisioning_delay,
                data_plane_delay: self.data_plane_delay,
                duplicate_status: self.duplicate_status,
                domain,
            },
            limits: self.limits,
            strict: self.common.strict,
            spec,
            faults: Mutex::new(self.common.faults),
            violations: Default::default(),
        });
        shared.commit(&mut state).map_err(EmulatorError::Persist)?;
        *lock(&shared.state) = state;
        tokio::spawn(sweep_streams(Arc::downgrade(&shared)));
        tokio::spawn(server::serve(
            listener,
            shared.clone(),
            stop,
            self.common.serve,
        ));
        Ok(Emulator {
            listening,
            token,
            shared,
        })
    }
}

/// Close idle streams on a timer (not only when the next request comes),
/// until the emulator is gone.
async fn sweep_streams(shared: std::sync::Weak<Shared>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if shared.streams.is_stopping() {
            return;
        }
        // Closing connections may checkpoint: not on the async threads.
        let _ = tokio::task::spawn_blocking(move || shared.streams.sweep()).await;
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
