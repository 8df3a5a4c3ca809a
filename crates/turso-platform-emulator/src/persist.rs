//! Persistence of the state under a data directory.
//!
//! The state is one JSON document, `state.json`, rewritten after every
//! mutation with write-to-temp + fsync + rename, so a crash mid-write leaves
//! either the old or the new document, never a torn one. Uploaded files are
//! kept beside it as `uploads/<database id>.sqlite` (written once, atomically,
//! since a database can be uploaded only once), so the JSON stays small.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use crate::state::State;

const STATE_FILE: &str = "state.json";
const UPLOADS_DIR: &str = "uploads";

/// Write `bytes` to `path` atomically (same-directory temp file, fsync, rename).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        // Make the rename itself durable; not all platforms allow syncing a directory.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Load the state from `dir`, or `None` when there is none yet.
pub(crate) fn load(dir: &Path) -> Result<Option<State>, String> {
    let path = dir.join(STATE_FILE);
    let text = match fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut state: State = serde_json::from_slice(&text)
        .map_err(|e| format!("cannot parse {}: {e}", path.display()))?;
    let uploads = dir.join(UPLOADS_DIR);
    let ids: Vec<String> = state
        .orgs
        .iter()
        .flat_map(|o| &o.databases)
        .filter(|d| d.upload.is_some())
        .map(|d| d.id.clone())
        .collect();
    for id in ids {
        let file = uploads.join(format!("{id}.sqlite"));
        match fs::read(&file) {
            Ok(bytes) => {
                state.uploads.insert(id, bytes);
            }
            Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        }
    }
    Ok(Some(state))
}

/// Save the state to `dir`: uploads first (so the JSON never names a missing
/// file), then the JSON, then remove uploads of deleted databases.
pub(crate) fn save(dir: &Path, state: &State) -> Result<(), String> {
    let uploads = dir.join(UPLOADS_DIR);
    fs::create_dir_all(&uploads)
        .map_err(|e| format!("cannot create {}: {e}", uploads.display()))?;
    let mut keep = HashSet::new();
    for (id, bytes) in &state.uploads {
        let file = uploads.join(format!("{id}.sqlite"));
        keep.insert(format!("{id}.sqlite"));
        if !file.exists() {
            write_atomic(&file, bytes)
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        }
    }
    let json =
        serde_json::to_vec_pretty(state).map_err(|e| format!("cannot serialize state: {e}"))?;
    let path = dir.join(STATE_FILE);
    write_atomic(&path, &json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if let Ok(entries) = fs::read_dir(&uploads) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".sqlite") && !keep.contains(&name) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}
