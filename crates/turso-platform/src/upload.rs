//! Uploading a local SQLite file as a new database.
//!
//! The flow (documented by Turso outside the OpenAPI spec):
//! 1. check the file locally: a SQLite database in WAL mode with 4096-byte pages;
//! 2. create the database with the `database_upload` seed (and optional
//!    encryption);
//! 3. mint a short-lived database token for it;
//! 4. `POST https://{hostname}/v1/upload` with the file as the body.
//!
//! If any step after the creation fails, the database is deleted again, so a
//! failed upload never leaves a half-created database behind.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue, USER_AGENT};
use tokio::io::AsyncReadExt;
use tracing::Instrument;

use crate::databases::{CreateDatabase, CreatedDatabase, Databases, Encryption, Seed};
use crate::error::{Error, Result};
use crate::runtime::Retry;
use crate::tokens::TokenRequest;
use crate::validate;

/// The page size the upload endpoint requires.
pub const REQUIRED_PAGE_SIZE: u32 = 4096;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const CHUNK: usize = 64 * 1024;

/// How far an upload has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes handed to the connection so far.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
}

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// An upload of a local SQLite file as a new database.
///
/// ```no_run
/// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
/// use turso_platform::UploadDatabase;
///
/// let db = client
///     .databases()
///     .upload(
///         UploadDatabase::new("imported", "default", "./local.db")
///             .on_progress(|p| eprintln!("{}/{} bytes", p.sent, p.total)),
///     )
///     .await?;
/// println!("uploaded to {}", db.hostname);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct UploadDatabase {
    name: String,
    group: String,
    path: PathBuf,
    encryption: Option<Encryption>,
    progress: Option<ProgressFn>,
    timeout: Duration,
    ready_timeout: Duration,
    local_checks: bool,
}

