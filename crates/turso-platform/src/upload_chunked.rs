//! Chunked, resumable uploads of large files, as the official CLI sends them
//! (`internal/turso/tursoServer.go`), on the database's own host with a
//! database token:
//!
//! 1. `PUT /v2/upload/start` with `{"db_size_bytes": N}`; the answer's
//!    `chunk_size` says how the file is cut (a preferred size may be sent
//!    along, see [`crate::UploadDatabase::chunk_size`]; the answer decides);
//! 2. `PUT /v2/upload/chunk/{n}` for each chunk, in order; a chunk that fails
//!    on the network, with 408, 429 or a 5xx is sent again after a backoff
//!    (2 s doubling up to 60 s by default, or the answer's `Retry-After`),
//!    and a 401 (the short-lived database token expired) mints a new token
//!    and sends it again;
//! 3. `PUT /v2/upload/finalize`.
//!
//! After each acknowledged chunk an [`UploadCheckpoint`] is handed to
//! [`crate::UploadDatabase::on_checkpoint`]. An upload made
//! [`crate::UploadDatabase::resumable`] keeps its database when it fails once the
//! start was acknowledged, and [`Databases::resume_upload`] continues from
//! the checkpoint's next chunk instead of sending the file again.

use std::path::Path;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tracing::Instrument;

use crate::databases::Encryption;
use crate::databases::{CreatedDatabase, Databases};
use crate::tokens::TokenRequest;
use crate::upload_file::{FileState, UploadProgress};
use crate::{Error, ErrorKind, Result, Token};

/// How long each database token minted for the upload lives; a longer upload
/// mints another when the host answers 401.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// How far a chunked upload has got: enough to resume it with
/// [`Databases::resume_upload`] (in this process or, kept by the caller,
/// another one, as long as the service still holds the chunks).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadCheckpoint {
    /// The database being uploaded into.
    pub database: String,
    /// Its hostname.
    pub hostname: String,
    /// The chunk size the start answered.
    pub chunk_size: u64,
    /// Chunks acknowledged so far (chunks `0..acknowledged`).
    pub acknowledged: u64,
    /// The file's size.
    pub total: u64,
    pub(crate) file: FileState,
}

impl UploadCheckpoint {
    /// How many chunks the file makes.
    pub fn chunks(&self) -> u64 {
        self.total.div_ceil(self.chunk_size.max(1))
    }

    /// Bytes acknowledged so far.
    pub fn sent(&self) -> u64 {
        self.acknowledged
            .saturating_mul(self.chunk_size)
            .min(self.total)
    }
}

/// How chunks are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkRetry {
    pub(crate) attempts: u32,
    pub(crate) initial: Duration,
    pub(crate) max: Duration,
}

impl Default for ChunkRetry {
    /// The CLI's: from 2 s, doubling, up to 60 s.
    fn default() -> Self {
        ChunkRetry {
            attempts: 6,
            initial: Duration::from_secs(2),
            max: Duration::from_secs(60),
        }
    }
}

/// What a chunked upload needs of the upload's settings (implemented by
/// [`crate::UploadDatabase`]; a trait, so this module does not depend on the
/// one that starts it).
pub(crate) trait ChunkSource: Send + Sync {
    /// The database's name.
    fn name(&self) -> &str;
    /// The local file.
    fn path(&self) -> &Path;
    /// The chunk size to ask for.
    fn preferred_chunk_size(&self) -> Option<u64>;
    /// How chunks are retried.
    fn chunk_retry(&self) -> ChunkRetry;
    /// The timeout of each request.
    fn request_timeout(&self) -> Duration;
    /// The encryption key and cipher sent along, if any.
    fn encryption_settings(&self) -> Option<&Encryption>;
    /// Reports progress.
    fn report(&self, progress: UploadProgress);
    /// Reports an acknowledged chunk.
    fn report_checkpoint(&self, checkpoint: &UploadCheckpoint);
}

/// One chunked upload in flight: the database, its current token, where it is.
pub(crate) struct Chunked<'a> {
    databases: &'a Databases,
    upload: &'a dyn ChunkSource,
    token: Token,
    checkpoint: UploadCheckpoint,
}

