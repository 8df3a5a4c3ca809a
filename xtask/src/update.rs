//! Spec evolution: `cargo xtask diff OLD NEW` and `cargo xtask update-spec FILE`.
//!
//! `update-spec` takes a new upstream version to a regenerated client in one
//! pass. It checks the new spec in full, as patched ([`crate::plan`]), and
//! generates in memory ([`crate::generate`]) before touching anything; every
//! blocker found on the way, the generator's included, ends the run with all
//! of them reported and nothing changed. Only a run that can finish writes:
//! the vendored spec (byte-for-byte), its provenance, the changelog entry and
//! the generated files, together ([`generate::write_files`]).

use std::path::{Path, PathBuf};

use serde_json::Value;
use spec_diff::{Report, Severity};

use crate::blockers::{self, Blocker};
use crate::generate::{self, EffectiveSpec, GeneratedFile};
use crate::manifest::{Api, Workspace};
use crate::manifest::{Provenance, Source, sha256_hex};
use crate::{Error, Result};

/// The changelog of vendored spec versions, relative to the workspace root.
pub const CHANGELOG: &str = "spec/CHANGELOG.md";

/// Loads a spec for diffing, raw or with `api`'s patches applied.
pub fn load_for_diff(ws: &Workspace, api: &Api, path: &Path, patched: bool) -> Result<Value> {
    let raw = crate::spec_file::load_document(path)?;
    if patched {
        generate::apply_patches(ws, api, raw)
    } else {
        Ok(raw)
    }
}

/// Where a new upstream file came from, as told on the command line.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Repository or URL (default: the one recorded for the current version).
    pub repository: Option<String>,
    /// File inside it (default: the one recorded for the current version).
    pub path: Option<String>,
    /// Commit.
    pub commit: Option<String>,
    /// Upstream date (YYYY-MM-DD).
    pub date: Option<String>,
}

/// What `update-spec` did.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per run; boxing would only add noise
pub enum Outcome {
    /// The new version is vendored and the client regenerated.
    Updated {
        /// The new provenance record.
        provenance: Provenance,
        /// Changes from the old effective spec to the new one.
        report: Report,
        /// Every file written.
        written: Vec<PathBuf>,
    },
    /// Nothing was changed: everything that must be fixed first.
    Blocked {
        /// Every blocker.
        blockers: Vec<Blocker>,
        /// Patch actions that only wait for the proposed names (see
        /// [`crate::plan::Plan::notes`]).
        notes: Vec<String>,
        /// Changes from the old effective spec to the new one as patched so
        /// far, to explain the blockers.
        report: Report,
    },
}

impl Outcome {
    /// What a maintainer reads: the changes, then what was written or what
    /// blocks.
    pub fn render(&self, ws: &Workspace) -> String {
        match self {
            Outcome::Updated {
                provenance,
                report,
                written,
            } => {
                let mut out = format!(
                    "vendored spec/{} (sha256 {})\n\n{}\n\n",
                    provenance.file,
                    provenance.sha256,
                    report.render_text()
                );
                for path in written {
                    let rel = path.strip_prefix(&ws.root).unwrap_or(path);
                    out.push_str(&format!("wrote {}\n", rel.display()));
                }
                if written.is_empty() {
                    out.push_str("this version is already vendored and generated: nothing to do\n");
                    return out;
                }
                out.push_str("review with `git diff` and `cargo insta review`, then commit\n");
                out
            }
            Outcome::Blocked {
                blockers,
                notes,
                report,
            } => {
                let mut out = format!(
                    "changes from the current effective spec to the new one, as patched so far:\n\n{}\n\n{}",
                    report.render_text(),
                    blockers::render(blockers)
                );
                for note in notes {
                    out.push_str(&format!("\nnote: {note}\n"));
                }
                out
            }
        }
    }
}

/// The effective spec the SDK was generated from: the committed
/// `openapi.json` of the generated crate, else the vendored spec patched.
fn old_effective(ws: &Workspace, api: &Api) -> Option<Value> {
    let committed = api.crate_path(ws).join("openapi.json");
    crate::spec_file::load_document(&committed)
        .ok()
        .or_else(|| generate::effective_spec(ws, api).ok().map(|e| e.document))
}

