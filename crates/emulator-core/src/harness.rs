//! What every emulator's front object and builder share: the settings each
//! builder takes ([`Common`], with [`common_builder_methods!`](crate::common_builder_methods)),
//! and the bound listener with the switch that stops serving ([`Listening`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::faults::FaultPlan;
use crate::serve::ServeOptions;
use crate::store::StoreError;

/// Why an emulator did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Binding the listener failed.
    #[error("cannot bind the emulator's listener: {0}")]
    Bind(#[from] std::io::Error),
    /// The API's spec could not be loaded or compiled.
    #[error("cannot load the API's OpenAPI spec: {0}")]
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
    /// Something the emulator runs beside its server could not be prepared
    /// (the real database engines, ...).
    #[error("cannot prepare the emulator: {0}")]
    Setup(String),
}

impl From<StoreError> for StartError {
    fn from(e: StoreError) -> StartError {
        match e {
            StoreError::Locked(dir) => StartError::DataDirInUse(dir),
            other => StartError::Persist(other.to_string()),
        }
    }
}

/// The settings every emulator's builder takes.
#[derive(Debug, Clone)]
pub struct Common {
    /// The port to listen on (0 picks a free one).
    pub port: u16,
    /// The address to bind.
    pub bind: IpAddr,
    /// Where the state is kept durably; a temporary directory without it.
    pub data_dir: Option<PathBuf>,
    /// The initial fault plan.
    pub faults: FaultPlan,
    /// Whether an answer that violates the spec becomes a 500.
    pub strict: bool,
    /// How long a newly created resource stays provisioning (what that
    /// means is each API's: a 404, a `provisioning` status, ...).
    pub provisioning_delay: Duration,
    /// How connections are served.
    pub serve: ServeOptions,
}

impl Default for Common {
    fn default() -> Common {
        Common {
            port: 0,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            data_dir: None,
            faults: FaultPlan::new(),
            strict: true,
            provisioning_delay: Duration::ZERO,
            serve: ServeOptions::default(),
        }
    }
}

/// The setters of [`Common`] for a builder with a `common: Common` field:
/// `port`, `bind`, `data_dir`, `faults`, `strict_validation`,
/// `provisioning_delay`, `header_read_timeout`, `body_read_timeout` and `common` (all at once, from the command line).
#[macro_export]
macro_rules! common_builder_methods {
    () => {
        /// The port to listen on (0, the default, picks a free one).
        pub fn port(mut self, port: u16) -> Self {
            self.common.port = port;
            self
        }

        /// The address to bind (default 127.0.0.1).
        pub fn bind(mut self, addr: ::std::net::IpAddr) -> Self {
            self.common.bind = addr;
            self
        }

        /// Keep the state durably in this directory (`state.sqlite3` and
        /// whatever else the emulator keeps), loaded on start; one emulator
        /// at a time. Without it, everything lives in a temporary directory
        /// removed on drop.
        pub fn data_dir(mut self, dir: impl Into<::std::path::PathBuf>) -> Self {
            self.common.data_dir = Some(dir.into());
            self
        }

        /// The initial fault plan (refused at start when a status fault is
        /// not an error status).
        pub fn faults(mut self, faults: $crate::FaultPlan) -> Self {
            self.common.faults = faults;
            self
        }

        /// Whether a response that violates the spec becomes a 500 (default
        /// true). Violations are recorded and logged either way.
        pub fn strict_validation(mut self, strict: bool) -> Self {
            self.common.strict = strict;
            self
        }

        /// How long a newly created resource stays provisioning (default
        /// zero); see the emulator's documentation for what that means.
        pub fn provisioning_delay(mut self, delay: ::std::time::Duration) -> Self {
            self.common.provisioning_delay = delay;
            self
        }

        /// How long a client may take to send a request's headers before its
        /// connection is closed (default 30 s).
        pub fn header_read_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.common.serve.header_read_timeout = timeout;
            self
        }

        /// How long a request body may take to arrive once a handler reads
        /// it, in all, before the request is answered 408 and its connection
        /// closed (default 30 s).
        pub fn body_read_timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.common.serve.body_read_timeout = timeout;
            self
        }

        /// All the common settings at once (what the command line gives).
        pub fn common(mut self, common: $crate::harness::Common) -> Self {
            self.common = common;
            self
        }
    };
}

