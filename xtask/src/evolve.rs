//! Spec evolution: `cargo xtask diff OLD NEW` and `cargo xtask update-spec FILE`.
//!
//! The rules themselves live in the `spec-diff` crate; this module loads the
//! documents (optionally applying our patches), vendors new upstream
//! versions, and keeps the spec changelog.

use std::path::{Path, PathBuf};

use serde_json::Value;
use spec_diff::Report;

use crate::generate::{self, Notice};
use crate::manifest::{Api, Workspace};
use crate::provenance::{Provenance, Source, sha256_hex};
use crate::{Error, Result};

/// The changelog of vendored spec versions, relative to the workspace root.
pub const CHANGELOG: &str = "spec/CHANGELOG.md";

/// Loads a spec for diffing, raw or with `api`'s patches applied.
pub fn load_for_diff(ws: &Workspace, api: &Api, path: &Path, patched: bool) -> Result<Value> {
    let raw = crate::spec_file::load_document(path)?;
    if patched {
        Ok(generate::apply_patches(ws, api, raw)?.0)
    } else {
        Ok(raw)
    }
}

/// Where a new upstream file came from, as told on the command line.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Repository or URL.
    pub repository: Option<String>,
    /// File inside it.
    pub path: Option<String>,
    /// Commit.
    pub commit: Option<String>,
    /// Upstream date (YYYY-MM-DD).
    pub date: Option<String>,
}

/// What `update-spec` did.
#[derive(Debug)]
pub struct UpdateOutcome {
    /// The new provenance record (written).
    pub provenance: Provenance,
    /// Changes from the old effective spec to the new one (or raw to raw
    /// when patches no longer apply).
    pub report: Report,
    /// Patches that no longer apply; when not empty nothing was regenerated.
    pub failed_patches: Vec<Error>,
    /// Notices from preflight (e.g. operationIds derived from method and path).
    pub notices: Vec<Notice>,
    /// Generated files that changed.
    pub regenerated: Vec<PathBuf>,
}

/// Vendors `file` as the new upstream spec of the manifest's first API:
/// records its provenance, re-applies the patches (reporting each that no
/// longer applies), regenerates when they all apply, and appends a dated
/// entry to the spec changelog. `today` is YYYY-MM-DD.
pub fn update_spec(
    ws: &Workspace,
    file: &Path,
    origin: &Origin,
    today: &str,
) -> Result<UpdateOutcome> {
    let api = ws.manifest.api.first().ok_or_else(|| Error::Generate {
        api: "<none>".into(),
        message: "spec/apis.toml lists no API".into(),
    })?;
    let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| Error::parse(file, e))?;
    let new_raw = crate::spec_file::parse_document(file, &text)?;
    // Refuse what progenitor cannot take before touching anything.
    let mut probe = new_raw.clone();
    generate::preflight(&api.name, &mut probe)?;

    let old_raw = crate::spec_file::load_document(&api.spec_path(ws))?;
    let old_effective = generate::apply_patches(ws, api, old_raw.clone())
        .ok()
        .map(|(d, _)| d);
    let (new_effective, failed_patches) =
        generate::apply_patches_collecting(ws, api, new_raw.clone())?;

    // Vendor byte-for-byte, under the name the manifest already uses.
    let vendored = api.spec_path(ws);
    std::fs::write(&vendored, &bytes).map_err(|e| Error::io(&vendored, e))?;
    let previous = Provenance::load(&api.provenance_path(ws)).ok();
    let provenance = Provenance {
        file: api.spec.display().to_string(),
        sha256: sha256_hex(&bytes),
        vendored_on: today.to_string(),
        canonical: previous.as_ref().and_then(|p| p.canonical.clone()),
        copied_from: Some(Source {
            repository: origin
                .repository
                .clone()
                .unwrap_or_else(|| "unknown".into()),
            path: origin.path.clone().unwrap_or_else(|| {
                file.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            }),
            commit: origin.commit.clone(),
            date: origin.date.clone().or_else(|| Some(today.to_string())),
            note: None,
        }),
    };
    let record = format!(
        "# Where the vendored `{}` comes from; written by `cargo xtask update-spec`.\n# The xtask refuses to generate when the file's sha256 no longer matches.\n{}",
        api.spec.display(),
        toml::to_string(&provenance).map_err(|e| Error::parse(api.provenance_path(ws), e))?
    );
    let provenance_path = api.provenance_path(ws);
    std::fs::write(&provenance_path, record).map_err(|e| Error::io(&provenance_path, e))?;

    let (report, notices, regenerated) = if failed_patches.is_empty() {
        let mut effective = new_effective;
        let notices = generate::preflight(&api.name, &mut effective)?;
        let report = spec_diff::diff(old_effective.as_ref().unwrap_or(&old_raw), &effective);
        let (files, _) = generate::render_all(ws)?;
        let regenerated = generate::write_files(&files)?;
        (report, notices, regenerated)
    } else {
        (spec_diff::diff(&old_raw, &new_raw), Vec::new(), Vec::new())
    };

    append_changelog(ws, today, &provenance, &report, &failed_patches)?;
    Ok(UpdateOutcome {
        provenance,
        report,
        failed_patches,
        notices,
        regenerated,
    })
}

fn append_changelog(
    ws: &Workspace,
    today: &str,
    provenance: &Provenance,
    report: &Report,
    failed: &[Error],
) -> Result<()> {
    use spec_diff::Severity;
    let path = ws.root.join(CHANGELOG);
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Vendored spec changelog\n\nOne entry per upstream version vendored with `cargo xtask update-spec`, newest last.\n".to_string()
    });
    let source = provenance.copied_from.as_ref();
    text.push_str(&format!(
        "\n## {today}: sha256 {}\n\n- source: {} {}{}\n- changes: {} breaking, {} non-breaking, {} info\n",
        provenance.sha256,
        source.map(|s| s.repository.as_str()).unwrap_or("unknown"),
        source.map(|s| s.path.as_str()).unwrap_or(""),
        source.and_then(|s| s.commit.as_deref()).map(|c| format!(" @ {c}")).unwrap_or_default(),
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
    for failure in failed {
        text.push_str(&format!("- patch no longer applies: {failure}\n"));
    }
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}
