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
    /// The workspace to act on (default: the nearest directory, from the
    /// current one upwards, holding `spec/apis.toml` next to a `Cargo.toml`).
    #[arg(long, global = true, env = "XTASK_WORKSPACE")]
    workspace: Option<PathBuf>,
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
    /// Compare two specs (YAML or JSON) and classify every change.
    Diff {
        /// The older spec.
        old: PathBuf,
        /// The newer spec.
        new: PathBuf,
        /// Apply our patches (spec/apis.toml) to both before comparing.
        #[arg(long)]
        patched: bool,
        /// `text` (default) or `json`.
        #[arg(long, default_value = "text")]
        format: Format,
        /// Exit 1 when a change of this severity or worse is present:
        /// `breaking`, `non-breaking` or `never` (default).
        #[arg(long, default_value = "never")]
        fail_on: spec_diff::FailOn,
        /// The API whose patches `--patched` applies (needed when the
        /// manifest lists several).
        #[arg(long)]
        api: Option<String>,
    },
    /// Vendor a new upstream spec: check it in full as patched, then either
    /// report every blocker (changing nothing) or vendor it byte-for-byte,
    /// record its provenance, regenerate and append to spec/CHANGELOG.md.
    UpdateSpec {
        /// The new upstream spec (in the vendored file's format: JSON).
        file: PathBuf,
        /// The API to update (needed when the manifest lists several).
        #[arg(long)]
        api: Option<String>,
        /// The upstream repository or URL it came from.
        #[arg(long)]
        repository: Option<String>,
        /// The file's path inside that repository.
        #[arg(long)]
        path: Option<String>,
        /// The upstream commit.
        #[arg(long)]
        commit: Option<String>,
        /// The upstream date (YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = match cli.workspace {
        Some(dir) => Ok(dir),
        None => std::env::current_dir()
            .map_err(|e| xtask::Error::Io {
                path: ".".into(),
                source: e,
            })
            .and_then(|dir| Workspace::discover(&dir)),
    };
    let result = root
        .and_then(|root| Workspace::load(&root))
        .and_then(|ws| match cli.command {
            Command::Generate { check: true } | Command::Check => {
                xtask::check::run(&ws)?;
                eprintln!("generated files are up to date");
                Ok(())
            }
            Command::Generate { check: false } => generate(&ws),
            Command::Diff {
                old,
                new,
                patched,
                format,
                fail_on,
                api,
            } => {
                let api = ws.api(api.as_deref())?;
                let old = xtask::update::load_for_diff(&ws, api, &old, patched)?;
                let new = xtask::update::load_for_diff(&ws, api, &new, patched)?;
                let report = spec_diff::diff(&old, &new);
                match format {
                    Format::Text => println!("{}", report.render_text()),
                    Format::Json => println!("{:#}", report.to_json()),
                }
                if report.should_fail(fail_on) {
                    return Err(xtask::Error::Stale(format!(
                        "changes at or above `{fail_on}` found"
                    )));
                }
                Ok(())
            }
            Command::UpdateSpec {
                file,
                api,
                repository,
                path,
                commit,
                date,
            } => {
                let origin = xtask::update::Origin {
                    repository,
                    path,
                    commit,
                    date,
                };
                let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
                let api = ws.api(api.as_deref())?;
                let outcome = xtask::update::update_spec(&ws, api, &file, &origin, &today)?;
                println!("{}", outcome.render(&ws));
                match outcome {
                    xtask::update::Outcome::Updated { .. } => Ok(()),
                    xtask::update::Outcome::Blocked { blockers, .. } => Err(xtask::Error::Stale(
                        format!("{} blocker(s); nothing was changed", blockers.len()),
                    )),
                }
            }
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
    let files = xtask::generate::render_all(ws)?;
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
