//! The command line every emulator binary shares: the common flags
//! ([`CommonArgs`]) and `main` itself ([`run`]): logging, flags, start, and
//! serving until Ctrl-C.

use std::fmt::Display;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::faults::FaultPlan;
use crate::harness::Common;

/// The flags every emulator binary takes.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Keep state durably in this directory (SQLite; one emulator at a time); temporary without it.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Fault schedule, e.g. `getDatabase=503,503;*=429:1,drop,lose,latency:200ms` (repeatable).
    #[arg(long = "fault")]
    pub faults: Vec<FaultPlan>,
    /// Send responses that violate the spec as they are (logged as warnings) instead of as 500s.
    #[arg(long)]
    pub lenient: bool,
    /// How long a new resource stays provisioning, e.g. `2s`, `500ms`.
    #[arg(long, value_parser = crate::harness::parse_delay, default_value = "0s")]
    pub provisioning_delay: Duration,
}

impl CommonArgs {
    /// The builder settings these flags give (repeated `--fault`s merged).
    pub fn into_common(self) -> Common {
        Common {
            port: self.port,
            bind: self.bind,
            data_dir: self.data_dir,
            faults: self
                .faults
                .into_iter()
                .fold(FaultPlan::new(), FaultPlan::merge),
            strict: !self.lenient,
            provisioning_delay: self.provisioning_delay,
            ..Common::default()
        }
    }
}

/// A binary's `main`: logging from `RUST_LOG`, the flags `A`, the emulator
/// `start` makes from them, then [`serve_until_ctrl_c`].
pub async fn run<A, F, E, R>(
    name: &str,
    start: impl FnOnce(A) -> F,
    lines: impl FnOnce(&E) -> Vec<(String, String)>,
) -> ExitCode
where
    A: clap::Parser,
    F: std::future::Future<Output = Result<E, R>>,
    R: Display,
{
    crate::logging::init_from_env();
    let args = A::parse();
    serve_until_ctrl_c(name, start(args).await, lines).await
}

/// Report how starting went: on success print `KEY=value` lines on stdout
/// (ready to paste into a shell) and serve until Ctrl-C; on failure say why
/// on stderr. The exit code to return from `main`.
pub async fn serve_until_ctrl_c<E, R>(
    name: &str,
    started: Result<E, R>,
    lines: impl FnOnce(&E) -> Vec<(String, String)>,
) -> ExitCode
where
    R: Display,
{
    let emulator = match started {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    for (key, value) in lines(&emulator) {
        let _ = writeln!(out, "{key}={value}");
    }
    let _ = out.flush();
    drop(out);
    tracing::info!("{name} serving; Ctrl-C to stop");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    drop(emulator);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Args {
        #[command(flatten)]
        common: CommonArgs,
    }

    #[test]
    fn flags_give_the_common_settings() {
        let args = Args::try_parse_from([
            "emu",
            "--port",
            "0",
            "--fault",
            "a=503",
            "--fault",
            "b=drop",
            "--lenient",
            "--provisioning-delay",
            "250ms",
        ])
        .expect("parses");
        let common = args.common.into_common();
        assert_eq!(common.port, 0);
        assert!(!common.strict);
        assert_eq!(
            common.provisioning_delay,
            std::time::Duration::from_millis(250)
        );
        let expected: FaultPlan = "a=503;b=drop".parse().expect("a plan");
        assert_eq!(common.faults, expected);
    }

    #[test]
    fn success_statuses_in_faults_are_refused() {
        for fault in ["getDatabase=200", "getDatabase=302", "*=204:1"] {
            let err = Args::try_parse_from(["emu", "--fault", fault]).expect_err(fault);
            assert!(
                err.to_string().contains("is not an error status"),
                "{fault}: {err}"
            );
        }
    }
}
