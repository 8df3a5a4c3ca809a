//! Writing several files together or not at all.
//!
//! `update-spec` changes the vendored spec, its provenance, the changelog and
//! the generated code as one: a failure half way must not leave a vendored
//! spec whose generated code is stale. Every new content is first written
//! next to its file (`.<name>.xtask-new`); only when all are written are they
//! renamed over the old files, renames being the step that cannot fail
//! half-written. On an error the staged files are removed and nothing changed.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

fn staged_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.xtask-new"))
}

/// Writes every `(path, contents)` whose contents differ from the file's,
/// all or none; returns the paths that changed.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let changed: Vec<&(PathBuf, Vec<u8>)> = files
        .iter()
        .filter(|(path, contents)| std::fs::read(path).ok().as_deref() != Some(contents))
        .collect();
    let mut staged = Vec::new();
    let result = changed.iter().try_for_each(|(path, contents)| {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let temp = staged_path(path);
        std::fs::write(&temp, contents).map_err(|e| Error::io(&temp, e))?;
        staged.push((temp, path.clone()));
        Ok(())
    });
    if let Err(e) = result {
        for (temp, _) in &staged {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    for (temp, path) in &staged {
        std::fs::rename(temp, path).map_err(|e| Error::io(path, e))?;
    }
    Ok(staged.into_iter().map(|(_, path)| path).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_changed_and_nothing_when_one_write_fails() {
        let dir = tempfile::tempdir().unwrap();
        let same = dir.path().join("same.txt");
        std::fs::write(&same, "x").unwrap();
        let new = dir.path().join("sub/new.txt");
        let changed =
            write_all(&[(same.clone(), b"x".to_vec()), (new.clone(), b"y".to_vec())]).unwrap();
        assert_eq!(changed, std::slice::from_ref(&new));
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "y");

        // A directory where a file's parent should be: that write fails.
        std::fs::write(dir.path().join("blocker"), "").unwrap();
        let err = write_all(&[
            (new.clone(), b"z".to_vec()),
            (dir.path().join("blocker/file.txt"), b"w".to_vec()),
        ]);
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "y", "left alone");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["new.txt"]);
    }
}
