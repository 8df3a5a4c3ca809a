//! `cargo xtask check`: are the committed generated files what generation
//! produces now? Prints a unified diff of every stale file.

use similar::TextDiff;

use crate::Result;
use crate::generate::GeneratedFile;
use crate::manifest::Workspace;

/// One committed file that differs from what generation produces.
#[derive(Debug, Clone)]
pub struct Stale {
    /// Path relative to the workspace root.
    pub path: String,
    /// Unified diff from the committed contents to the expected ones.
    pub diff: String,
}

/// Compares `expected` files with what is on disk.
pub fn compare(ws: &Workspace, expected: &[GeneratedFile]) -> Vec<Stale> {
    let mut stale = Vec::new();
    for file in expected {
        let rel = file
            .path
            .strip_prefix(&ws.root)
            .unwrap_or(&file.path)
            .display()
            .to_string();
        let committed = std::fs::read_to_string(&file.path).unwrap_or_default();
        if committed == file.contents {
            continue;
        }
        let diff = TextDiff::from_lines(&committed, &file.contents)
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("a/{rel} (committed)"),
                &format!("b/{rel} (generated)"),
            )
            .to_string();
        stale.push(Stale { path: rel, diff });
    }
    stale
}

/// Renders everything and compares it with the committed files; an error
/// (listing each stale file with its diff) when anything differs.
pub fn run(ws: &Workspace) -> Result<()> {
    let expected = crate::generate::render_all(ws)?;
    let stale = compare(ws, &expected);
    if stale.is_empty() {
        return Ok(());
    }
    let mut message = String::new();
    for s in &stale {
        message.push_str(&s.diff);
        if !s.diff.ends_with('\n') {
            message.push('\n');
        }
    }
    message.push_str(&format!(
        "\n{} generated file(s) out of date: {}\nrun `cargo xtask generate` and commit the result",
        stale.len(),
        stale
            .iter()
            .map(|s| s.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Err(crate::Error::Stale(message))
}