impl<'a> Chunked<'a> {
    /// Starts a chunked upload into the just-created database.
    pub(crate) async fn start(
        databases: &'a Databases,
        created: &CreatedDatabase,
        hostname: &str,
        upload: &'a dyn ChunkSource,
        file: FileState,
        token: Token,
    ) -> Result<Chunked<'a>> {
        let mut body = serde_json::json!({ "db_size_bytes": file.len });
        if let Some(size) = upload.preferred_chunk_size() {
            body["chunk_size"] = serde_json::json!(size);
        }
        let mut this = Chunked {
            databases,
            upload,
            token,
            checkpoint: UploadCheckpoint {
                database: created.name.clone(),
                hostname: hostname.to_string(),
                chunk_size: 0,
                acknowledged: 0,
                total: file.len,
                file,
            },
        };
        let body = bytes::Bytes::from(body.to_string());
        let answer = this
            .put("uploadStart", "/v2/upload/start", body, "application/json")
            .await?;
        let chunk_size = answer
            .get("chunk_size")
            .and_then(serde_json::Value::as_u64)
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode {
                        excerpt: answer.to_string().chars().take(100).collect(),
                    },
                    "the upload start answered no positive chunk_size",
                )
                .with_operation("uploadStart")
            })?;
        this.checkpoint.chunk_size = chunk_size;
        Ok(this)
    }

    /// Continues from `checkpoint` with a fresh token.
    pub(crate) async fn resume(
        databases: &'a Databases,
        upload: &'a dyn ChunkSource,
        checkpoint: UploadCheckpoint,
    ) -> Result<Chunked<'a>> {
        let token = mint(databases, &checkpoint.database).await?;
        Ok(Chunked {
            databases,
            upload,
            token,
            checkpoint,
        })
    }

    /// Sends every chunk not acknowledged yet, then finalizes.
    pub(crate) async fn finish(&mut self) -> Result<()> {
        let path = self.upload.path().to_path_buf();
        let mut reader = tokio::fs::File::open(&path)
            .await
            .map_err(|e| Error::invalid_input(format!("cannot read {}: {e}", path.display())))?;
        while self.checkpoint.acknowledged < self.checkpoint.chunks() {
            let n = self.checkpoint.acknowledged;
            let chunk = read_chunk(&mut reader, &path, &self.checkpoint, n).await?;
            self.put(
                "uploadChunk",
                &format!("/v2/upload/chunk/{n}"),
                chunk,
                "application/octet-stream",
            )
            .await?;
            self.checkpoint.acknowledged = n + 1;
            self.upload.report(UploadProgress {
                sent: self.checkpoint.sent(),
                total: self.checkpoint.total,
            });
            self.upload.report_checkpoint(&self.checkpoint);
        }
        // The chunks sent must be the file as it is now.
        self.checkpoint.file.still(&path).await.map_err(|changed| {
            Error::new(ErrorKind::FileChanged, changed.to_string()).with_operation("uploadChunk")
        })?;
        self.put(
            "uploadFinalize",
            "/v2/upload/finalize",
            bytes::Bytes::new(),
            "application/json",
        )
        .await?;
        Ok(())
    }

    /// One `PUT` on the database host, retried as the module docs say.
    async fn put(
        &mut self,
        operation: &'static str,
        path: &str,
        body: bytes::Bytes,
        content_type: &'static str,
    ) -> Result<serde_json::Value> {
        let retry = self.upload.chunk_retry();
        let mut backoff = retry.initial;
        let mut attempt = 0u32;
        // Whether an earlier attempt may have been carried out (its answer
        // never came back).
        let mut maybe_done = false;
        loop {
            attempt += 1;
            let outcome = self
                .put_once(operation, path, body.clone(), content_type)
                .await;
            let err = match outcome {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if maybe_done && operation == "uploadFinalize" && err.status() == Some(409) {
                // "Already uploaded": the finalize whose answer was lost did it.
                return Ok(serde_json::Value::Null);
            }
            maybe_done |= err.status().is_none();
            if attempt >= retry.attempts.max(1) {
                return Err(err);
            }
            if err.status() == Some(401) {
                // The short-lived token expired: a new one, at once.
                tracing::debug!(operation, "database token refused; minting a new one");
                self.token = mint(self.databases, &self.checkpoint.database).await?;
                continue;
            }
            let transient = match err.status() {
                None => !matches!(err.kind(), ErrorKind::FileChanged | ErrorKind::InvalidInput),
                Some(s) => s == 408 || s == 429 || s >= 500,
            };
            if !transient {
                return Err(err);
            }
            let wait = err.retry_after().unwrap_or(backoff).min(retry.max);
            tracing::debug!(operation, attempt, wait_ms = wait.as_millis() as u64, error = %err, "sending again");
            tokio::time::sleep(wait).await;
            backoff = backoff.saturating_mul(2).min(retry.max);
        }
    }

    async fn put_once(
        &self,
        operation: &'static str,
        path: &str,
        body: bytes::Bytes,
        content_type: &'static str,
    ) -> Result<serde_json::Value> {
        let client = self.databases.client();
        let (url, host) = crate::data_plane::url(client, &self.checkpoint.hostname, path)?;
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", self.token.expose()))
            .map_err(|_| Error::invalid_input("the minted token is not a valid header value"))?;
        bearer.set_sensitive(true);
        let mut req = client
            .http()
            .put(url)
            .timeout(self.upload.request_timeout())
            .header(AUTHORIZATION, bearer)
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, body.len());
        if let Some(host) = host {
            req = req.header(HOST, host);
        }
        if let Some(enc) = self.upload.encryption_settings() {
            let mut key = HeaderValue::from_str(enc.key.expose()).map_err(|_| {
                Error::invalid_input("the encryption key is not a valid header value")
            })?;
            key.set_sensitive(true);
            req = req.header("x-turso-encryption-key", key);
            if let Some(c) = &enc.cipher {
                req = req.header("x-turso-encryption-cipher", c.as_str());
            }
        }
        let span = tracing::info_span!(
            "sdk.request",
            operation,
            method = "PUT",
            path,
            status = tracing::field::Empty,
        );
        let response = req
            .body(body)
            .send()
            .instrument(span.clone())
            .await
            .map_err(|e| Error::from_reqwest(e).with_operation(operation))?;
        let status = response.status();
        span.record("status", status.as_u16());
        if !status.is_success() {
            let retry_after = sdk_runtime::retry::parse_retry_after(response.headers());
            let body = sdk_runtime::error_body(response).await;
            return Err(
                Error::from_status(status.as_u16(), &body, retry_after).with_operation(operation)
            );
        }
        let text = response
            .bytes()
            .await
            .map_err(|e| Error::from_reqwest(e).with_operation(operation))?;
        // The chunk and finalize answers are read only for their status.
        Ok(serde_json::from_slice(&text).unwrap_or(serde_json::Value::Null))
    }
}

