//! The standalone emulator: `turso-platform-emulator --port 8080`.
//!
//! Prints `TURSO_API_BASEURL=...`, `TURSO_API_TOKEN=...`, `TURSO_ORG=...`
//! and `TURSO_DATABASE_URL_PATTERN=...` (where each database serves SQL) on
//! stdout, ready to paste into a shell, then serves until Ctrl-C. Logs go
//! to stderr through `tracing`, filtered by `RUST_LOG` (`info` by default;
//! `debug` adds every request, and spec violations are warnings with
//! `--lenient`, errors otherwise).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use emulator_core::cli::CommonArgs;
use emulator_core::harness::parse_delay;
use turso_platform_emulator::{DataPlaneLimits, Emulator};

/// A local, stateful emulator of the Turso Platform API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// How much longer a new database's data plane (SQL) answers 404, e.g. `3s`.
    #[arg(long, value_parser = parse_delay, default_value = "0s")]
    data_plane_delay: Duration,
    /// Status for a duplicate database name: 409 (documented) or 400 (seen live).
    #[arg(long, default_value_t = 409)]
    duplicate_status: u16,
    /// Domain of database hostnames.
    #[arg(long, default_value = "turso.emulator")]
    database_domain: String,
    /// How long one SQL statement may run before it is interrupted, e.g. `10s`.
    #[arg(long, value_parser = parse_delay, default_value = "10s")]
    statement_timeout: Duration,
    /// How long a statement waits for another connection's write lock, e.g. `5s`.
    #[arg(long, value_parser = parse_delay, default_value = "5s")]
    busy_timeout: Duration,
    /// Bytes of values one statement's answer may carry (RESPONSE_TOO_LARGE beyond).
    #[arg(long, default_value_t = 10_000_000)]
    max_response_size: u64,
    /// Bytes of values all the statements of one request may carry.
    #[arg(long, default_value_t = 32_000_000)]
    max_total_response_size: u64,
    /// Largest data-plane request body (413 beyond) and longest SQL text.
    #[arg(long, default_value_t = 16 << 20)]
    max_request_size: usize,
    /// Streams open at once on one database.
    #[arg(long, default_value_t = 128)]
    max_streams_per_database: usize,
    /// Streams open at once for one token.
    #[arg(long, default_value_t = 64)]
    max_streams_per_token: usize,
    /// Requests of one database running SQL at once.
    #[arg(long, default_value_t = 4)]
    sql_concurrency_per_database: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    let start = |args: Args| {
        let limits = DataPlaneLimits {
            statement_timeout: args.statement_timeout,
            max_response_size: args.max_response_size,
            max_total_response_size: args.max_total_response_size,
            max_request_size: args.max_request_size,
            max_streams_per_database: args.max_streams_per_database,
            max_streams_per_token: args.max_streams_per_token,
            busy_timeout: args.busy_timeout,
            concurrency_per_database: args.sql_concurrency_per_database,
        };
        Emulator::builder()
            .data_plane_limits(limits)
            .common(args.common.into_common())
            .data_plane_delay(args.data_plane_delay)
            .duplicate_database_status(args.duplicate_status)
            .database_domain(args.database_domain)
            .start()
    };
    emulator_core::cli::run("turso-platform-emulator", start, |emu| {
        let org = emu.organization();
        vec![
            ("TURSO_API_BASEURL".into(), emu.base_url().into()),
            ("TURSO_API_TOKEN".into(), emu.token().into()),
            ("TURSO_ORG".into(), org.into()),
            (
                "TURSO_DATABASE_URL_PATTERN".into(),
                emu.database_url(org, "{database}"),
            ),
        ]
    })
    .await
}
