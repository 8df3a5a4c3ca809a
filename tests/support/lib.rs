//! Shared helpers for the contract tests and drift snapshots.
#![forbid(unsafe_code)]

pub mod fake_server;
pub mod proxy;
pub mod schema;
pub mod strategy;
pub mod validate;

use std::path::PathBuf;

/// The workspace root (the parent of this `tests/` package).
pub fn workspace_root() -> PathBuf {
    xtask::workspace_root()
}

/// The effective spec the client was generated from, parsed.
pub fn effective_spec() -> serde_json::Value {
    let path = workspace_root().join("crates/turso-platform-generated/openapi.json");
    let text = std::fs::read_to_string(&path).expect("the committed effective spec is readable");
    serde_json::from_str(&text).expect("the committed effective spec is JSON")
}
