//! The one-request upload of a file no larger than
//! [`crate::UploadDatabase::chunked_above`]: `POST https://{hostname}/v1/upload`
//! with the whole file streamed as the body.

use reqwest::header::CONTENT_LENGTH;

use super::file::{self, FileState};
use super::request;
use super::settings::{UploadDatabase, UploadProgress};
use crate::databases::Databases;
use crate::error;
use crate::{Result, Token};

const OPERATION: &str = "uploadDatabase";
const PATH: &str = "/v1/upload";

/// Sends the file of `upload`, as it was in `state`, to the database at
/// `hostname`.
pub(super) async fn send(
    databases: &Databases,
    hostname: &str,
    upload: &UploadDatabase,
    state: FileState,
    token: &Token,
) -> Result<()> {
    let total = state.len;
    let req = request::build(
        databases,
        reqwest::Method::POST,
        hostname,
        PATH,
        token,
        upload,
        "application/octet-stream",
    )?
    .header(CONTENT_LENGTH, total);
    let report = upload.reporter();
    let body = file::stream(
        file::open(&upload.path).await?,
        upload.path.clone(),
        state,
        move |sent| report(UploadProgress { sent, total }),
    );
    let req = req.body(reqwest::Body::wrap_stream(body));
    request::send(req, OPERATION, PATH).await?;
    // Changed after its last byte was read, the file sent is still not the
    // file as it is: the caller must know.
    state
        .still(&upload.path)
        .await
        .map_err(|changed| error::file_changed(&changed, OPERATION))
}
