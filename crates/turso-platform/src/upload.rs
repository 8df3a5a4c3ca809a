//! Uploading a local SQLite file as a new database.
//!
//! The flow (documented by Turso outside the OpenAPI spec):
//! 1. check the file locally: a SQLite database in WAL mode with 4096-byte pages;
//! 2. create the database with the `database_upload` seed (and optional
//!    encryption);
//! 3. mint a short-lived database token for it;
//! 4. `POST https://{hostname}/v1/upload` with the file as the body; a file
//!    larger than [`UploadDatabase::chunked_above`] (100 MiB by default, the
//!    CLI's threshold) goes in chunks instead (see [`crate::upload_chunked`]).
//!
//! If any step after the creation fails, if the creation's answer was lost,
//! or if the caller drops the upload's future half-way, the database is
//! deleted again, so a failed upload never leaves a half-created database
//! behind. A file that changes while it is sent fails the upload with
//! [`crate::ErrorKind::FileChanged`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue};
use sdk_runtime::body::FileChanged;
use tokio::io::AsyncReadExt;
use tracing::Instrument;

use crate::databases::{CreateDatabase, CreatedDatabase, Databases, Encryption, Seed};
use crate::tokens::TokenRequest;
use crate::upload_chunked::{ChunkRetry, ChunkSource, Chunked, UploadCheckpoint};
pub(crate) use crate::upload_file::FileState;
pub use crate::upload_file::UploadProgress;
use crate::{Error, ErrorKind, Idempotency, Result, validate};

/// The page size the upload endpoint requires.
pub const REQUIRED_PAGE_SIZE: u32 = 4096;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const CHUNK: usize = 64 * 1024;

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;
type CheckpointFn = Arc<dyn Fn(&UploadCheckpoint) + Send + Sync>;

/// Files larger than this go in chunks (the CLI's threshold).
pub const DEFAULT_CHUNKED_ABOVE: u64 = 100 * 1024 * 1024;

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
/// println!("uploaded to {:?}", db.hostname);
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
    chunked_above: u64,
    chunk_size: Option<u64>,
    chunk_retry: ChunkRetry,
    resumable: bool,
    checkpoint: Option<CheckpointFn>,
}

