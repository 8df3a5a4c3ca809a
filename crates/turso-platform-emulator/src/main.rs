//! The standalone emulator: `turso-platform-emulator --port 8080`.
//!
//! Prints `TURSO_API_BASEURL=...`, `TURSO_API_TOKEN=...`, `TURSO_ORG=...`
//! and `TURSO_DATABASE_URL_PATTERN=...` (where each database serves SQL) on
//! stdout, ready to paste into a shell, then serves until Ctrl-C. Logs go
//! to stderr through `tracing`, filtered by `RUST_LOG` (`info` by default;
//! `debug` adds every request, and spec violations are warnings with
//! `--lenient`, errors otherwise).

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use turso_platform_emulator::{Emulator, FaultPlan};

/// A local, stateful emulator of the Turso Platform API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Keep state durably in this directory (SQLite; one emulator at a time); temporary without it.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// How long a new database answers 404, e.g. `2s`, `500ms`.
    #[arg(long, value_parser = parse_delay, default_value = "0s")]
    provisioning_delay: Duration,
    /// How much longer a new database's data plane (SQL) answers 404, e.g. `3s`.
    #[arg(long, value_parser = parse_delay, default_value = "0s")]
    data_plane_delay: Duration,
    /// Status for a duplicate database name: 409 (documented) or 400 (seen live).
    #[arg(long, default_value_t = 409)]
    duplicate_status: u16,
    /// Domain of database hostnames.
    #[arg(long, default_value = "turso.emulator")]
    database_domain: String,
    /// Fault schedule, e.g. `getDatabase=503,503;*=429:1,drop,lose,latency:200ms` (repeatable).
    #[arg(long = "fault")]
    faults: Vec<FaultPlan>,
    /// Send responses that violate the spec as they are (logged as warnings) instead of as 500s.
    #[arg(long)]
    lenient: bool,
}

fn parse_delay(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, "s"), |i| s.split_at(i));
    let n: u64 = num.parse().map_err(|_| format!("invalid duration {s:?}"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(format!("invalid duration {s:?}: use ms, s or m")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    emulator_core::logging::init_from_env();
    let args = Args::parse();
    let faults = args
        .faults
        .into_iter()
        .fold(FaultPlan::new(), FaultPlan::merge);
    let mut builder = Emulator::builder()
        .port(args.port)
        .bind(args.bind)
        .provisioning_delay(args.provisioning_delay)
        .data_plane_delay(args.data_plane_delay)
        .duplicate_database_status(args.duplicate_status)
        .database_domain(args.database_domain)
        .strict_validation(!args.lenient)
        .faults(faults);
    if let Some(dir) = args.data_dir {
        builder = builder.data_dir(dir);
    }
    let emulator = match builder.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "TURSO_API_BASEURL={}", emulator.base_url());
    let _ = writeln!(out, "TURSO_API_TOKEN={}", emulator.token());
    let _ = writeln!(out, "TURSO_ORG={}", emulator.organization());
    let _ = writeln!(
        out,
        "TURSO_DATABASE_URL_PATTERN={}",
        emulator.database_url(emulator.organization(), "{database}")
    );
    let _ = out.flush();
    drop(out);
    eprintln!(
        "turso-platform-emulator listening on {} as user {}; Ctrl-C to stop",
        emulator.base_url(),
        emulator.username()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    drop(emulator);
    ExitCode::SUCCESS
}
