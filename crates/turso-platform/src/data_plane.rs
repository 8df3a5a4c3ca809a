//! The data plane of a database (`https://{hostname}`), where it serves SQL
//! and takes uploads: its URLs, and [`Databases::wait_until_serving`], the
//! readiness wait that means "queries work".
//!
//! Right after the Platform API reports a new database, its data plane still
//! answers 404 for a few seconds (users report 2.5 s, once over 15 s), and
//! that 404 looks like "no such database". A wait that polls only the
//! Platform API ([`Databases::wait_until_ready`]) says "ready" too early; this
//! one runs `SELECT 1` through the database's own Hrana endpoint.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use sdk_runtime::wait::{Poll, Wait};

use crate::databases::{Database, Databases};
use crate::error;
use crate::{Client, ErrorKind, Result, TokenRequest, validate};

/// The URL of `path` on the data plane of the database at `hostname` and,
/// when the client sends database hosts to `database_host_base_url` (an
/// emulator, a proxy), the `Host` header naming the database.
pub(crate) fn url(
    client: &Client,
    hostname: &str,
    path: &str,
) -> Result<(url::Url, Option<HeaderValue>)> {
    let direct = url::Url::parse(&format!("https://{hostname}{path}"))
        .ok()
        .filter(|u| u.host_str() == Some(hostname) && u.port().is_none())
        .ok_or_else(|| {
            error::new(
                ErrorKind::Decode {
                    excerpt: hostname.chars().take(100).collect(),
                },
                "the service returned an invalid database hostname",
            )
        })?;
    match client.database_host_base_url() {
        None => Ok((direct, None)),
        Some(base) => {
            let mut url = base.clone();
            url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
            let host = HeaderValue::from_str(hostname)
                .map_err(|_| error::invalid_input("invalid database hostname"))?;
            Ok((url, Some(host)))
        }
    }
}

/// How long the token minted for the probes lives: long enough for any wait,
/// short enough to be worthless soon after.
const PROBE_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// `SELECT 1` in one Hrana pipeline, closing its stream.
const PROBE: &str =
    r#"{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}},{"type":"close"}]}"#;

impl Databases {
    /// Waits until database `name` serves queries: first until the Platform
    /// API knows it ([`Databases::wait_until_ready`]), then until its own
    /// data plane runs `SELECT 1` with a short-lived read-only token (a 404
    /// from the data plane means "not yet"). `timeout` bounds the whole wait,
    /// the request in flight included; [`ErrorKind::Timeout`] when it ends.
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use std::time::Duration;
    /// use turso_platform::CreateDatabase;
    /// client.databases().create(&CreateDatabase::new("orders", "default")).await?;
    /// let db = client.databases().wait_until_serving("orders", Duration::from_secs(60)).await?;
    /// println!("queries work at libsql://{}", db.hostname.as_deref().unwrap_or("?"));
    /// # Ok(()) }
    /// ```
    pub async fn wait_until_serving(&self, name: &str, timeout: Duration) -> Result<Database> {
        validate::database_name(name)?;
        let what =
            format!("database {name:?} was known to the Platform API but did not serve queries");
        let wait = Wait::new("waitUntilServing", what, timeout)
            .pauses(Duration::from_millis(100), Duration::from_secs(1));
        let db = self.wait_until_ready(name, wait.left()).await?;
        let probe_token = TokenRequest::new()
            .read_only()
            .expires_in(PROBE_TOKEN_LIFETIME);
        let token = wait.step(self.create_token(name, &probe_token)).await?;
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| error::invalid_input("the minted token is not a valid header value"))?;
        bearer.set_sensitive(true);
        let (url, host) = url(self.client(), db.hostname()?, "/v2/pipeline")?;
        wait.poll(|| async {
            let mut request = self
                .client()
                .http()
                .post(url.clone())
                .header(AUTHORIZATION, bearer.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(PROBE);
            if let Some(host) = &host {
                request = request.header(HOST, host.clone());
            }
            match request.send().await {
                Ok(answer) if answer.status().is_success() => Ok(Poll::Done(())),
                // Not serving yet (or a gateway in the way): wait.
                Ok(answer) if matches!(answer.status().as_u16(), 404 | 502 | 503 | 504) => {
                    Ok(Poll::Waiting(format!("HTTP {}", answer.status().as_u16())))
                }
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    let body = sdk_runtime::error_body(answer).await;
                    Err(error::from_status(status, &body, None))
                }
                Err(e) => Ok(Poll::Waiting(
                    error::from_reqwest(e, "waitUntilServing").to_string(),
                )),
            }
        })
        .await?;
        Ok(db)
    }
}
