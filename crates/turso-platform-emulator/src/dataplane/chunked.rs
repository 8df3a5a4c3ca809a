//! The chunked upload of a database's file, on the database's host, as the
//! official CLI speaks it (`internal/turso/tursoServer.go`):
//!
//! - `PUT /v2/upload/start` with `{"db_size_bytes": N}` answers
//!   `{"chunk_size": C}`: the client sends `ceil(N / C)` chunks, each of `C`
//!   bytes but the last;
//! - `PUT /v2/upload/chunk/{n}` with chunk `n` (from 0) as the body; sending
//!   a chunk again replaces it, so a client retries a chunk whose answer it
//!   did not get;
//! - `PUT /v2/upload/finalize` assembles the chunks in order, checks the file
//!   as a single-request upload is checked, and makes it the database's file.
//!
//! Every request is authorized (a full-access database token of a database
//! awaiting its upload) before its body is read. A start may carry a
//! `chunk_size` the client prefers (the facade's setting); the emulator
//! honours it within bounds, the service picks its own, and a client uses the
//! answer's. Faults are planned per step: `uploadStart`, `uploadChunk` (each
//! chunk request takes the next fault), `uploadFinalize`. Chunks are kept in
//! memory until finalized; after a restart the client starts again.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{Method, Request};
use serde::Deserialize;
use serde_json::json;

use emulator_core::ApiError;
use emulator_core::http::{
    Injected, apply_fault, conn_kill, error_response, json_response, lock, lose_answer, read_body,
};

use crate::auth::bearer;
use crate::shared::Shared;
use crate::state::PendingUpload;
use crate::upload::{MAX_UPLOAD, authorize, check, store};

/// The chunk size when the client states no preference.
pub(crate) const DEFAULT_CHUNK_SIZE: u64 = 8 << 20;
/// The smallest chunk size honoured (a page).
const MIN_CHUNK_SIZE: u64 = 4096;
/// The largest chunk size honoured.
const MAX_CHUNK_SIZE: u64 = 64 << 20;

#[derive(Deserialize)]
struct StartInput {
    db_size_bytes: u64,
    chunk_size: Option<u64>,
}

/// Serve `/v2/upload/...` (`path`) for database `db` of organization `org`.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    org: &str,
    db: &str,
    path: &str,
    req: Request<Body>,
) -> Response {
    let step = match path.strip_prefix("/v2/upload/") {
        Some("start") => Step::Start,
        Some("finalize") => Step::Finalize,
        Some(rest) => match rest.strip_prefix("chunk/").map(str::parse::<u64>) {
            Some(Ok(n)) => Step::Chunk(n),
            _ => return error_response(404, "no such upload endpoint", None),
        },
        None => return error_response(404, "no such upload endpoint", None),
    };
    if req.method() != Method::PUT {
        return error_response(405, "method not allowed", None);
    }
    let injected = match apply_fault(&shared.faults, step.operation(), false, conn_kill(&req)).await
    {
        Injected::Answer(resp) => return resp,
        other => other,
    };
    let answer = match run(&shared, org, db, step, req).await {
        Ok(body) => json_response(200, &body),
        Err(e) => error_response(e.status, &e.message, None),
    };
    lose_answer(injected, answer).await
}

#[derive(Clone, Copy)]
enum Step {
    Start,
    Chunk(u64),
    Finalize,
}

impl Step {
    fn operation(self) -> &'static str {
        match self {
            Step::Start => "uploadStart",
            Step::Chunk(_) => "uploadChunk",
            Step::Finalize => "uploadFinalize",
        }
    }
}

async fn run(
    shared: &Shared,
    org: &str,
    db: &str,
    step: Step,
    req: Request<Body>,
) -> Result<serde_json::Value, ApiError> {
    let token = bearer(req.headers()).map(str::to_string);
    authorize(shared, org, db, token.as_deref())?;
    let encrypted = req.headers().contains_key("x-turso-encryption-key");
    let cipher = req
        .headers()
        .get("x-turso-encryption-cipher")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = match step {
        Step::Chunk(_) => MAX_CHUNK_SIZE,
        _ => 64 * 1024,
    };
    if declared.is_some_and(|d| d > limit) {
        return Err(ApiError::new(413, "the request body is too large"));
    }
    let bytes = read_body(
        req.into_body(),
        usize::try_from(limit).unwrap_or(usize::MAX),
    )
    .await?;
    let mut state = lock(&shared.state);
    // Checked again under the lock the change is made with: the database
    // may have changed while the body arrived.
    check(&state, org, db, token.as_deref())?;
    let id = state
        .org(org)
        .and_then(|o| o.db(db))
        .map(|d| d.id.clone())
        .ok_or_else(|| ApiError::not_found("no database is served at this address"))?;
    match step {
        Step::Start => {
            let input: StartInput = serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::bad_request(format!("invalid request body: $: {e}")))?;
            if input.db_size_bytes == 0 || input.db_size_bytes > MAX_UPLOAD as u64 {
                return Err(ApiError::bad_request(format!(
                    "db_size_bytes must be between 1 and {MAX_UPLOAD}"
                )));
            }
            let chunk_size = input
                .chunk_size
                .unwrap_or(DEFAULT_CHUNK_SIZE)
                .clamp(MIN_CHUNK_SIZE, MAX_CHUNK_SIZE);
            // A new start abandons the chunks of an earlier one.
            state.pending_uploads.insert(
                id,
                PendingUpload {
                    size: input.db_size_bytes,
                    chunk_size,
                    chunks: Default::default(),
                    encrypted,
                    encryption_cipher: cipher,
                },
            );
            Ok(json!({ "chunk_size": chunk_size }))
        }
        Step::Chunk(n) => {
            let pending = state.pending_uploads.get_mut(&id).ok_or_else(|| {
                ApiError::bad_request("no upload was started; PUT /v2/upload/start first")
            })?;
            if n >= pending.chunk_count() {
                return Err(ApiError::bad_request(format!(
                    "chunk {n} is beyond the last chunk {}",
                    pending.chunk_count() - 1
                )));
            }
            let want = pending.chunk_len(n);
            if bytes.len() as u64 != want {
                return Err(ApiError::bad_request(format!(
                    "chunk {n} must be {want} bytes, got {}",
                    bytes.len()
                )));
            }
            pending.chunks.insert(n, Arc::new(bytes.to_vec()));
            pending.encrypted |= encrypted;
            if cipher.is_some() {
                pending.encryption_cipher = cipher;
            }
            Ok(json!({ "chunk": n, "size": want }))
        }
        Step::Finalize => {
            let pending = state.pending_uploads.get(&id).ok_or_else(|| {
                ApiError::bad_request("no upload was started; PUT /v2/upload/start first")
            })?;
            let missing: Vec<u64> = (0..pending.chunk_count())
                .filter(|n| !pending.chunks.contains_key(n))
                .collect();
            if !missing.is_empty() {
                return Err(ApiError::bad_request(format!(
                    "chunks {missing:?} have not been received"
                )));
            }
            let mut file = Vec::with_capacity(usize::try_from(pending.size).unwrap_or(0));
            for chunk in pending.chunks.values() {
                file.extend_from_slice(chunk);
            }
            let (encrypted, cipher) = (
                pending.encrypted || encrypted,
                pending.encryption_cipher.clone().or(cipher),
            );
            let size = store(shared, &mut state, org, db, &file, encrypted, cipher)?;
            state.pending_uploads.remove(&id);
            Ok(json!({ "message": "upload complete", "size": size }))
        }
    }
}
