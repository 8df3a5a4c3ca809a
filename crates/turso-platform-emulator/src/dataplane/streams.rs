//! Hrana streams over HTTP: one SQLite connection each, found again by a
//! baton that changes with every response, closed after a stretch of
//! inactivity (an HTTP client cannot say it went away) by a sweep that runs
//! on a timer as well as on every open. A database, and a token, hold at
//! most so many streams: opening one more closes the least recently used
//! idle one (its baton then answers `STREAM_EXPIRED`, as after expiry), or
//! is refused when all are busy, so file descriptors and memory stay bounded.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::confine::Guard;
use super::hrana::HranaError;
use super::limits::DataPlaneLimits;
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

/// A stream held for one request.
pub(crate) struct Held {
    pub id: u64,
    pub stream: Arc<Mutex<Stream>>,
    pub guard: Arc<Guard>,
}

struct Entry {
    stream: Arc<Mutex<Stream>>,
    guard: Arc<Guard>,
    baton: String,
    db_id: String,
    /// Who opened it (a hash of the token).
    owner: u64,
    last_used: Instant,
    /// A request is running on it: not expired however long it takes.
    busy: bool,
}

/// Every open stream.
pub(crate) struct Streams {
    entries: Mutex<HashMap<u64, Entry>>,
    next: AtomicU64,
    ttl: Duration,
    per_database: usize,
    per_token: usize,
    /// The emulator is stopping: every statement stops, no stream opens.
    stopping: Arc<AtomicBool>,
    /// Each database's slots for running SQL.
    gates: Mutex<HashMap<String, Arc<Semaphore>>>,
    concurrency: usize,
    /// Hashes tokens, so streams are counted per token without keeping it.
    hasher: RandomState,
}

