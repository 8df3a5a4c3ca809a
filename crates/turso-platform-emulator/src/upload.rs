//! The database-host API: `POST /v1/upload` of an SQLite file.
//!
//! The data plane routes a database's `/v1/upload` here. The checks mirror what the service requires of an uploaded file: a valid
//! database token with full access, a `Content-Length`, a database created
//! with seed `database_upload` and not yet uploaded, and an SQLite file in WAL
//! mode with 4096-byte pages.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{Method, Request};
use serde_json::json;

use crate::auth::{bearer, sql_token};
use crate::shared::Shared;
use crate::state::{State, UploadMeta};
use emulator_core::ApiError;
use emulator_core::http::{
    Injected, apply_fault, conn_kill, error_response, json_response, lock, lose_answer, read_body,
};

/// The 16-byte magic every SQLite file starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// Largest accepted upload.
pub(crate) const MAX_UPLOAD: usize = 1 << 30;

/// Check the SQLite header; `Err` explains what is wrong.
pub(crate) fn check_sqlite(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < 100 || &bytes[..16] != SQLITE_MAGIC {
        return Err("the uploaded file is not an SQLite database (bad header)".into());
    }
    let raw = u32::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let page_size = if raw == 1 { 65_536 } else { raw };
    if page_size != 4096 {
        return Err(format!(
            "the uploaded database has a page size of {page_size} bytes; 4096 is required"
        ));
    }
    if bytes[18] != 2 || bytes[19] != 2 {
        return Err(
            "the uploaded database is not in WAL mode; run PRAGMA journal_mode=WAL first".into(),
        );
    }
    if !bytes.len().is_multiple_of(4096) {
        return Err(format!(
            "the uploaded file size {} is not a multiple of the page size 4096",
            bytes.len()
        ));
    }
    Ok(())
}

fn header(req: &Request<Body>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn error(e: &ApiError) -> Response {
    error_response(e.status, &e.message, None)
}

/// Serve `/v1/upload` for database `db` of organization `org`.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    org: &str,
    db: &str,
    req: Request<Body>,
) -> Response {
    if req.method() != Method::POST {
        return error(&ApiError::new(405, "method not allowed"));
    }
    let injected = match apply_fault(&shared.faults, "upload", false, conn_kill(&req)).await {
        Injected::Answer(resp) => return resp,
        other => other,
    };
    let answer = match upload(&shared, org, db, req).await {
        Ok(size) => json_response(200, &json!({"message": "upload complete", "size": size})),
        Err(e) => error(&e),
    };
    lose_answer(injected, answer).await
}

async fn upload(shared: &Shared, org: &str, db: &str, req: Request<Body>) -> Result<u64, ApiError> {
    let token = bearer(req.headers()).map(str::to_string);
    // Host and token are checked before a byte of the body is read: an
    // anonymous client cannot make the emulator buffer a gigabyte.
    authorize(shared, org, db, token.as_deref())?;
    let declared: u64 = header(&req, "content-length")
        .ok_or_else(|| ApiError::new(411, "Content-Length header is required"))?
        .parse()
        .map_err(|_| ApiError::bad_request("invalid Content-Length"))?;
    if declared > MAX_UPLOAD as u64 {
        return Err(ApiError::new(413, "the uploaded file is too large"));
    }
    let key = header(&req, "x-turso-encryption-key");
    let cipher = header(&req, "x-turso-encryption-cipher");
    // Within the body read timeout (`--body-read-timeout`, 408 after it).
    let bytes = read_body(req.into_body(), MAX_UPLOAD).await?;
    if bytes.len() as u64 != declared {
        return Err(ApiError::bad_request(
            "the body length does not match Content-Length",
        ));
    }
    let mut state = lock(&shared.state);
    // Checked again: the database may have changed while the body arrived.
    check(&state, org, db, token.as_deref())?;
    store(shared, &mut state, org, db, &bytes, key.is_some(), cipher)
}

/// The checks an upload request passes before its body is read: a database
/// served here, a full-access database token for it, and a database that
/// awaits its upload.
pub(crate) fn authorize(
    shared: &Shared,
    org: &str,
    db: &str,
    token: Option<&str>,
) -> Result<(), ApiError> {
    check(&lock(&shared.state), org, db, token)
}

pub(crate) fn check(
    state: &State,
    org: &str,
    db: &str,
    token: Option<&str>,
) -> Result<(), ApiError> {
    let o = state
        .org(org)
        .ok_or_else(|| ApiError::not_found("no database is served at this address"))?;
    let d = o
        .db(db)
        .ok_or_else(|| ApiError::not_found("no database is served at this address"))?;
    let token = token.ok_or_else(|| ApiError::unauthorized("missing database token"))?;
    let claims =
        sql_token(state, o, d, token).map_err(|e| ApiError::unauthorized(e.to_string()))?;
    if claims.a != "rw" {
        return Err(ApiError::forbidden(
            "a read-only token cannot upload a database",
        ));
    }
    if !d.awaiting_upload {
        return Err(if d.upload.is_some() {
            ApiError::conflict("the database has already been uploaded")
        } else {
            ApiError::bad_request("the database was not created with seed type database_upload")
        });
    }
    Ok(())
}

/// Make `bytes` the database's file and record the upload; `state` is
/// locked and [`check`]ed by the caller.
pub(crate) fn store(
    shared: &Shared,
    state: &mut State,
    org: &str,
    db: &str,
    bytes: &[u8],
    encrypted: bool,
    cipher: Option<String>,
) -> Result<u64, ApiError> {
    check_sqlite(bytes).map_err(ApiError::bad_request)?;
    let id = state
        .org(org)
        .and_then(|o| o.db(db))
        .map(|d| d.id.clone())
        .ok_or_else(|| ApiError::not_found("no database is served at this address"))?;
    let size = bytes.len() as u64;
    // The file is replaced before the commit that records the upload; if
    // that commit fails the database still awaits an upload, and a retried
    // upload replaces the file again.
    shared.streams.close_db(&id);
    shared
        .files
        .replace(&id, bytes)
        .map_err(|e| ApiError::new(500, format!("cannot store the uploaded file: {e}")))?;
    if let Some(d) = state.org_mut(org).and_then(|o| o.db_mut(db)) {
        d.awaiting_upload = false;
        d.upload = Some(UploadMeta {
            size,
            encrypted,
            encryption_cipher: cipher,
            uploaded_at: chrono::Utc::now(),
        });
    }
    shared
        .commit(state)
        .map_err(|e| ApiError::new(500, format!("cannot persist the emulator state: {e}")))?;
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_with(page: [u8; 2], wal: u8, len: usize) -> Vec<u8> {
        let mut b = vec![0u8; len];
        b[..16].copy_from_slice(SQLITE_MAGIC);
        b[16..18].copy_from_slice(&page);
        b[18] = wal;
        b[19] = wal;
        b
    }

    #[test]
    fn sqlite_checks() {
        assert!(check_sqlite(&header_with([0x10, 0], 2, 8192)).is_ok());
        assert!(check_sqlite(&header_with([0x10, 0], 1, 8192)).is_err());
        assert!(check_sqlite(&header_with([0x04, 0], 2, 8192)).is_err());
        assert!(check_sqlite(&header_with([0, 1], 2, 65536)).is_err());
        assert!(check_sqlite(&header_with([0x10, 0], 2, 5000)).is_err());
        assert!(check_sqlite(b"hello").is_err());
    }
}
