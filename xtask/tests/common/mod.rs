//! Scratch workspaces: a copy of the repository's `spec/` in a temporary
//! directory, to break or update on purpose without touching the real one.

use std::path::Path;

/// A temporary workspace root holding a copy of `spec/`.
pub fn scratch_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &xtask::workspace_root().join("spec"),
        &dir.path().join("spec"),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
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
