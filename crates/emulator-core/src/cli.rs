//! The command line every emulator binary shares: the common flags
//! ([`CommonArgs`]) and `main` itself ([`run`]): logging, flags, start,
//! serving until SIGINT, SIGTERM or SIGHUP, and a bounded shutdown.

use std::fmt::Display;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::faults::FaultPlan;
use crate::harness::Common;
use crate::serve::ServeOptions;

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
    /// How long a request body may take to arrive once it is read, in all (408 after), e.g. `30s`.
    #[arg(long, value_parser = crate::harness::parse_delay, default_value = "30s")]
    pub body_read_timeout: Duration,
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
            serve: ServeOptions {
                body_read_timeout: self.body_read_timeout,
                ..ServeOptions::default()
            },
        }
    }
}

/// How long stopping may take after a signal before the process exits
/// anyway: long enough to stop real database servers and remove their data,
/// short enough for `docker stop` (10 s) and CI runners. Whatever is left
/// then (a server that hung) goes with the process (see the Databases API
/// emulator's parent-death signal) or is removed by the next start.
pub const SHUTDOWN_WITHIN: Duration = Duration::from_secs(3);

/// A binary's `main`: logging from `RUST_LOG`, the flags `A`, the emulator
/// `start` makes from them, then [`serve_until_signal`], then the process
/// exits, without waiting for the runtime's blocking threads (a statement
/// that never ends must not keep the process alive).
pub async fn run<A, F, E, R>(
    name: &str,
    start: impl FnOnce(A) -> F,
    lines: impl FnOnce(&E) -> Vec<(String, String)>,
) -> ExitCode
where
    A: clap::Parser,
    F: std::future::Future<Output = Result<E, R>>,
    E: Send + 'static,
    R: Display,
{
    crate::logging::init_from_env();
    let args = A::parse();
    let code = serve_until_signal(name, start(args).await, lines).await;
    // Returning from `main` drops the runtime, which waits for every
    // blocking task, however long it runs: exit here instead. `exit` flushes
    // stdout.
    std::process::exit(code)
}

/// Report how starting went: on success print `KEY=value` lines on stdout
/// (ready to paste into a shell) and serve until SIGINT (Ctrl-C), SIGTERM
/// (`docker stop`, systemd, CI runners) or SIGHUP (the terminal went away),
/// then stop the emulator, waiting at most [`SHUTDOWN_WITHIN`]; on failure
/// say why on stderr. The process's exit status: 0 after a signal, 1 when
/// the emulator did not start or signals cannot be caught.
pub async fn serve_until_signal<E, R>(
    name: &str,
    started: Result<E, R>,
    lines: impl FnOnce(&E) -> Vec<(String, String)>,
) -> i32
where
    E: Send + 'static,
    R: Display,
{
    let emulator = match started {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    // Before the lines are printed: whoever reads them may signal at once.
    let mut signals = match Signals::new() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot catch signals: {e}");
            return 1;
        }
    };
    let mut out = std::io::stdout().lock();
    for (key, value) in lines(&emulator) {
        let _ = writeln!(out, "{key}={value}");
    }
    let _ = out.flush();
    drop(out);
    tracing::info!("{name} serving; Ctrl-C (SIGINT), SIGTERM or SIGHUP to stop");
    let signal = signals.next().await;
    tracing::info!("{name}: {signal} received; stopping");
    // Dropping an emulator stops it (its real servers too) and may block:
    // on a blocking thread, bounded, and cut short by a second signal.
    let stopping = tokio::task::spawn_blocking(move || drop(emulator));
    tokio::select! {
        _ = stopping => {}
        _ = tokio::time::sleep(SHUTDOWN_WITHIN) => {
            tracing::warn!("{name}: still stopping after {} s; exiting anyway", SHUTDOWN_WITHIN.as_secs());
        }
        again = signals.next() => {
            tracing::warn!("{name}: {again} received while stopping; exiting at once");
        }
    }
    0
}

/// The signals that stop a binary.
struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    /// The name of the next one to arrive.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.hangup.recv() => "SIGHUP",
        }
    }
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
            "--body-read-timeout",
            "5s",
        ])
        .expect("parses");
        let common = args.common.into_common();
        assert_eq!(common.port, 0);
        assert!(!common.strict);
        assert_eq!(
            common.provisioning_delay,
            std::time::Duration::from_millis(250)
        );
        assert_eq!(common.serve.body_read_timeout, Duration::from_secs(5));
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
