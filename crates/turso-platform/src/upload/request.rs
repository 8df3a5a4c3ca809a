//! One request on the new database's own host, as both kinds of upload send
//! it: with a short-lived full-access database token, the `Host` header when
//! the client sends database hosts elsewhere (an emulator, a proxy), the
//! encryption key and cipher, an `sdk.request` span, and a refused answer
//! read into the crate's error.

use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use tracing::Instrument;

use super::settings::UploadDatabase;
use crate::databases::Databases;
use crate::error;
use crate::tokens::TokenRequest;
use crate::{Result, Token};

/// How long each database token minted for an upload lives; a longer
/// chunked upload mints another when the host answers 401.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// A full-access database token for uploading into `database`.
pub(super) async fn mint(databases: &Databases, database: &str) -> Result<Token> {
    databases
        .create_token(
            database,
            &TokenRequest::new().full_access().expires_in(TOKEN_LIFETIME),
        )
        .await
}

/// A `method` request for `path` on `hostname`, with everything but its body
/// and length.
pub(super) fn build(
    databases: &Databases,
    method: reqwest::Method,
    hostname: &str,
    path: &str,
    token: &Token,
    upload: &UploadDatabase,
    content_type: &'static str,
) -> Result<reqwest::RequestBuilder> {
    let client = databases.client();
    let (url, host) = crate::data_plane::url(client, hostname, path)?;
    let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| error::invalid_input("the minted token is not a valid header value"))?;
    bearer.set_sensitive(true);
    let mut req = client
        .http()
        .request(method, url)
        .timeout(upload.timeout)
        .header(AUTHORIZATION, bearer)
        .header(CONTENT_TYPE, content_type);
    if let Some(host) = host {
        req = req.header(HOST, host);
    }
    if let Some(enc) = &upload.encryption {
        let mut key = HeaderValue::from_str(enc.key.expose())
            .map_err(|_| error::invalid_input("the encryption key is not a valid header value"))?;
        key.set_sensitive(true);
        req = req.header("x-turso-encryption-key", key);
        if let Some(c) = &enc.cipher {
            req = req.header("x-turso-encryption-cipher", c.as_str());
        }
    }
    Ok(req)
}

/// Sends `req` (operation `operation`, for `path`) and returns its answer if
/// it succeeded, the answer's error otherwise.
pub(super) async fn send(
    req: reqwest::RequestBuilder,
    operation: &'static str,
    path: &str,
) -> Result<reqwest::Response> {
    let (http, req) = req.build_split();
    let req = req.map_err(|e| error::from_reqwest(e, operation))?;
    let span = tracing::info_span!(
        "sdk.request",
        operation,
        method = req.method().as_str(),
        path,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let start = Instant::now();
    let result = http.execute(req).instrument(span.clone()).await;
    span.record("duration_ms", start.elapsed().as_millis() as u64);
    let response = result.map_err(|e| error::from_reqwest(e, operation))?;
    let status = response.status();
    span.record("status", status.as_u16());
    if !status.is_success() {
        let retry_after = sdk_runtime::retry::parse_retry_after(response.headers());
        let body = sdk_runtime::error_body(response).await;
        let e = error::from_status(status.as_u16(), &body, retry_after);
        return Err(error::with_operation(e, operation));
    }
    Ok(response)
}
