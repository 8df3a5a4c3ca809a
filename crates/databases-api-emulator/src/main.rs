//! The standalone emulator: `databases-api-emulator --port 8080 [--real-engines]`.
//!
//! Prints `DATABASES_API_BASEURL=...`, `DATABASES_API_TOKEN=...` and
//! `DATABASES_API_READ_ONLY_TOKEN=...` on stdout, ready to paste into a
//! shell, then serves until Ctrl-C. Logs go to stderr through `tracing`,
//! filtered by `RUST_LOG` (`info` by default; `debug` adds every request).

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use databases_api_emulator::{Emulator, FaultPlan};

/// A local, stateful emulator of the Databases API.
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
    /// How long a new database stays `provisioning`, e.g. `2s`, `500ms`.
    #[arg(long, value_parser = parse_delay, default_value = "0s")]
    provisioning_delay: Duration,
    /// Run real PostgreSQL, Redis and MariaDB servers for the databases whose engine is installed.
    #[arg(long)]
    real_engines: bool,
    /// Fault schedule, e.g. `getDatabase=503,503;*=429:1,drop,lose,latency:200ms` (repeatable).
    #[arg(long = "fault")]
    faults: Vec<FaultPlan>,
    /// Send responses that violate the spec as they are (logged as warnings) instead of as 500s.
    #[arg(long)]
    lenient: bool,
}

fn parse_delay(s: &str) -> Result<Duration, String> {
    emulator_core::faults::parse_duration(s)
        .ok_or_else(|| format!("invalid duration {s:?}: use ms, s or m (e.g. 2s)"))
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
        .real_engines(args.real_engines)
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
    let _ = writeln!(out, "DATABASES_API_BASEURL={}", emulator.base_url());
    let _ = writeln!(out, "DATABASES_API_TOKEN={}", emulator.token());
    let _ = writeln!(
        out,
        "DATABASES_API_READ_ONLY_TOKEN={}",
        emulator.read_only_token()
    );
    let _ = out.flush();
    drop(out);
    tracing::info!(
        base_url = emulator.base_url(),
        real_engines = args.real_engines,
        "databases-api-emulator listening; Ctrl-C to stop"
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    drop(emulator);
    ExitCode::SUCCESS
}
