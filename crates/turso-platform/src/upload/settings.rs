//! What an upload is asked to do and what it tells its caller: the
//! [`UploadDatabase`] builder, the [`UploadProgress`] reported as the file is
//! sent, and the [`UploadCheckpoint`] reported after each acknowledged chunk
//! (enough to resume a chunked upload).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::file::FileState;
use crate::databases::Encryption;

/// Files larger than this go in chunks (the CLI's threshold).
pub const DEFAULT_CHUNKED_ABOVE: u64 = 100 * 1024 * 1024;

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;
type CheckpointFn = Arc<dyn Fn(&UploadCheckpoint) + Send + Sync>;

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
    pub(super) name: String,
    pub(super) group: String,
    pub(super) path: PathBuf,
    pub(super) encryption: Option<Encryption>,
    progress: Option<ProgressFn>,
    pub(super) timeout: Duration,
    pub(super) ready_timeout: Duration,
    pub(super) local_checks: bool,
    pub(super) chunked_above: u64,
    pub(super) chunk_size: Option<u64>,
    pub(super) chunk_retry: ChunkRetry,
    pub(super) resumable: bool,
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
    /// [`crate::Databases::resume_upload`] can continue it from the last
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

    /// Tells the caller's [`UploadDatabase::on_progress`], if any, how far
    /// the upload has got.
    pub(super) fn report(&self, progress: UploadProgress) {
        if let Some(p) = &self.progress {
            p(progress);
        }
    }

    /// [`UploadDatabase::report`] for a request body, which must not borrow
    /// `self`.
    pub(super) fn reporter(&self) -> impl Fn(UploadProgress) + Send + Sync + 'static {
        let progress = self.progress.clone();
        move |p| {
            if let Some(f) = &progress {
                f(p);
            }
        }
    }

    /// Tells the caller's [`UploadDatabase::on_checkpoint`], if any, where a
    /// chunked upload stands.
    pub(super) fn report_checkpoint(&self, checkpoint: &UploadCheckpoint) {
        if let Some(f) = &self.checkpoint {
            f(checkpoint);
        }
    }
}

/// How far an upload has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes handed to the connection so far.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
}

/// How far a chunked upload has got: enough to resume it with
/// [`crate::Databases::resume_upload`] (in this process or, kept by the
/// caller, another one, as long as the service still holds the chunks).
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
    /// The file as it was when the upload started.
    pub(super) file: FileState,
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

/// How each chunk of a chunked upload is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ChunkRetry {
    /// Tries per chunk, at least 1.
    pub(super) attempts: u32,
    /// The first pause, doubled after each try.
    pub(super) initial: Duration,
    /// The longest pause (also caps a `Retry-After`).
    pub(super) max: Duration,
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