/// The methods every emulator has, for a type with a `listening:
/// Listening` field and a `shared` field (behind a pointer) holding
/// `faults: Mutex<FaultPlan>` and `violations: Violations`, whose builder
/// (`Default`, with an async `start`) is `$builder`: `start`, `builder`,
/// `base_url`, `addr`, `set_faults`, `faults_left` and `violations`.
#[macro_export]
macro_rules! emulator_methods {
    ($builder:ty, $error:ty) => {
        /// Start with the default configuration on a random loopback port.
        pub async fn start() -> Result<Self, $error> {
            <$builder>::default().start().await
        }

        /// A builder for a customised emulator.
        pub fn builder() -> $builder {
            <$builder>::default()
        }

        /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
        pub fn base_url(&self) -> &str {
            self.listening.base_url()
        }

        /// The address the server listens on.
        pub fn addr(&self) -> ::std::net::SocketAddr {
            self.listening.addr()
        }

        /// Replace the fault plan (operationIds of the spec, or `*`). A
        /// status fault must be an error status (400–599,
        /// [`FaultPlan::check`]($crate::FaultPlan::check)): another is
        /// answered with a 500 saying so.
        pub fn set_faults(&self, faults: $crate::FaultPlan) {
            *$crate::http::lock(&self.shared.faults) = faults;
        }

        /// The faults not injected yet: empty once every scheduled fault has
        /// met its request, which a test can check to know its faults were
        /// exercised.
        pub fn faults_left(&self) -> $crate::FaultPlan {
            $crate::http::lock(&self.shared.faults).clone()
        }

        /// Spec violations seen so far in answers the emulator produced.
        pub fn violations(&self) -> Vec<String> {
            self.shared.violations.all()
        }
    };
}

/// `Debug` for an emulator type with a `listening: Listening` field: its
/// base URL only, since the rest holds credentials (tokens, passwords).
#[macro_export]
macro_rules! emulator_debug {
    ($emulator:ty) => {
        impl ::std::fmt::Debug for $emulator {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($emulator))
                    .field("base_url", &self.listening.base_url())
                    .finish_non_exhaustive()
            }
        }
    };
}

/// A bound listener: where it listens, and the switch that stops serving
/// (flipped when this is dropped).
#[derive(Debug)]
pub struct Listening {
    addr: SocketAddr,
    base_url: String,
    shutdown: watch::Sender<bool>,
}

impl Listening {
    /// Bind `common.bind:common.port`. Returns the listener to serve and the
    /// receiver that tells the accept loop to stop.
    pub async fn bind(
        common: &Common,
    ) -> std::io::Result<(Listening, TcpListener, watch::Receiver<bool>)> {
        let listener = TcpListener::bind(SocketAddr::new(common.bind, common.port)).await?;
        let addr = listener.local_addr()?;
        let host = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let (tx, rx) = watch::channel(false);
        let listening = Listening {
            addr,
            base_url: format!("http://{host}:{}", addr.port()),
            shutdown: tx,
        };
        Ok((listening, listener, rx))
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        // Stops the accept loop and gracefully shuts down open connections.
        let _ = self.shutdown.send(true);
    }
}

/// Parse a delay: `200ms`, `2s`, `1m`, or a bare number of seconds.
pub fn parse_delay(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let with_unit = if s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{s}s")
    } else {
        s.to_string()
    };
    crate::faults::parse_duration(&with_unit)
        .ok_or_else(|| format!("invalid duration {s:?}: use ms, s or m (e.g. 2s)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_default_to_seconds() {
        assert_eq!(parse_delay("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_delay("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_delay("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_delay("5y").is_err());
        assert!(parse_delay("").is_err());
    }

    #[tokio::test]
    async fn binds_and_names_its_url() {
        let (listening, _listener, rx) = Listening::bind(&Common::default()).await.expect("binds");
        assert_eq!(
            listening.base_url(),
            format!("http://127.0.0.1:{}", listening.addr().port())
        );
        drop(listening);
        assert!(*rx.borrow(), "dropping it stops serving");
    }
}
