//! `cargo xtask`: the maintainers' command line. See `xtask/src/lib.rs` for
//! the pipeline and the README's "Maintainers" section for the workflow.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use xtask::manifest::Workspace;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Spec → patches → generated client, and spec evolution"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply the patches to the vendored spec and regenerate the client crate(s).
    Generate {
        /// Do not write; fail (like `check`) when the committed files are stale.
        #[arg(long)]
        check: bool,
    },
    /// Fail with a unified diff when committed generated files are out of date
    /// or a vendored spec no longer matches its provenance.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root: PathBuf = xtask::workspace_root();
    let result = Workspace::load(&root).and_then(|ws| match cli.command {
        Command::Generate { check: true } | Command::Check => {
            xtask::check::run(&ws)?;
            eprintln!("generated files are up to date");
            Ok(())
        }
        Command::Generate { check: false } => generate(&ws),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(ws: &Workspace) -> xtask::Result<()> {
    let started = Instant::now();
    let (files, notices) = xtask::generate::render_all(ws)?;
    for notice in &notices {
        eprintln!("note: {}", notice.0);
    }
    let changed = xtask::generate::write_files(&files)?;
    for path in &changed {
        eprintln!(
            "wrote {}",
            path.strip_prefix(&ws.root).unwrap_or(path).display()
        );
    }
    eprintln!(
        "generated {} file(s), {} changed, in {:.2?}",
        files.len(),
        changed.len(),
        started.elapsed()
    );
    Ok(())
}