impl Default for Streams {
    fn default() -> Streams {
        Streams::with_limits(&DataPlaneLimits::default())
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
    /// Streams that expire after `ttl` idle, at most `per_database` open on
    /// a database and `per_token` for one token.
    pub(crate) fn new(ttl: Duration, per_database: usize, per_token: usize) -> Streams {
        Streams {
            entries: Mutex::default(),
            next: AtomicU64::new(0),
            ttl,
            per_database: per_database.max(1),
            per_token: per_token.max(1),
            stopping: Arc::default(),
            gates: Mutex::default(),
            concurrency: DataPlaneLimits::default().concurrency_per_database,
            hasher: RandomState::new(),
        }
    }

    /// Streams bounded by `limits`, expiring after [`STREAM_TTL`].
    pub(crate) fn with_limits(limits: &DataPlaneLimits) -> Streams {
        Streams {
            concurrency: limits.concurrency_per_database.max(1),
            ..Streams::new(
                STREAM_TTL,
                limits.max_streams_per_database,
                limits.max_streams_per_token,
            )
        }
    }

    /// The key streams of `token` are counted under.
    pub(crate) fn owner(&self, token: &str) -> u64 {
        self.hasher.hash_one(token)
    }

    /// The slots for running SQL on database `db_id`.
    pub(crate) fn gate(&self, db_id: &str) -> Arc<Semaphore> {
        lock(&self.gates)
            .entry(db_id.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.concurrency)))
            .clone()
    }

    /// Whether the emulator is stopping.
    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// A guard for a new stream's connection.
    pub(crate) fn guard(&self) -> Arc<Guard> {
        Guard::new(self.stopping.clone())
    }

    /// Close the streams idle for longer than the TTL (called on a timer).
    pub(crate) fn sweep(&self) {
        let now = Instant::now();
        let closed: Vec<Entry> = {
            let mut entries = lock(&self.entries);
            let old: Vec<u64> = entries
                .iter()
                .filter(|(_, e)| !e.busy && now.duration_since(e.last_used) >= self.ttl)
                .map(|(id, _)| *id)
                .collect();
            old.iter().filter_map(|id| entries.remove(id)).collect()
        };
        // Connections close here, outside the lock.
        drop(closed);
    }

    /// How many streams are open.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    /// Make room for one more stream of `db_id` opened by `owner`: close the
    /// least recently used idle stream while the database or the token is at
    /// its cap; refuse when every one of them is busy.
    pub(crate) fn make_room(&self, db_id: &str, owner: u64) -> Result<(), HranaError> {
        if self.stopping.load(Ordering::SeqCst) {
            return Err(HranaError::new(
                "SERVER_STOPPING",
                "the emulator is stopping",
            ));
        }
        self.sweep();
        let mut closed = Vec::new();
        let result = {
            let mut entries = lock(&self.entries);
            loop {
                let of_db = entries.values().filter(|e| e.db_id == db_id).count();
                let of_owner = entries.values().filter(|e| e.owner == owner).count();
                let full_db = of_db >= self.per_database;
                let full_owner = of_owner >= self.per_token;
                if !full_db && !full_owner {
                    break Ok(());
                }
                let victim = entries
                    .iter()
                    .filter(|(_, e)| {
                        !e.busy
                            && ((full_db && e.db_id == db_id) || (full_owner && e.owner == owner))
                    })
                    .min_by_key(|(_, e)| e.last_used)
                    .map(|(id, _)| *id);
                match victim {
                    Some(id) => closed.extend(entries.remove(&id)),
                    None => {
                        break Err(HranaError::new(
                            "TOO_MANY_STREAMS",
                            format!(
                                "too many streams are busy (at most {} per database and {} per token)",
                                self.per_database, self.per_token
                            ),
                        ));
                    }
                }
            }
        };
        drop(closed);
        result
    }

    /// Register a new stream on `conn`, held for a request.
    pub(crate) fn open(
        &self,
        db_id: &str,
        owner: u64,
        conn: Connection,
        guard: Arc<Guard>,
    ) -> Held {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let stream = Arc::new(Mutex::new(Stream {
            db_id: db_id.to_string(),
            conn,
            sqls: HashMap::new(),
        }));
        lock(&self.entries).insert(
            id,
            Entry {
                stream: stream.clone(),
                guard: guard.clone(),
                baton: String::new(),
                db_id: db_id.to_string(),
                owner,
                last_used: Instant::now(),
                busy: true,
            },
        );
        Held { id, stream, guard }
    }

    /// Hold the stream named by `baton` (of database `db_id`) for a request.
    pub(crate) fn checkout(&self, baton: &str, db_id: &str) -> Result<Held, HranaError> {
        let id: u64 = baton
            .split_once('.')
            .and_then(|(id, _)| id.parse().ok())
            .ok_or_else(expired)?;
        self.sweep();
        let mut entries = lock(&self.entries);
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
        Ok(Held {
            id,
            stream: entry.stream.clone(),
            guard: entry.guard.clone(),
        })
    }

    /// Release a stream after a request: a new baton, or `None` when it closed.
    pub(crate) fn checkin(&self, id: u64, keep: bool) -> Option<String> {
        let mut entries = lock(&self.entries);
        let keep = keep && !entries.get(&id).is_some_and(|e| e.guard.is_cancelled());
        if !keep {
            let closed = entries.remove(&id);
            drop(entries);
            drop(closed);
            return None;
        }
        let entry = entries.get_mut(&id)?;
        entry.busy = false;
        entry.last_used = Instant::now();
        entry.baton = new_baton(id);
        Some(entry.baton.clone())
    }

    /// Close every stream of a database (deleted or replaced), stopping the
    /// statements running on them.
    pub(crate) fn close_db(&self, db_id: &str) {
        if let Some(gate) = lock(&self.gates).remove(db_id) {
            // Requests waiting for a slot give up (404).
            gate.close();
        }
        let closed: Vec<Entry> = {
            let mut entries = lock(&self.entries);
            let ids: Vec<u64> = entries
                .iter()
                .filter(|(_, e)| e.db_id == db_id)
                .map(|(id, _)| *id)
                .collect();
            ids.iter().filter_map(|id| entries.remove(id)).collect()
        };
        for e in &closed {
            e.guard.cancel();
        }
    }

    /// The emulator stops: stop every statement and close every stream.
    pub(crate) fn stop_all(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for (_, gate) in lock(&self.gates).drain() {
            gate.close();
        }
        let closed: Vec<Entry> = lock(&self.entries).drain().map(|(_, e)| e).collect();
        for e in &closed {
            e.guard.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batons_change_and_are_checked() {
        let streams = Streams::default();
        let conn = Connection::open_in_memory().expect("opens");
        let id = streams.open("d", 1, conn, streams.guard()).id;
        let baton = streams.checkin(id, true).expect("baton");
        assert!(
            streams.checkout(&baton, "other").is_err(),
            "another database"
        );
        let again = streams.checkout(&baton, "d").expect("found").id;
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
        let streams = Streams::new(Duration::from_millis(30), 10, 10);
        let conn = Connection::open_in_memory().expect("opens");
        let id = streams.open("d", 1, conn, streams.guard()).id;
        let baton = streams.checkin(id, true).expect("baton");
        std::thread::sleep(Duration::from_millis(60));
        streams.sweep();
        assert_eq!(streams.len(), 0, "swept without a request");
        let err = streams.checkout(&baton, "d").err().map(|e| e.code);
        assert_eq!(err, Some("STREAM_EXPIRED".into()));
    }

    #[test]
    fn caps_evict_the_least_recently_used_idle_stream() {
        let streams = Streams::new(STREAM_TTL, 2, 10);
        let open = |owner| {
            streams.make_room("d", owner).expect("room");
            let conn = Connection::open_in_memory().expect("opens");
            streams.open("d", owner, conn, streams.guard()).id
        };
        let first = open(1);
        let first_baton = streams.checkin(first, true).expect("baton");
        let second = open(2);
        assert_eq!(
            streams.make_room("d", 3).err().map(|e| e.code),
            None,
            "the idle first stream makes room"
        );
        assert!(streams.checkout(&first_baton, "d").is_err(), "evicted");
        let third = open(3);
        assert_eq!(
            streams.make_room("d", 4).err().map(|e| e.code),
            Some("TOO_MANY_STREAMS".into()),
            "both busy"
        );
        streams.checkin(second, false);
        streams.checkin(third, false);
        assert_eq!(streams.len(), 0);
    }
}
