//! Reading spec and patch documents, YAML or JSON, into `serde_json::Value`.
//!
//! YAML is read with `yaml_serde` (the YAML organisation's maintained fork of
//! serde_yaml); key order is kept, so the effective spec reads like upstream.

use std::path::Path;

use crate::{Error, Result};

/// Reads a file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// Parses a YAML or JSON document (JSON is YAML, but JSON is parsed as JSON
/// for better error messages).
pub fn parse_document(path: &Path, text: &str) -> Result<serde_json::Value> {
    let is_json = path.extension().is_some_and(|e| e == "json");
    if is_json {
        serde_json::from_str(text).map_err(|e| Error::parse(path, e))
    } else {
        yaml_serde::from_str(text).map_err(|e| Error::parse(path, e))
    }
}

/// Reads and parses a YAML or JSON document.
pub fn load_document(path: &Path) -> Result<serde_json::Value> {
    parse_document(path, &read_text(path)?)
}

/// Renders a JSON document the way the committed files are written: pretty,
/// two-space indent, trailing newline.
pub fn to_pretty_json(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("a Value always serialises");
    s.push('\n');
    s
}
