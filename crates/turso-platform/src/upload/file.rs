//! The local file an upload sends: checked before anything is created (a
//! SQLite database in WAL mode with 4096-byte pages), read whole as a request
//! body or one chunk at a time, and compared with its state when the upload
//! started, so that a file that grows, shrinks or is rewritten under the
//! upload fails it with [`crate::ApiErrorKind::FileChanged`] instead of
//! sending a torn copy.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::Result;
use crate::error::{self, FileChanged};

/// The page size the upload endpoint requires.
const REQUIRED_PAGE_SIZE: u32 = 4096;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How much of the file a streamed body reads at a time.
const READ_SIZE: usize = 64 * 1024;

/// What an upload knows of its file when it starts: a file that no longer
/// matches it was changed under the upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileState {
    pub(super) len: u64,
    modified: Option<SystemTime>,
}

impl FileState {
    fn of(metadata: &std::fs::Metadata) -> FileState {
        FileState {
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }

    /// `Err` when the file at `path` is no longer in this state.
    pub(super) async fn still(&self, path: &Path) -> std::result::Result<(), FileChanged> {
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

/// Opens the file to send it.
pub(super) async fn open(path: &Path) -> Result<tokio::fs::File> {
    tokio::fs::File::open(path)
        .await
        .map_err(|e| error::invalid_input(format!("cannot read {}: {e}", path.display())))
}

/// Checks that `path` is an uploadable SQLite database (only that it can be
/// read unless `strict`) and returns its state.
pub(super) async fn check(path: &Path, strict: bool) -> Result<FileState> {
    let io = |e: std::io::Error| {
        error::with_source(
            error::invalid_input(format!("cannot read {}: {e}", path.display())),
            e,
        )
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
    let refuse = |why: String| error::invalid_input(format!("{} {why}", path.display()));
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

/// The file as a request body, exactly `file.len` bytes, calling `on_read`
/// with the bytes read so far after each read: one more byte, one fewer, or a
/// file whose size or modification time changed by the time the last byte is
/// read, ends the stream with [`FileChanged`], so the request fails instead
/// of sending a torn file.
pub(super) fn stream(
    reader: tokio::fs::File,
    path: PathBuf,
    file: FileState,
    on_read: impl Fn(u64) + Send + Sync + 'static,
) -> impl futures::Stream<Item = std::result::Result<bytes::Bytes, FileChanged>> + Send + 'static {
    let total = file.len;
    let on_read = std::sync::Arc::new(on_read);
    futures::stream::try_unfold((reader, 0u64), move |(mut reader, sent)| {
        let on_read = on_read.clone();
        let path = path.clone();
        async move {
            let changed = |detail: String| FileChanged { detail };
            let want = usize::try_from(total - sent)
                .unwrap_or(usize::MAX)
                .min(READ_SIZE);
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
            on_read(sent);
            Ok(Some((bytes::Bytes::from(buf), (reader, sent))))
        }
    })
}

/// The `len` bytes at `start` of a file that was `total` bytes long when the
/// upload started; a file that no longer has them has changed.
pub(super) async fn read_at(
    reader: &mut tokio::fs::File,
    path: &Path,
    start: u64,
    len: u64,
    total: u64,
) -> std::result::Result<bytes::Bytes, FileChanged> {
    let changed = |detail: String| FileChanged { detail };
    let len = usize::try_from(len).map_err(|_| changed("a chunk does not fit in memory".into()))?;
    reader
        .seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(|e| changed(format!("{}: {e}", path.display())))?;
    let mut buf = vec![0u8; len];
    reader.read_exact(&mut buf).await.map_err(|e| {
        changed(format!(
            "{} could not be read at byte {start} ({e}); it was {total} bytes when the upload started",
            path.display()
        ))
    })?;
    Ok(bytes::Bytes::from(buf))
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
        assert_eq!(check(&p, true).await.unwrap().len, 4096);
        std::fs::write(&p, header(4096, 1, 1)).unwrap();
        assert!(
            check(&p, true)
                .await
                .unwrap_err()
                .message()
                .unwrap()
                .contains("WAL")
        );
        std::fs::write(&p, header(1024, 2, 2)).unwrap();
        assert!(
            check(&p, true)
                .await
                .unwrap_err()
                .message()
                .unwrap()
                .contains("4096")
        );
        std::fs::write(&p, b"hello, not sqlite").unwrap();
        assert!(
            check(&p, true)
                .await
                .unwrap_err()
                .message()
                .unwrap()
                .contains("not a SQLite")
        );
        assert!(check(&dir.path().join("missing"), true).await.is_err());
    }
}