impl fmt::Debug for UploadDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadDatabase")
            .field("name", &self.name)
            .field("group", &self.group)
            .field("path", &self.path)
            .field("encryption", &self.encryption)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl UploadDatabase {
    /// Uploads the file at `path` as database `name` in `group`.
    pub fn new(name: impl Into<String>, group: impl Into<String>, path: impl AsRef<Path>) -> Self {
        UploadDatabase {
            name: name.into(),
            group: group.into(),
            path: path.as_ref().to_path_buf(),
            encryption: None,
            progress: None,
            timeout: Duration::from_secs(30 * 60),
            ready_timeout: Duration::from_secs(120),
            local_checks: true,
        }
    }

    /// Encrypts the database; the key and cipher are also sent with the upload
    /// (`x-turso-encryption-key`, `x-turso-encryption-cipher`).
    pub fn encryption(mut self, encryption: Encryption) -> Self {
        self.encryption = Some(encryption);
        self
    }

    /// Called as the file is streamed, after each chunk.
    pub fn on_progress(mut self, f: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The timeout of the upload request itself (default 30 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long to wait for the new database to answer before minting its token
    /// (default 2 minutes).
    pub fn ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }

    /// Skips the local file checks and lets the service judge the file. Meant for
    /// testing the service's own validation; the database is still deleted if the
    /// upload is refused.
    pub fn skip_local_checks(mut self) -> Self {
        self.local_checks = false;
        self
    }
}

/// Checks that `path` is an uploadable SQLite database and returns its size.
pub(crate) async fn check_file(path: &Path, strict: bool) -> Result<u64> {
    let io = |e: std::io::Error| {
        Error::invalid_input(format!("cannot read {}: {e}", path.display())).with_source(e)
    };
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    let len = file.metadata().await.map_err(io)?.len();
    if !strict {
        return Ok(len);
    }
    let mut header = [0u8; 100];
    let mut read = 0;
    while read < header.len() {
        let n = file.read(&mut header[read..]).await.map_err(io)?;
        if n == 0 {
            break;
        }
        read += n;
    }
    let refuse = |why: String| Error::invalid_input(format!("{} {why}", path.display()));
    if read < header.len() || &header[..16] != SQLITE_MAGIC {
        return Err(refuse("is not a SQLite database (no SQLite header)".into()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u32::from(n),
    };
    if page_size != REQUIRED_PAGE_SIZE {
        return Err(refuse(format!(
            "has {page_size}-byte pages; uploads need {REQUIRED_PAGE_SIZE}-byte pages \
             (PRAGMA page_size=4096; VACUUM;)"
        )));
    }
    if header[18] != 2 || header[19] != 2 {
        return Err(refuse(
            "is not in WAL mode; uploads need a WAL database (PRAGMA journal_mode=WAL;)".into(),
        ));
    }
    if len == 0 || len % u64::from(REQUIRED_PAGE_SIZE) != 0 {
        return Err(refuse(format!(
            "is {len} bytes long, not a whole number of pages (checkpoint it first)"
        )));
    }
    Ok(len)
}

impl Databases {
    /// Uploads a local SQLite file as a new database; see [`UploadDatabase`] and
    /// the module docs for the steps. On failure after the database was created,
    /// the database is deleted and the original error returned.
    pub async fn upload(&self, upload: UploadDatabase) -> Result<CreatedDatabase> {
        validate::database_name(&upload.name)?;
        validate::group_name(&upload.group)?;
        let len = check_file(&upload.path, upload.local_checks).await?;
        let mut create = CreateDatabase::new(&upload.name, &upload.group).seed(Seed::upload());
        if let Some(enc) = &upload.encryption {
            create = create.encryption(enc.clone());
        }
        let created = self.create_with(&create, Retry::Never).await?;
        match self.upload_into(&created, &upload, len).await {
            Ok(()) => Ok(created),
            Err(err) => {
                tracing::debug!(database = %created.name, error = %err, "upload failed; deleting the database");
                if let Err(cleanup) = self.delete(&created.name).await {
                    tracing::warn!(database = %created.name, error = %cleanup, "could not delete the database after a failed upload");
                    let msg = format!(
                        "{} (and the database {:?} could not be deleted: {cleanup})",
                        err.message().unwrap_or("upload failed"),
                        created.name
                    );
                    return Err(err.with_message(msg));
                }
                Err(err)
            }
        }
    }

    async fn upload_into(
        &self,
        created: &CreatedDatabase,
        upload: &UploadDatabase,
        len: u64,
    ) -> Result<()> {
        self.wait_until_ready(&created.name, upload.ready_timeout)
            .await?;
        let token = self
            .create_token(
                &created.name,
                &TokenRequest::new()
                    .full_access()
                    .expires_in(Duration::from_secs(15 * 60)),
            )
            .await?;
        let client = self.client();
        let (url, host) = upload_url(client, &created.hostname)?;
        let transport = client.transport();

        let mut req = client
            .http()
            .post(url)
            .timeout(upload.timeout)
            .header(AUTHORIZATION, crate::runtime::Transport::bearer(&token))
            .header(USER_AGENT, transport.user_agent.clone())
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, len);
        if let Some(host) = host {
            req = req.header(HOST, host);
        }
        if let Some(enc) = &upload.encryption {
            let mut key = HeaderValue::from_str(enc.key.expose()).map_err(|_| {
                Error::invalid_input("the encryption key is not a valid header value")
            })?;
            key.set_sensitive(true);
            req = req.header("x-turso-encryption-key", key);
            if let Some(c) = &enc.cipher {
                req = req.header("x-turso-encryption-cipher", c.as_str());
            }
        }
        let file = tokio::fs::File::open(&upload.path).await.map_err(|e| {
            Error::invalid_input(format!("cannot read {}: {e}", upload.path.display()))
        })?;
        req = req.body(reqwest::Body::wrap_stream(file_stream(
            file,
            len,
            upload.progress.clone(),
        )));

        let span = tracing::info_span!(
            "turso_platform.request",
            operation = "uploadDatabase",
            method = "POST",
            path = "/v1/upload",
            attempt = 1u32,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let start = Instant::now();
        let result = req.send().instrument(span.clone()).await;
        span.record("duration_ms", start.elapsed().as_millis() as u64);
        let response =
            result.map_err(|e| Error::from_reqwest(e).with_operation("uploadDatabase"))?;
        let status = response.status();
        span.record("status", status.as_u16());
        if status.is_success() {
            return Ok(());
        }
        let retry_after = crate::runtime::parse_retry_after(response.headers());
        let body = response.bytes().await.unwrap_or_default();
        Err(Error::from_status(status.as_u16(), &body, retry_after)
            .with_operation("uploadDatabase"))
    }
}

/// The upload URL for a database host and, when redirected through
/// `database_host_base_url`, the `Host` header to send.
fn upload_url(client: &crate::Client, hostname: &str) -> Result<(url::Url, Option<HeaderValue>)> {
    let direct = url::Url::parse(&format!("https://{hostname}/v1/upload"))
        .ok()
        .filter(|u| u.host_str() == Some(hostname) && u.port().is_none())
        .ok_or_else(|| {
            Error::new(
                crate::ErrorKind::Decode {
                    excerpt: hostname.chars().take(100).collect(),
                },
                "the service returned an invalid database hostname",
            )
        })?;
    match client.database_host_base_url() {
        None => Ok((direct, None)),
        Some(base) => {
            let mut url = base.clone();
            let path = format!("{}/v1/upload", base.path().trim_end_matches('/'));
            url.set_path(&path);
            let host = HeaderValue::from_str(hostname)
                .map_err(|_| Error::invalid_input("invalid database hostname"))?;
            Ok((url, Some(host)))
        }
    }
}

fn file_stream(
    file: tokio::fs::File,
    total: u64,
    progress: Option<ProgressFn>,
) -> impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    futures::stream::try_unfold((file, 0u64), move |(mut file, sent)| {
        let progress = progress.clone();
        async move {
            let mut buf = vec![0u8; CHUNK];
            let n = file.read(&mut buf).await?;
            if n == 0 {
                if sent != total {
                    return Err(std::io::Error::other(format!(
                        "the file changed during the upload ({sent} of {total} bytes)"
                    )));
                }
                return Ok(None);
            }
            buf.truncate(n);
            let sent = sent + n as u64;
            if let Some(p) = &progress {
                p(UploadProgress { sent, total });
            }
            Ok(Some((bytes::Bytes::from(buf), (file, sent))))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(page: u16, write: u8, read: u8) -> Vec<u8> {
        let mut h = vec![0u8; 4096];
        h[..16].copy_from_slice(SQLITE_MAGIC);
        h[16..18].copy_from_slice(&page.to_be_bytes());
        h[18] = write;
        h[19] = read;
        h
    }

    #[tokio::test]
    async fn checks_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.db");
        std::fs::write(&p, header(4096, 2, 2)).unwrap();
        assert_eq!(check_file(&p, true).await.unwrap(), 4096);
        std::fs::write(&p, header(4096, 1, 1)).unwrap();
        assert!(
            check_file(&p, true)
                .await
                .unwrap_err()
                .message()
                .unwrap()
                .contains("WAL")
        );
        std::fs::write(&p, header(1024, 2, 2)).unwrap();
        assert!(
            check_file(&p, true)
                .await
                .unwrap_err()
                .message()
                .unwrap()
                .contains("4096")
        );
        std::fs::write(&p, b"hello, not sqlite").unwrap();
        assert!(
            check_file(&p, true)
                .await
                .unwrap_err()
                .message()
                .unwrap()
                .contains("not a SQLite")
        );
        assert!(check_file(&dir.path().join("missing"), true).await.is_err());
    }
}
