//! The SQLite file behind each emulated database: `DIR/databases/<id>.db`,
//! in WAL mode, created with the database, copied when a database is seeded
//! from another, replaced by an upload, removed with the database.
//!
//! Files are created (or copied) before the state commit that makes the
//! database exist, and removed after the commit that deletes it; a crash in
//! between leaves an orphan file, which [`DbFiles::sweep`] removes at startup.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rusqlite::{Connection, OpenFlags};

const DIR: &str = "databases";

/// How long a data-plane statement waits for another connection's write
/// lock (bounded: a waiting statement holds one of its database's slots).
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The databases' files.
#[derive(Debug)]
pub(crate) struct DbFiles {
    dir: PathBuf,
    /// The bytes of an empty database in WAL mode, made once per process
    /// (see `create`).
    empty: &'static [u8],
}

fn io(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

impl DbFiles {
    /// The files under `root/databases` (created if missing).
    pub(crate) fn new(root: &Path) -> Result<DbFiles, String> {
        let dir = root.join(DIR);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        // The bytes are the same for every emulator: made by the first of
        // the process, so later starts (one per test) skip the work.
        let empty = match EMPTY_WAL_IMAGE.get() {
            Some(bytes) => bytes,
            None => {
                let bytes = empty_wal_image(&dir)?;
                EMPTY_WAL_IMAGE.get_or_init(|| bytes)
            }
        };
        Ok(DbFiles { dir, empty })
    }

    /// The file of database `id`.
    pub(crate) fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.db"))
    }

    /// A connection to database `id` for serving SQL (never creates the
    /// file; no URI file names). The data plane confines it before use.
    pub(crate) fn open(&self, id: &str) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            self.path(id),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL with synchronous=NORMAL: a commit is durable once written to the
        // WAL, which the OS keeps when the process is killed; only a power
        // loss can take the last commits back.
        conn.execute_batch("PRAGMA synchronous=NORMAL;")?;
        Ok(conn)
    }

    /// Create an empty database file in WAL mode, by writing the bytes of
    /// one made at startup. Letting SQLite switch each new file to WAL would
    /// create and delete its `-wal` and `-shm` files every time, and ext4's
    /// inode allocator slows down with every recently deleted inode: at
    /// 10,000 databases that made a create twice as slow (benchmark 5b).
    /// Not fsynced: a file lost to a power cut is created again, empty, at
    /// the next start (`sweep`), which is all it held.
    pub(crate) fn create(&self, id: &str) -> Result<(), String> {
        let path = self.path(id);
        std::fs::write(&path, self.empty).map_err(|e| io(&path, e))
    }

    /// Create `to` as a copy of `from`'s committed content.
    pub(crate) fn copy(&self, from: &str, to: &str) -> Result<(), String> {
        let source = self.path(from);
        let target = self.path(to);
        let tmp = self.dir.join(format!("{to}.db.tmp"));
        let _ = std::fs::remove_file(&tmp);
        let conn = Connection::open_with_flags(&source, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| io(&source, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| io(&source, e))?;
        // VACUUM INTO reads one consistent snapshot, WAL included.
        conn.execute("VACUUM INTO ?1", [tmp.to_string_lossy().as_ref()])
            .map_err(|e| io(&source, e))?;
        drop(conn);
        std::fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
        let copy = Connection::open(&target).map_err(|e| io(&target, e))?;
        copy.execute_batch("PRAGMA journal_mode=WAL;")
            .map_err(|e| io(&target, e))?;
        drop(copy);
        // The copy is the seeded database's content: durable before the
        // commit that acknowledges the create.
        std::fs::File::open(&target)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(&target, e))
    }

    /// Replace database `id`'s content with `bytes` (an uploaded file). The
    /// caller closes every connection to it first.
    pub(crate) fn replace(&self, id: &str, bytes: &[u8]) -> Result<(), String> {
        let target = self.path(id);
        let tmp = self.dir.join(format!("{id}.db.upload.tmp"));
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        write().map_err(|e| io(&tmp, e))?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(self.dir.join(format!("{id}.db{suffix}")));
        }
        std::fs::rename(&tmp, &target).map_err(|e| io(&target, e))
    }

    /// Remove database `id`'s file (and its WAL). The caller closes every
    /// connection to it first.
    pub(crate) fn remove(&self, id: &str) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(self.dir.join(format!("{id}.db{suffix}")));
        }
    }

    /// The file's bytes (for tests that check what an upload stored).
    pub(crate) fn read(&self, id: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(id)).ok()
    }

    /// Bytes stored: the file plus its write-ahead log.
    pub(crate) fn size(&self, id: &str) -> u64 {
        let len = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
        len(self.path(id)) + len(self.dir.join(format!("{id}.db-wal")))
    }

    /// At startup: remove files of databases that do not exist (a crash
    /// between a file operation and its commit) and temporary files, and
    /// create any missing file of one that does.
    pub(crate) fn sweep(&self, ids: &HashSet<String>) -> Result<(), String> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| io(&self.dir, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let id = name.split('.').next().unwrap_or_default();
            if name.ends_with(".tmp") || !ids.contains(id) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        for id in ids {
            if !self.path(id).exists() {
                self.create(id)?;
            }
        }
        Ok(())
    }
}

/// [`empty_wal_image`], once per process.
static EMPTY_WAL_IMAGE: OnceLock<Vec<u8>> = OnceLock::new();

/// The bytes of an empty database in WAL mode (SQLite writes the header
/// when the journal mode is set), made in a scratch file under `dir`.
fn empty_wal_image(dir: &Path) -> Result<Vec<u8>, String> {
    let scratch = dir.join(".empty.db.tmp");
    let _ = std::fs::remove_file(&scratch);
    let conn = Connection::open(&scratch).map_err(|e| io(&scratch, e))?;
    conn.execute_batch("PRAGMA journal_mode=WAL;")
        .map_err(|e| io(&scratch, e))?;
    // Closing checkpoints the header into the file and removes the WAL.
    conn.close().map_err(|(_, e)| io(&scratch, e))?;
    let bytes = std::fs::read(&scratch).map_err(|e| io(&scratch, e));
    let _ = std::fs::remove_file(&scratch);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_copies_and_sweeps() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = DbFiles::new(dir.path()).expect("dir");
        files.create("a").expect("created");
        let conn = files.open("a").expect("opens");
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("journal mode");
        assert_eq!(mode, "wal", "a new database's file is in WAL mode");
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (42);")
            .expect("writes");
        files.copy("a", "b").expect("copied");
        let copy = files.open("b").expect("opens");
        let x: i64 = copy
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .expect("reads");
        assert_eq!(x, 42);
        drop((conn, copy));
        std::fs::write(dir.path().join(DIR).join("c.db.tmp"), b"x").expect("writes");
        files
            .sweep(&HashSet::from(["b".to_string(), "d".to_string()]))
            .expect("sweeps");
        assert!(!files.path("a").exists());
        assert!(files.path("b").exists());
        assert!(files.path("d").exists());
        assert!(!dir.path().join(DIR).join("c.db.tmp").exists());
        assert!(files.open("missing").is_err());
    }
}
