//! Uploading a local SQLite file as a new database: [`Databases::upload`] and
//! [`Databases::resume_upload`].
//!
//! The flow (documented by Turso outside the OpenAPI spec):
//! 1. check the file locally: a SQLite database in WAL mode with 4096-byte
//!    pages ([`file`](mod@file));
//! 2. refuse a name that exists already, then create the database with the
//!    `database_upload` seed (and optional encryption);
//! 3. wait until it is ready and mint a short-lived database token for it
//!    ([`request`]);
//! 4. send the file to the database's own host: in one request
//!    (`POST /v1/upload`, [`single`]) or, above
//!    [`UploadDatabase::chunked_above`] (100 MiB by default, the CLI's
//!    threshold), in chunks each retried on its own ([`chunked`]).
//!
//! If any step after the creation fails, if the creation's answer was lost,
//! or if the caller drops the upload's future half-way, the database is
//! deleted again ([`Cleanup`]), so a failed upload never leaves a
//! half-created database behind; a [`UploadDatabase::resumable`] chunked
//! upload keeps it once the start was acknowledged, for
//! [`Databases::resume_upload`]. A file that changes while it is sent fails
//! the upload with [`crate::ApiErrorKind::FileChanged`].
//!
//! The modules, each using only the ones before it: [`file`](mod@file) (the
//! local file), [`settings`] (what the caller asks for and is told),
//! [`request`] (one request on the database host), [`single`] and
//! [`chunked`].

mod chunked;
mod file;
mod request;
mod settings;
mod single;

pub use settings::{DEFAULT_CHUNKED_ABOVE, UploadCheckpoint, UploadDatabase, UploadProgress};

use crate::databases::{CreateDatabase, CreatedDatabase, Databases, Seed};
use crate::error;
use crate::{ErrorKind, Idempotency, Result, validate};

impl Databases {
    /// Uploads a local SQLite file as a new database; see [`UploadDatabase`] and
    /// the module docs for the steps. On failure after the database was created
    /// (or may have been), the database is deleted and the original error
    /// returned; a database of that name that exists already is refused with
    /// [`ErrorKind::AlreadyExists`] before anything is created.
    pub async fn upload(&self, upload: UploadDatabase) -> Result<CreatedDatabase> {
        validate::database_name(&upload.name)?;
        validate::group_name(&upload.group)?;
        let file = file::check(&upload.path, upload.local_checks).await?;
        // Refused up front: after a lost answer the cleanup deletes the
        // database by name, which must then be one this upload created.
        match self.get(&upload.name).await {
            Ok(_) => {
                let e = error::new(
                    ErrorKind::AlreadyExists,
                    format!(
                        "database {:?} already exists; uploads create a new database",
                        upload.name
                    ),
                );
                return Err(error::with_operation(e, "uploadDatabase"));
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
            return Err(error::with_message(err, msg));
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
                Err(error::with_message(err, msg))
            }
        }
    }

    /// Steps 3 and 4 of the module docs, into the just-created database.
    async fn upload_into(
        &self,
        created: &CreatedDatabase,
        upload: &UploadDatabase,
        file: file::FileState,
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
        let token = request::mint(self, &created.name).await?;
        if file.len <= upload.chunked_above {
            return single::send(self, &hostname, upload, file, &token).await;
        }
        let mut chunked =
            chunked::Chunked::start(self, created, &hostname, upload, file, token).await?;
        if upload.resumable {
            // From here on the chunks the service holds are worth keeping.
            cleanup.keep();
        }
        chunked.finish().await
    }

    /// Continues a [`UploadDatabase::resumable`] chunked upload that failed,
    /// from `checkpoint` (the last one [`UploadDatabase::on_checkpoint`] saw):
    /// chunks already acknowledged are not sent again. The file must be
    /// unchanged ([`crate::ApiErrorKind::FileChanged`] otherwise). `upload` gives the
    /// file, progress and retry settings; its name must be the checkpoint's
    /// database. On failure the database is kept, so the upload can be
    /// resumed again or the database deleted.
    pub async fn resume_upload(
        &self,
        upload: UploadDatabase,
        checkpoint: UploadCheckpoint,
    ) -> Result<CreatedDatabase> {
        validate::database_name(&upload.name)?;
        chunked::resume(self, &upload, checkpoint).await
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
