//! Chunked, resumable uploads of large files, as the official CLI sends them
//! (`internal/turso/tursoServer.go`):
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
//! [`crate::UploadDatabase::on_checkpoint`]; [`resume`] continues from a
//! checkpoint's next chunk instead of sending the file again.

use reqwest::header::CONTENT_LENGTH;

use super::file::{self, FileState};
use super::request;
use super::settings::{UploadCheckpoint, UploadDatabase, UploadProgress};
use crate::databases::{CreatedDatabase, Databases};
use crate::error;
use crate::{ApiErrorKind, ErrorKind, Result, Token};

/// One chunked upload in flight: the database, its current token, where it is.
pub(super) struct Chunked<'a> {
    databases: &'a Databases,
    upload: &'a UploadDatabase,
    token: Token,
    checkpoint: UploadCheckpoint,
}

impl<'a> Chunked<'a> {
    /// Starts a chunked upload of the file, as it was in `file`, into the
    /// just-created database `created` at `hostname`.
    pub(super) async fn start(
        databases: &'a Databases,
        created: &CreatedDatabase,
        hostname: &str,
        upload: &'a UploadDatabase,
        file: FileState,
        token: Token,
    ) -> Result<Chunked<'a>> {
        let mut body = serde_json::json!({ "db_size_bytes": file.len });
        if let Some(size) = upload.chunk_size {
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
                let e = error::new(
                    ErrorKind::Decode {
                        excerpt: answer.to_string().chars().take(100).collect(),
                    },
                    "the upload start answered no positive chunk_size",
                );
                error::with_operation(e, "uploadStart")
            })?;
        this.checkpoint.chunk_size = chunk_size;
        Ok(this)
    }

    /// Sends every chunk not acknowledged yet, then finalizes.
    pub(super) async fn finish(&mut self) -> Result<()> {
        let path = self.upload.path.as_path();
        let mut reader = file::open(path).await?;
        while self.checkpoint.acknowledged < self.checkpoint.chunks() {
            let n = self.checkpoint.acknowledged;
            let c = &self.checkpoint;
            let start = n.saturating_mul(c.chunk_size);
            let len = c.total.saturating_sub(start).min(c.chunk_size);
            let chunk = file::read_at(&mut reader, path, start, len, c.total)
                .await
                .map_err(|changed| error::file_changed(&changed, "uploadChunk"))?;
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
        self.checkpoint
            .file
            .still(path)
            .await
            .map_err(|changed| error::file_changed(&changed, "uploadChunk"))?;
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
        let retry = self.upload.chunk_retry;
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
                self.token = request::mint(self.databases, &self.checkpoint.database).await?;
                continue;
            }
            let transient = match err.status() {
                None => !matches!(
                    err.kind(),
                    ErrorKind::Api(ApiErrorKind::FileChanged) | ErrorKind::InvalidInput
                ),
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
        let req = request::build(
            self.databases,
            reqwest::Method::PUT,
            &self.checkpoint.hostname,
            path,
            &self.token,
            self.upload,
            content_type,
        )?
        .header(CONTENT_LENGTH, body.len())
        .body(body);
        let response = request::send(req, operation, path).await?;
        let text = response
            .bytes()
            .await
            .map_err(|e| error::from_reqwest(e, operation))?;
        // The chunk and finalize answers are read only for their status.
        Ok(serde_json::from_slice(&text).unwrap_or(serde_json::Value::Null))
    }
}

/// Continues `upload` from `checkpoint` with a fresh token; see
/// [`Databases::resume_upload`].
pub(super) async fn resume(
    databases: &Databases,
    upload: &UploadDatabase,
    checkpoint: UploadCheckpoint,
) -> Result<CreatedDatabase> {
    if upload.name != checkpoint.database {
        return Err(error::invalid_input(format!(
            "the checkpoint is of database {:?}, not {:?}",
            checkpoint.database, upload.name
        )));
    }
    checkpoint
        .file
        .still(&upload.path)
        .await
        .map_err(|changed| error::file_changed(&changed, "uploadChunk"))?;
    let created = databases.get(&checkpoint.database).await?;
    let token = request::mint(databases, &checkpoint.database).await?;
    let mut chunked = Chunked {
        databases,
        upload,
        token,
        checkpoint,
    };
    chunked.finish().await?;
    Ok(created.into())
}
