//! A generic, durable row store for an emulator's state: rows of JSON text
//! keyed by `(kind, key)` in one SQLite file, written in transactions.
//! It knows no API; an emulator maps its world onto kinds.
//!
//! - With a directory, the file is `DIR/state.sqlite3` in WAL mode with
//!   `synchronous=FULL`: a commit returns only after its WAL frames are
//!   fsynced, so an acknowledged write survives `kill -9` and power loss. A
//!   commit writes only the rows it names, so its cost does not grow with the
//!   state.
//! - The directory is held with SQLite's exclusive locking mode: a second
//!   process opening it gets a clear [`StoreError::Locked`] instead of writing
//!   beside the first. The OS releases the lock when the process dies.
//! - Without a directory, the store lives in a temporary directory that is
//!   removed when the store is dropped, with `synchronous=OFF` (nothing to
//!   keep across a crash, and tests start many emulators).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

/// The state file inside the directory.
const STATE_FILE: &str = "state.sqlite3";

/// Why the store cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the directory.
    #[error(
        "{0} is in use by another emulator (its state file is locked); stop it or use another --data-dir"
    )]
    Locked(PathBuf),
    /// A file-system error.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// An SQLite error.
    #[error("{path}: {source}")]
    Sql {
        /// The state file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
}

/// Where the store keeps its files.
enum Home {
    Dir(PathBuf),
    Temp(tempfile::TempDir),
}

/// The row store. Not `Sync`: keep it behind the emulator's state lock.
pub struct Store {
    conn: Connection,
    // Dropped after `conn` (fields drop in order), so the file is closed first.
    home: Home,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir())
            .finish_non_exhaustive()
    }
}

/// One write: insert-or-replace or delete a row, or delete a key range.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Set `(kind, key)` to this JSON text.
    Put(&'static str, String, String),
    /// Remove `(kind, key)`.
    Delete(&'static str, String),
    /// Remove the rows of `kind` whose key is in `[from, to)`.
    DeleteRange(&'static str, String, String),
}

impl Store {
    /// Open (creating) the store in `dir`, or in a fresh temporary directory.
    pub fn open(dir: Option<&Path>) -> Result<Store, StoreError> {
        let home = match dir {
            Some(d) => {
                std::fs::create_dir_all(d).map_err(|source| StoreError::Io {
                    path: d.to_path_buf(),
                    source,
                })?;
                Home::Dir(d.to_path_buf())
            }
            None => Home::Temp(
                tempfile::Builder::new()
                    .prefix("emulator-")
                    .tempdir()
                    .map_err(|source| StoreError::Io {
                        path: std::env::temp_dir(),
                        source,
                    })?,
            ),
        };
        let durable = matches!(home, Home::Dir(_));
        let dir = match &home {
            Home::Dir(d) => d.clone(),
            Home::Temp(t) => t.path().to_path_buf(),
        };
        let path = dir.join(STATE_FILE);
        let sql = |source| StoreError::Sql {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(sql)?;
        // Fail at once when another process holds the lock (rusqlite waits 5 s by default).
        conn.busy_timeout(std::time::Duration::ZERO).map_err(sql)?;
        let sync = if durable { "FULL" } else { "OFF" };
        // Exclusive locking first, so the WAL needs no shared memory and the
        // lock taken by the first write below is held until the process ends;
        // `synchronous` before the switch to WAL, which it governs too.
        let setup = format!(
            "PRAGMA locking_mode=EXCLUSIVE; PRAGMA synchronous={sync}; PRAGMA journal_mode=WAL;
             BEGIN EXCLUSIVE;
             CREATE TABLE IF NOT EXISTS rows (
                 kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                 PRIMARY KEY (kind, key)) WITHOUT ROWID;
             COMMIT;"
        );
        conn.execute_batch(&setup)
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                    StoreError::Locked(dir.clone())
                }
                _ => sql(e),
            })?;
        remove_temp_files(&dir);
        Ok(Store { conn, home })
    }

    /// The directory holding the store (and anything else the emulator keeps).
    pub fn dir(&self) -> &Path {
        match &self.home {
            Home::Dir(d) => d,
            Home::Temp(t) => t.path(),
        }
    }

    fn sql_error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            path: self.dir().join(STATE_FILE),
            source,
        }
    }

    /// Every row of `kind`, in key order.
    pub fn load(&self, kind: &str) -> Result<Vec<(String, String)>, StoreError> {
        let run = || -> rusqlite::Result<Vec<(String, String)>> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT key, value FROM rows WHERE kind = ?1 ORDER BY key")?;
            stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        };
        run().map_err(|e| self.sql_error(e))
    }

    /// One row.
    pub fn get(&self, kind: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM rows WHERE kind = ?1 AND key = ?2",
                params![kind, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql_error(e))
    }

    /// Apply `writes` in one transaction: all of them or none.
    pub fn commit(&mut self, writes: &[Write]) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        let run = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            {
                let mut put = tx.prepare_cached(
                    "INSERT OR REPLACE INTO rows (kind, key, value) VALUES (?1, ?2, ?3)",
                )?;
                let mut delete =
                    tx.prepare_cached("DELETE FROM rows WHERE kind = ?1 AND key = ?2")?;
                let mut range = tx.prepare_cached(
                    "DELETE FROM rows WHERE kind = ?1 AND key >= ?2 AND key < ?3",
                )?;
                for w in writes {
                    match w {
                        Write::Put(kind, key, value) => put.execute(params![kind, key, value])?,
                        Write::Delete(kind, key) => delete.execute(params![kind, key])?,
                        Write::DeleteRange(kind, from, to) => {
                            range.execute(params![kind, from, to])?
                        }
                    };
                }
            }
            tx.commit()
        };
        run(&mut self.conn).map_err(|e| StoreError::Sql {
            path: self.dir().join(STATE_FILE),
            source: e,
        })
    }
}

/// Remove `*.tmp` files a crash may have left in `dir` (writers create
/// temporary files there and rename them into place).
fn remove_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_all_or_nothing_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut store = Store::open(Some(dir.path())).expect("opens");
            store
                .commit(&[
                    Write::Put("a", "1".into(), "one".into()),
                    Write::Put("a", "2".into(), "two".into()),
                    Write::Put("b", "1".into(), "b1".into()),
                ])
                .expect("commits");
            store
                .commit(&[
                    Write::Delete("a", "1".into()),
                    Write::DeleteRange("b", "0".into(), "9".into()),
                ])
                .expect("commits");
            assert_eq!(store.get("a", "2").expect("reads").as_deref(), Some("two"));
        }
        let store = Store::open(Some(dir.path())).expect("reopens");
        assert_eq!(
            store.load("a").expect("loads"),
            vec![("2".into(), "two".into())]
        );
        assert!(store.load("b").expect("loads").is_empty());
    }

    #[test]
    fn a_second_store_on_the_same_directory_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _first = Store::open(Some(dir.path())).expect("opens");
        match Store::open(Some(dir.path())) {
            Err(StoreError::Locked(d)) => assert_eq!(d, dir.path()),
            other => panic!("expected Locked, got {other:?}"),
        }
    }

    #[test]
    fn a_temporary_store_is_removed_on_drop() {
        let store = Store::open(None).expect("opens");
        let dir = store.dir().to_path_buf();
        assert!(dir.exists());
        drop(store);
        assert!(!dir.exists());
    }
}
