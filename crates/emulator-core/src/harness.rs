//! What every emulator's front object and builder share: the settings each
//! builder takes ([`Common`]), why starting failed ([`StartError`]), and the
//! bound listener with the switch that stops serving ([`Listening`]).
//!
//! Each emulator's builder keeps a `Common` and has one short setter per
//! field (`port`, `bind`, `data_dir`, ...) that writes it; its front object
//! keeps a `Listening` and answers `base_url` and `addr` from it. Those
//! methods are written out in each emulator, so a reader sees them where
//! they are called.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
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

impl Common {
    /// Refuse settings that cannot work: a status fault that is not an
    /// error status ([`FaultPlan::check`]).
    pub fn check(&self) -> Result<(), StartError> {
        self.faults
            .check()
            .map_err(|e| StartError::Config(e.to_string()))
    }
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
            // Bound to every address (`--bind 0.0.0.0`): the URL names one
            // that clients on other hosts can use, not `0.0.0.0`.
            ip if ip.is_unspecified() => reachable_host(),
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

/// This host's address on its default route (a UDP socket "connected" to a
/// documentation address sends nothing, but the kernel picks the source
/// address it would use); its host name when it has no route, `127.0.0.1`
/// when it has neither.
pub fn reachable_host() -> String {
    let routed = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|s| s.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified());
    match routed {
        Some(ip) => ip.to_string(),
        None => std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| Ipv4Addr::LOCALHOST.to_string()),
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

    #[tokio::test]
    async fn a_listener_on_every_address_names_one_clients_can_reach() {
        let common = Common {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            ..Common::default()
        };
        let (listening, _listener, _stop) = Listening::bind(&common).await.expect("binds");
        let url = listening.base_url();
        assert!(!url.contains("0.0.0.0"), "{url}");
        assert_eq!(
            url,
            format!("http://{}:{}", reachable_host(), listening.addr().port())
        );
        let (local, _listener, _stop) = Listening::bind(&Common::default()).await.expect("binds");
        assert!(local.base_url().starts_with("http://127.0.0.1:"));
    }

    #[test]
    fn delays_default_to_seconds() {
        assert_eq!(parse_delay("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_delay("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_delay("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_delay("5y").is_err());
        assert!(parse_delay("").is_err());
    }

    #[test]
    fn a_success_status_fault_is_a_config_error() {
        let common = Common {
            faults: FaultPlan::new().on("op", [crate::Fault::status(200)]),
            ..Common::default()
        };
        let err = common.check().expect_err("200 is refused");
        assert!(matches!(err, StartError::Config(_)), "{err:?}");
        assert!(Common::default().check().is_ok());
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
