//! The data plane's bounds, per tenant: libSQL's server's numbers where it
//! has them (`max_response_size` 10 MB, `max_total_response_size` 32 MB,
//! streams expiring after 10 s idle), chosen ones otherwise. Each is a
//! builder setting ([`crate::EmulatorBuilder::data_plane_limits`]) and a
//! command-line flag.

use std::time::Duration;

/// Bounds on what one tenant's SQL may take from the emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPlaneLimits {
    /// How long one statement may run before SQLite interrupts it
    /// (`SQLITE_INTERRUPT`). Default 10 s.
    pub statement_timeout: Duration,
    /// Bytes of values one statement's rows may carry (`RESPONSE_TOO_LARGE`
    /// beyond). Default 10 MB, libSQL's server's `max_response_size`.
    pub max_response_size: u64,
    /// Bytes of values all the statements of one request may carry. Default
    /// 32 MB, libSQL's server's `max_total_response_size`.
    pub max_total_response_size: u64,
    /// Largest request body, and longest SQL text (`SQLITE_LIMIT_SQL_LENGTH`).
    /// Default 16 MiB; a larger body gets 413.
    pub max_request_size: usize,
    /// Streams open at once on one database. Default 128; opening one more
    /// closes the least recently used idle one.
    pub max_streams_per_database: usize,
    /// Streams open at once for one token. Default 64.
    pub max_streams_per_token: usize,
    /// How long a statement waits for another connection's write lock before
    /// failing with `SQLITE_BUSY` (it holds one of its database's slots
    /// meanwhile). Default 5 s.
    pub busy_timeout: Duration,
    /// Requests of one database running SQL at once (the others wait their
    /// turn without holding a thread). Default 4.
    pub concurrency_per_database: usize,
}

impl Default for DataPlaneLimits {
    fn default() -> DataPlaneLimits {
        DataPlaneLimits {
            statement_timeout: Duration::from_secs(10),
            max_response_size: 10_000_000,
            max_total_response_size: 32_000_000,
            max_request_size: 16 << 20,
            max_streams_per_database: 128,
            max_streams_per_token: 64,
            busy_timeout: Duration::from_secs(5),
            concurrency_per_database: 4,
        }
    }
}