/// Vendors `file` as the new upstream spec of `api` and regenerates, or
/// changes nothing and reports every blocker. `today` is YYYY-MM-DD.
pub fn update_spec(
    ws: &Workspace,
    api: &Api,
    file: &Path,
    origin: &Origin,
    today: &str,
) -> Result<Outcome> {
    if api.reference.is_some() {
        return Err(Error::Generate {
            api: api.name.clone(),
            message: "its spec is written here from a reference document, not vendored from \
                      upstream; edit it and run `cargo xtask generate`"
                .into(),
        });
    }
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| Error::parse(file, e))?;
    // Read as the vendored file will be read (JSON for a `.json` name).
    let vendored = api.spec_path(ws);
    let raw = crate::spec_file::parse_document(&vendored, &text).map_err(|e| {
        Error::parse(
            file,
            format!(
                "{e} (read in the format of the vendored spec/{})",
                api.spec.display()
            ),
        )
    })?;
    let old = old_effective(ws, api);
    let plan = crate::plan::check(ws, api, &raw, old.as_ref())?;
    let empty = serde_json::json!({});
    let report = spec_diff::diff(old.as_ref().unwrap_or(&empty), &plan.document);
    let provenance = provenance_for(ws, api, file, &bytes, origin, today);
    let effective = EffectiveSpec {
        provenance: provenance.clone(),
        document: plan.document,
    };
    // What progenitor cannot take is reported with the patches' blockers.
    let mut blockers = plan.blockers;
    let files = match generate::render_api(ws, api, &effective) {
        Ok(files) => files,
        Err(Error::Blocked { blockers: more, .. }) => {
            blockers.extend(more);
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if !blockers.is_empty() {
        return Ok(Outcome::Blocked {
            blockers,
            notes: plan.notes,
            report,
        });
    }

    // The same upstream file again: regenerate (patches may have changed),
    // but it is no new version for the provenance or the changelog.
    let same_version = Provenance::load(&api.provenance_path(ws))
        .is_ok_and(|previous| previous.sha256 == provenance.sha256);
    let new = |path: PathBuf, contents: String| GeneratedFile { path, contents };
    let mut writes = vec![new(vendored, text)];
    if !same_version {
        writes.push(new(api.provenance_path(ws), provenance.to_record()));
        writes.push(new(
            ws.root.join(CHANGELOG),
            changelog(ws, api, today, &provenance, &report),
        ));
    }
    writes.extend(files);
    let written = generate::write_files(&writes)?;
    Ok(Outcome::Updated {
        provenance,
        report,
        written,
    })
}

fn provenance_for(
    ws: &Workspace,
    api: &Api,
    file: &Path,
    bytes: &[u8],
    origin: &Origin,
    today: &str,
) -> Provenance {
    let previous = Provenance::load(&api.provenance_path(ws))
        .ok()
        .and_then(|p| p.canonical);
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Provenance {
        file: api.spec.display().to_string(),
        sha256: sha256_hex(bytes),
        vendored_on: today.to_string(),
        canonical: Some(Source {
            repository: origin
                .repository
                .clone()
                .or_else(|| previous.as_ref().map(|p| p.repository.clone()))
                .unwrap_or_else(|| "unknown".into()),
            path: origin
                .path
                .clone()
                .or_else(|| previous.as_ref().map(|p| p.path.clone()))
                .unwrap_or(file_name),
            commit: origin.commit.clone(),
            date: origin.date.clone(),
            note: None,
        }),
        copied_from: None,
    }
}

/// The changelog with a dated entry for the new version appended.
fn changelog(
    ws: &Workspace,
    api: &Api,
    today: &str,
    provenance: &Provenance,
    report: &Report,
) -> String {
    let path = ws.root.join(CHANGELOG);
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Vendored spec changelog\n\nOne entry per upstream version vendored with `cargo xtask update-spec`, newest last.\n".to_string()
    });
    let source = provenance.canonical.as_ref();
    text.push_str(&format!(
        "\n## {today}: `{}` sha256 {}\n\n- source: {} {}{}{}\n- changes: {} breaking, {} non-breaking, {} info\n",
        api.name,
        provenance.sha256,
        source.map_or("unknown", |s| s.repository.as_str()),
        source.map_or("", |s| s.path.as_str()),
        source
            .and_then(|s| s.commit.as_deref())
            .map(|c| format!(" @ {c}"))
            .unwrap_or_default(),
        source
            .and_then(|s| s.date.as_deref())
            .map(|d| format!(" ({d})"))
            .unwrap_or_default(),
        report.count(Severity::Breaking),
        report.count(Severity::NonBreaking),
        report.count(Severity::Info),
    ));
    for change in report
        .changes
        .iter()
        .filter(|c| c.severity == Severity::Breaking)
    {
        text.push_str(&format!("  - breaking: {}\n", change.render_line().trim()));
    }
    text
}