/// A full-access database token for the upload.
async fn mint(databases: &Databases, database: &str) -> Result<Token> {
    databases
        .create_token(
            database,
            &TokenRequest::new().full_access().expires_in(TOKEN_LIFETIME),
        )
        .await
}

/// Chunk `n` of the file, exactly as long as the checkpoint says it is.
async fn read_chunk(
    reader: &mut tokio::fs::File,
    path: &Path,
    checkpoint: &UploadCheckpoint,
    n: u64,
) -> Result<bytes::Bytes> {
    let changed =
        |detail: String| Error::new(ErrorKind::FileChanged, detail).with_operation("uploadChunk");
    let start = n.saturating_mul(checkpoint.chunk_size);
    let len = checkpoint
        .total
        .saturating_sub(start)
        .min(checkpoint.chunk_size);
    let len = usize::try_from(len).map_err(|_| changed("a chunk does not fit in memory".into()))?;
    reader
        .seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(|e| changed(format!("{}: {e}", path.display())))?;
    let mut buf = vec![0u8; len];
    reader.read_exact(&mut buf).await.map_err(|e| {
        changed(format!(
            "{} could not be read at byte {start} ({e}); it was {} bytes when the upload started",
            path.display(),
            checkpoint.total
        ))
    })?;
    Ok(bytes::Bytes::from(buf))
}

/// Continues `upload` from `checkpoint`; see [`Databases::resume_upload`].
pub(crate) async fn resume(
    databases: &Databases,
    upload: &dyn ChunkSource,
    checkpoint: UploadCheckpoint,
) -> Result<CreatedDatabase> {
    if upload.name() != checkpoint.database {
        return Err(Error::invalid_input(format!(
            "the checkpoint is of database {:?}, not {:?}",
            checkpoint.database,
            upload.name()
        )));
    }
    checkpoint
        .file
        .still(upload.path())
        .await
        .map_err(|changed| {
            Error::new(ErrorKind::FileChanged, changed.to_string()).with_operation("uploadChunk")
        })?;
    let created = databases.get(&checkpoint.database).await?;
    let mut chunked = Chunked::resume(databases, upload, checkpoint).await?;
    chunked.finish().await?;
    Ok(created.into())
}
