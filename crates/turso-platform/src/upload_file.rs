//! What an upload knows of its local file: its state when the upload
//! started (a file that no longer matches was changed under the upload), and
//! how far sending it has got. Shared by the single-request and the chunked
//! uploads.

use std::path::Path;
use std::time::SystemTime;

use sdk_runtime::body::FileChanged;

/// How far an upload has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes handed to the connection so far.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
}

/// What an upload knows of its file when it starts: a file that no longer
/// matches it was changed under the upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileState {
    pub(crate) len: u64,
    modified: Option<SystemTime>,
}

impl FileState {
    pub(crate) fn of(metadata: &std::fs::Metadata) -> FileState {
        FileState {
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }

    /// `Err` when the file at `path` is no longer in this state.
    pub(crate) async fn still(&self, path: &Path) -> std::result::Result<(), FileChanged> {
        let now = tokio::fs::metadata(path).await.map(|m| FileState::of(&m));
        match now {
            Ok(now) if now == *self => Ok(()),
            Ok(now) => Err(FileChanged {
                detail: format!(
                    "{} was {} bytes when the upload started and is {} bytes{} now",
                    path.display(),
                    self.len,
                    now.len,
                    if now.len == self.len {
                        ", rewritten,"
                    } else {
                        ""
                    }
                ),
            }),
            Err(e) => Err(FileChanged {
                detail: format!("{} can no longer be read: {e}", path.display()),
            }),
        }
    }
}
