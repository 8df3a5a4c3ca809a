//! The standalone emulator: `databases-api-emulator --port 8080 [--real-engines]`.
//!
//! Prints `DATABASES_API_BASEURL=...`, `DATABASES_API_TOKEN=...` and
//! `DATABASES_API_READ_ONLY_TOKEN=...` on stdout, ready to paste into a
//! shell, then serves until SIGINT (Ctrl-C), SIGTERM or SIGHUP, which stop
//! every real server and remove its data. Logs go to stderr through `tracing`,
//! filtered by `RUST_LOG` (`info` by default; `debug` adds every request).

use std::process::ExitCode;

use clap::Parser;
use databases_api_emulator::Emulator;
use emulator_core::cli::CommonArgs;

/// A local, stateful emulator of the Databases API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Run real PostgreSQL, Redis and MariaDB servers for the databases whose engine is installed.
    #[arg(long)]
    real_engines: bool,
    /// The host real servers' credentials name (default: the bound address; for 0.0.0.0 this host's address).
    #[arg(long)]
    public_host: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let start = |args: Args| {
        let mut builder = Emulator::builder()
            .common(args.common.into_common())
            .real_engines(args.real_engines);
        if let Some(host) = args.public_host {
            builder = builder.public_host(host);
        }
        builder.start()
    };
    emulator_core::cli::run("databases-api-emulator", start, |emu| {
        vec![
            ("DATABASES_API_BASEURL".into(), emu.base_url().into()),
            ("DATABASES_API_TOKEN".into(), emu.token().into()),
            (
                "DATABASES_API_READ_ONLY_TOKEN".into(),
                emu.read_only_token().into(),
            ),
        ]
    })
    .await
}
