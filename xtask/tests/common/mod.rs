//! Scratch workspaces: a copy of the repository's `spec/` in a temporary
//! directory, to break or update on purpose without touching the real one.
//! Nothing here knows the vendored file's name, bytes or hash: they are read
//! from the manifest and the provenance, so vendoring a new version keeps the
//! tests green.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};

use serde_json::Value;
use xtask::manifest::Workspace;

/// A temporary workspace root holding a copy of `spec/` (and a `Cargo.toml`,
/// so that the xtask binary finds it as the workspace it runs in).
pub fn scratch_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &xtask::workspace_root().join("spec"),
        &dir.path().join("spec"),
    );
    std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    dir
}

/// The workspace's API that update-spec vendors (the one without a reference).
pub fn vendored_api(ws: &Workspace) -> &xtask::manifest::Api {
    ws.manifest
        .api
        .iter()
        .find(|a| a.reference.is_none())
        .expect("the manifest lists a vendored API")
}

/// The vendored spec's path and its parsed contents.
pub fn vendored(dir: &Path) -> (PathBuf, Value) {
    let ws = Workspace::load(dir).unwrap();
    let path = vendored_api(&ws).spec_path(&ws);
    let doc = xtask::spec_file::load_document(&path).unwrap();
    (path, doc)
}

/// The sha256 the provenance records for the vendored spec.
pub fn recorded_sha256(dir: &Path) -> String {
    let ws = Workspace::load(dir).unwrap();
    let api = vendored_api(&ws);
    xtask::manifest::Provenance::load(&api.provenance_path(&ws))
        .unwrap()
        .sha256
}

/// A path of the vendored spec that no patch names (so removing it upstream
/// leaves every patch applying), with its GET operation's id.
pub fn unpatched_path(dir: &Path) -> (String, String) {
    let (_, doc) = vendored(dir);
    let patches: String = std::fs::read_dir(dir.join("spec/patches"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| !patches.contains(path.as_str()))
        .find_map(|(path, item)| {
            let id = item.get("get")?.get("operationId")?.as_str()?;
            Some((path.clone(), id.to_string()))
        })
        .expect("a GET operation no patch names")
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
