//! Hrana streams over HTTP: one SQLite connection each, found again by a
//! baton that changes with every response, closed after a stretch of
//! inactivity (an HTTP client cannot say it went away).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::hrana::HranaError;
use emulator_core::http::lock;

/// How long an idle stream lives, as on the hosted service.
pub(crate) const STREAM_TTL: Duration = Duration::from_secs(10);
/// How many SQL texts one stream may store.
pub(crate) const MAX_STORED_SQL: usize = 1000;

/// A stream: a connection to one database and its stored SQL texts.
pub(crate) struct Stream {
    pub db_id: String,
    pub conn: Connection,
    pub sqls: HashMap<i32, String>,
}

struct Entry {
    stream: Arc<Mutex<Stream>>,
    baton: String,
    db_id: String,
    last_used: Instant,
    /// A request is running on it: not expired however long it takes.
    busy: bool,
}

/// Every open stream.
pub(crate) struct Streams {
    entries: Mutex<HashMap<u64, Entry>>,
    next: AtomicU64,
    ttl: Duration,
}

impl Default for Streams {
    fn default() -> Streams {
        Streams::with_ttl(STREAM_TTL)
    }
}

fn new_baton(id: u64) -> String {
    // Unpredictable: a client cannot guess another stream's baton.
    format!("{id}.{}", uuid::Uuid::new_v4().simple())
}

fn expired() -> HranaError {
    HranaError::new(
        "STREAM_EXPIRED",
        "the stream has expired or was closed; start a new one",
    )
}

impl Streams {
    /// Streams that expire after `ttl` idle.
    pub(crate) fn with_ttl(ttl: Duration) -> Streams {
        Streams {
            entries: Mutex::default(),
            next: AtomicU64::new(0),
            ttl,
        }
    }

    fn sweep(&self, entries: &mut HashMap<u64, Entry>) {
        let now = Instant::now();
        entries.retain(|_, e| e.busy || now.duration_since(e.last_used) < self.ttl);
    }

    /// Open a stream on `conn` and hold it for a request.
    pub(crate) fn open(&self, db_id: &str, conn: Connection) -> (u64, Arc<Mutex<Stream>>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let stream = Arc::new(Mutex::new(Stream {
            db_id: db_id.to_string(),
            conn,
            sqls: HashMap::new(),
        }));
        let mut entries = lock(&self.entries);
        self.sweep(&mut entries);
        entries.insert(
            id,
            Entry {
                stream: stream.clone(),
                baton: String::new(),
                db_id: db_id.to_string(),
                last_used: Instant::now(),
                busy: true,
            },
        );
        (id, stream)
    }

    /// Hold the stream named by `baton` (of database `db_id`) for a request.
    pub(crate) fn checkout(
        &self,
        baton: &str,
        db_id: &str,
    ) -> Result<(u64, Arc<Mutex<Stream>>), HranaError> {
        let id: u64 = baton
            .split_once('.')
            .and_then(|(id, _)| id.parse().ok())
            .ok_or_else(expired)?;
        let mut entries = lock(&self.entries);
        self.sweep(&mut entries);
        let entry = entries.get_mut(&id).ok_or_else(expired)?;
        if entry.baton != baton || entry.db_id != db_id {
            return Err(expired());
        }
        if entry.busy {
            return Err(HranaError::new(
                "STREAM_BUSY",
                "a request is already running on this stream",
            ));
        }
        entry.busy = true;
        Ok((id, entry.stream.clone()))
    }

    /// Release a stream after a request: a new baton, or `None` when it closed.
    pub(crate) fn checkin(&self, id: u64, keep: bool) -> Option<String> {
        let mut entries = lock(&self.entries);
        if !keep {
            entries.remove(&id);
            return None;
        }
        let entry = entries.get_mut(&id)?;
        entry.busy = false;
        entry.last_used = Instant::now();
        entry.baton = new_baton(id);
        Some(entry.baton.clone())
    }

    /// Close every stream of a database (deleted or replaced).
    pub(crate) fn close_db(&self, db_id: &str) {
        lock(&self.entries).retain(|_, e| e.db_id != db_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batons_change_and_are_checked() {
        let streams = Streams::default();
        let conn = Connection::open_in_memory().expect("opens");
        let (id, _) = streams.open("d", conn);
        let baton = streams.checkin(id, true).expect("baton");
        assert!(
            streams.checkout(&baton, "other").is_err(),
            "another database"
        );
        let (again, _) = streams.checkout(&baton, "d").expect("found");
        assert_eq!(again, id);
        assert_eq!(
            streams.checkout(&baton, "d").err().map(|e| e.code),
            Some("STREAM_BUSY".into())
        );
        let next = streams.checkin(id, true).expect("baton");
        assert_ne!(next, baton);
        assert!(streams.checkout(&baton, "d").is_err(), "old baton");
        assert!(streams.checkout("1.forged", "d").is_err());
        streams.close_db("d");
        assert!(streams.checkout(&next, "d").is_err());
    }

    #[test]
    fn idle_streams_expire() {
        let streams = Streams::with_ttl(Duration::from_millis(30));
        let conn = Connection::open_in_memory().expect("opens");
        let (id, _) = streams.open("d", conn);
        let baton = streams.checkin(id, true).expect("baton");
        std::thread::sleep(Duration::from_millis(60));
        let err = streams.checkout(&baton, "d").err().map(|e| e.code);
        assert_eq!(err, Some("STREAM_EXPIRED".into()));
    }
}
