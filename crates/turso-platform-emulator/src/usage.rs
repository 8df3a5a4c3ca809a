//! Usage counted by the data plane: rows read and written per database, and
//! the statements that read or wrote the most (for `getDatabaseStats`).
//!
//! Counters live in memory and start at zero when the emulator starts; the
//! stored bytes are measured from the database's file when asked.

use std::collections::HashMap;
use std::sync::Mutex;

use emulator_core::http::lock;

/// How many distinct statements are remembered per database; beyond it, the
/// least used one is forgotten so memory stays bounded.
const MAX_QUERIES: usize = 256;
/// How many statements `getDatabaseStats` reports.
const TOP: usize = 10;

/// One statement's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QueryStats {
    pub query: String,
    pub rows_read: u64,
    pub rows_written: u64,
}

/// A database's usage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DbUsage {
    pub rows_read: u64,
    pub rows_written: u64,
    pub storage_bytes: u64,
    /// The statements with the most rows read plus written, most first.
    pub top_queries: Vec<QueryStats>,
}

#[derive(Debug, Default)]
struct Counters {
    rows_read: u64,
    rows_written: u64,
    queries: HashMap<String, (u64, u64)>,
}

/// Counters of every database, by database id.
#[derive(Debug, Default)]
pub(crate) struct UsageBook {
    dbs: Mutex<HashMap<String, Counters>>,
}

impl UsageBook {
    /// Count one executed statement.
    pub(crate) fn record(&self, db_id: &str, sql: &str, rows_read: u64, rows_written: u64) {
        let mut dbs = lock(&self.dbs);
        let c = dbs.entry(db_id.to_string()).or_default();
        c.rows_read += rows_read;
        c.rows_written += rows_written;
        if !c.queries.contains_key(sql) && c.queries.len() >= MAX_QUERIES {
            let least = c
                .queries
                .iter()
                .min_by_key(|(_, (r, w))| r + w)
                .map(|(q, _)| q.clone());
            if let Some(q) = least {
                c.queries.remove(&q);
            }
        }
        let q = c.queries.entry(sql.to_string()).or_default();
        q.0 += rows_read;
        q.1 += rows_written;
    }

    /// A database's usage, with `storage_bytes` as given.
    pub(crate) fn get(&self, db_id: &str, storage_bytes: u64) -> DbUsage {
        let dbs = lock(&self.dbs);
        let Some(c) = dbs.get(db_id) else {
            return DbUsage {
                storage_bytes,
                ..DbUsage::default()
            };
        };
        let mut top: Vec<QueryStats> = c
            .queries
            .iter()
            .map(|(q, (r, w))| QueryStats {
                query: q.clone(),
                rows_read: *r,
                rows_written: *w,
            })
            .collect();
        top.sort_by(|a, b| {
            (b.rows_read + b.rows_written)
                .cmp(&(a.rows_read + a.rows_written))
                .then_with(|| a.query.cmp(&b.query))
        });
        top.truncate(TOP);
        DbUsage {
            rows_read: c.rows_read,
            rows_written: c.rows_written,
            storage_bytes,
            top_queries: top,
        }
    }

    /// Forget a deleted database.
    pub(crate) fn forget(&self, db_id: &str) {
        lock(&self.dbs).remove(db_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_ranks_statements() {
        let book = UsageBook::default();
        book.record("d", "SELECT 1", 1, 0);
        book.record("d", "INSERT", 0, 5);
        book.record("d", "SELECT 1", 1, 0);
        let u = book.get("d", 4096);
        assert_eq!((u.rows_read, u.rows_written, u.storage_bytes), (2, 5, 4096));
        assert_eq!(u.top_queries[0].query, "INSERT");
        assert_eq!(u.top_queries[1].rows_read, 2);
        book.forget("d");
        assert_eq!(book.get("d", 0), DbUsage::default());
    }

    #[test]
    fn remembers_a_bounded_number_of_statements() {
        let book = UsageBook::default();
        for i in 0..(MAX_QUERIES + 50) {
            book.record("d", &format!("SELECT {i}"), 1, 0);
        }
        assert_eq!(lock(&book.dbs)["d"].queries.len(), MAX_QUERIES);
        assert_eq!(book.get("d", 0).rows_read, (MAX_QUERIES + 50) as u64);
    }
}