impl fmt::Debug for UploadDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadDatabase")
            .field("name", &self.name)
            .field("group", &self.group)
            .field("path", &self.path)
            .field("encryption", &self.encryption)
            .field("timeout", &self.timeout)
            .field("chunked_above", &self.chunked_above)
            .field("chunk_size", &self.chunk_size)
            .field("resumable", &self.resumable)
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
            chunked_above: DEFAULT_CHUNKED_ABOVE,
            chunk_size: None,
            chunk_retry: ChunkRetry::default(),
            resumable: false,
            checkpoint: None,
        }
    }

    /// Files larger than `bytes` are sent in chunks, each retried on its
    /// own; smaller ones in one request (default [`DEFAULT_CHUNKED_ABOVE`]).
    pub fn chunked_above(mut self, bytes: u64) -> Self {
        self.chunked_above = bytes;
        self
    }

    /// The chunk size to ask for (the service's answer decides; the emulator
    /// honours it between 4 KiB and 64 MiB).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = Some(bytes).filter(|b| *b > 0);
        self
    }

    /// How often each chunk is tried (at least once) and the first pause
    /// between tries, doubling up to 60 s (default 6 tries from 2 s).
    pub fn chunk_retries(mut self, attempts: u32, initial_backoff: Duration) -> Self {
        self.chunk_retry.attempts = attempts.max(1);
        self.chunk_retry.initial = initial_backoff;
        self
    }

    /// Keeps the database when a chunked upload fails after its start was
    /// acknowledged (or when its future is dropped), so that
    /// [`Databases::resume_upload`] can continue it from the last
    /// [`UploadCheckpoint`]. Without it a failed upload deletes the database.
    pub fn resumable(mut self) -> Self {
        self.resumable = true;
        self
    }

    /// Called after each acknowledged chunk of a chunked upload with where it
    /// stands: keep the last one to resume.
    pub fn on_checkpoint(mut self, f: impl Fn(&UploadCheckpoint) + Send + Sync + 'static) -> Self {
        self.checkpoint = Some(Arc::new(f));
        self
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

impl ChunkSource for UploadDatabase {
    fn name(&self) -> &str {
        &self.name
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn preferred_chunk_size(&self) -> Option<u64> {
        self.chunk_size
    }

    fn chunk_retry(&self) -> ChunkRetry {
        self.chunk_retry
    }

    fn request_timeout(&self) -> Duration {
        self.timeout
    }

    fn encryption_settings(&self) -> Option<&Encryption> {
        self.encryption.as_ref()
    }

    fn report(&self, progress: UploadProgress) {
        if let Some(p) = &self.progress {
            p(progress);
        }
    }

    fn report_checkpoint(&self, checkpoint: &UploadCheckpoint) {
        if let Some(f) = &self.checkpoint {
            f(checkpoint);
        }
    }
}

/// Checks that `path` is an uploadable SQLite database and returns its state.
pub(crate) async fn check_file(path: &Path, strict: bool) -> Result<FileState> {
    let io = |e: std::io::Error| {
        Error::invalid_input(format!("cannot read {}: {e}", path.display())).with_source(e)
    };
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    let state = FileState::of(&file.metadata().await.map_err(io)?);
    let len = state.len;
    if !strict {
        return Ok(state);
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
    if len == 0 || !len.is_multiple_of(u64::from(REQUIRED_PAGE_SIZE)) {
        return Err(refuse(format!(
            "is {len} bytes long, not a whole number of pages (checkpoint it first)"
        )));
    }
    Ok(state)
}

impl Databases {
    /// Uploads a local SQLite file as a new database; see [`UploadDatabase`] and
    /// the module docs for the steps. On failure after the database was created
    /// (or may have been), the database is deleted and the original error
    /// returned; a database of that name that exists already is refused with
    /// [`ErrorKind::AlreadyExists`] before anything is created.
    pub async fn upload(&self, upload: UploadDatabase) -> Result<CreatedDatabase> {
        validate::database_name(&upload.name)?;
        validate::group_name(&upload.group)?;
        let file = check_file(&upload.path, upload.local_checks).await?;
        // Refused up front: after a lost answer the cleanup deletes the
        // database by name, which must then be one this upload created.
        match self.get(&upload.name).await {
            Ok(_) => {
                return Err(Error::new(
                    ErrorKind::AlreadyExists,
                    format!(
                        "database {:?} already exists; uploads create a new database",
                        upload.name
                    ),
                )
                .with_operation("uploadDatabase"));
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        let mut create = CreateDatabase::new(&upload.name, &upload.group).seed(Seed::upload());
        if let Some(enc) = &upload.encryption {
            create = create.encryption(enc.clone());
        }
        // Armed before the create is sent: dropped with the future, it
        // deletes the database in the background.
        let mut cleanup = Cleanup::new(self.clone(), upload.name.clone());
        let result = match self.create_with(&create, Idempotency::Unsafe).await {
            Ok(created) => self
                .upload_into(&created, &upload, file, &mut cleanup)
                .await
                .map(|()| created),
            // The service may have created it although the answer was lost.
            Err(e) if e.may_have_been_carried_out() => Err(e),
            Err(e) => {
                cleanup.disarm();
                return Err(e);
            }
        };
        let err = match result {
            Ok(created) => {
                cleanup.disarm();
                return Ok(created);
            }
            Err(err) => err,
        };
        if cleanup.kept {
            let msg = format!(
                "{} (the database {:?} is kept: resume the upload with resume_upload)",
                err.message().unwrap_or("upload failed"),
                upload.name
            );
            return Err(err.with_message(msg));
        }
        cleanup.disarm();
        tracing::debug!(database = %upload.name, error = %err, "upload failed; deleting the database");
        match self.delete(&upload.name).await {
            Ok(_) => Err(err),
            Err(gone) if gone.is_not_found() => Err(err),
            Err(cleanup) => {
                tracing::warn!(database = %upload.name, error = %cleanup, "could not delete the database after a failed upload");
                let msg = format!(
                    "{} (and the database {:?} could not be deleted: {cleanup})",
                    err.message().unwrap_or("upload failed"),
                    upload.name
                );
                Err(err.with_message(msg))
            }
        }
    }

    async fn upload_into(
        &self,
        created: &CreatedDatabase,
        upload: &UploadDatabase,
        file: FileState,
        cleanup: &mut Cleanup,
    ) -> Result<()> {
        let ready = self
            .wait_until_ready(&created.name, upload.ready_timeout)
            .await?;
        // The create's answer names the host; an answer without it is
        // completed by the database's own.
        let hostname = match &created.hostname {
            Some(hostname) => hostname.clone(),
            None => ready.hostname()?.to_string(),
        };
        let token = self
            .create_token(
                &created.name,
                &TokenRequest::new()
                    .full_access()
                    .expires_in(Duration::from_secs(15 * 60)),
            )
            .await?;
        if file.len > upload.chunked_above {
            let mut chunked = Chunked::start(self, created, &hostname, upload, file, token).await?;
            if upload.resumable {
                // From here on the chunks the service holds are worth keeping.
                cleanup.keep();
            }
            return chunked.finish().await;
        }
        let client = self.client();
        let (url, host) = crate::data_plane::url(client, &hostname, "/v1/upload")?;
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| Error::invalid_input("the minted token is not a valid header value"))?;
        bearer.set_sensitive(true);

        let mut req = client
            .http()
            .post(url)
            .timeout(upload.timeout)
            .header(AUTHORIZATION, bearer)
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, file.len);
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
        let reader = tokio::fs::File::open(&upload.path).await.map_err(|e| {
            Error::invalid_input(format!("cannot read {}: {e}", upload.path.display()))
        })?;
        req = req.body(reqwest::Body::wrap_stream(file_stream(
            reader,
            upload.path.clone(),
            file,
            upload.progress.clone(),
        )));

        let span = tracing::info_span!(
            "sdk.request",
            operation = "uploadDatabase",
            method = "POST",
            path = "/v1/upload",
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
        if !status.is_success() {
            let retry_after = sdk_runtime::retry::parse_retry_after(response.headers());
            let body = sdk_runtime::error_body(response).await;
            return Err(Error::from_status(status.as_u16(), &body, retry_after)
                .with_operation("uploadDatabase"));
        }
        // Changed after its last byte was read, the file sent is still not the
        // file as it is: the caller must know.
        file.still(&upload.path).await.map_err(|changed| {
            Error::new(ErrorKind::FileChanged, changed.to_string()).with_operation("uploadDatabase")
        })
    }
}

impl Databases {
    /// Continues a [`UploadDatabase::resumable`] chunked upload that failed,
    /// from `checkpoint` (the last one [`UploadDatabase::on_checkpoint`] saw):
    /// chunks already acknowledged are not sent again. The file must be
    /// unchanged ([`ErrorKind::FileChanged`] otherwise). `upload` gives the
    /// file, progress and retry settings; its name must be the checkpoint's
    /// database. On failure the database is kept, so the upload can be
    /// resumed again or the database deleted.
    pub async fn resume_upload(
        &self,
        upload: UploadDatabase,
        checkpoint: UploadCheckpoint,
    ) -> Result<CreatedDatabase> {
        validate::database_name(&upload.name)?;
        crate::upload_chunked::resume(self, &upload, checkpoint).await
    }
}

/// Deletes the database of an upload whose future was dropped before it
/// finished (a caller's timeout, a cancelled task): dropped while armed, it
/// spawns the delete on the current tokio runtime.
struct Cleanup {
    databases: Option<(Databases, String)>,
    /// Disarmed to keep a resumable upload's database.
    kept: bool,
}

impl Cleanup {
    fn new(databases: Databases, name: String) -> Cleanup {
        Cleanup {
            databases: Some((databases, name)),
            kept: false,
        }
    }

    fn disarm(&mut self) {
        self.databases = None;
    }

    fn keep(&mut self) {
        self.disarm();
        self.kept = true;
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Some((databases, name)) = self.databases.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                tracing::debug!(database = %name, "upload dropped; deleting its database");
                runtime.spawn(async move {
                    if let Err(e) = databases.delete(&name).await
                        && !e.is_not_found()
                    {
                        tracing::warn!(database = %name, error = %e, "could not delete the database of a dropped upload");
                    }
                });
            }
            Err(_) => {
                tracing::warn!(database = %name, "upload dropped outside a tokio runtime; its database is left behind")
            }
        }
    }
}

/// The file as a stream of chunks, exactly `file.len` bytes: one more
/// byte, one fewer, or a file whose size or modification time changed by the
/// time the last byte is read, ends the stream with [`FileChanged`], so the
/// request fails instead of sending a torn file.
fn file_stream(
    reader: tokio::fs::File,
    path: PathBuf,
    file: FileState,
    progress: Option<ProgressFn>,
) -> impl futures::Stream<Item = std::result::Result<bytes::Bytes, FileChanged>> + Send + 'static {
    let total = file.len;
    futures::stream::try_unfold((reader, 0u64), move |(mut reader, sent)| {
        let progress = progress.clone();
        let path = path.clone();
        async move {
            let changed = |detail: String| FileChanged { detail };
            let want = usize::try_from(total - sent)
                .unwrap_or(usize::MAX)
                .min(CHUNK);
            if want == 0 {
                // Everything was sent: the file must end here and be as it was.
                let mut probe = [0u8; 1];
                let more = reader
                    .read(&mut probe)
                    .await
                    .map_err(|e| changed(e.to_string()))?;
                if more != 0 {
                    return Err(changed(format!(
                        "{} grew beyond {total} bytes",
                        path.display()
                    )));
                }
                file.still(&path).await?;
                return Ok(None);
            }
            let mut buf = vec![0u8; want];
            let n = reader
                .read(&mut buf)
                .await
                .map_err(|e| changed(e.to_string()))?;
            if n == 0 {
                return Err(changed(format!(
                    "{} ended after {sent} of {total} bytes",
                    path.display()
                )));
            }
            buf.truncate(n);
            let sent = sent + n as u64;
            if let Some(p) = &progress {
                p(UploadProgress { sent, total });
            }
            Ok(Some((bytes::Bytes::from(buf), (reader, sent))))
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
        assert_eq!(check_file(&p, true).await.unwrap().len, 4096);
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
