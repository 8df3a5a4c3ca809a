//! Provenance of a vendored spec: where it came from and its sha256. The
//! xtask refuses to generate from a file whose hash no longer matches, so an
//! accidental edit of the upstream file is caught instead of generated from.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The provenance record written beside a vendored spec.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The vendored file's name, relative to `spec/`.
    pub file: String,
    /// The lowercase hex sha256 of the vendored file's bytes.
    pub sha256: String,
    /// When it was vendored (YYYY-MM-DD).
    pub vendored_on: String,
    /// The canonical upstream source, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<Source>,
    /// The exact file copied, when it differs from the canonical source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<Source>,
}

/// One upstream location.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `owner/name` of the repository, or a URL.
    pub repository: String,
    /// The file inside it.
    pub path: String,
    /// The commit, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The date of that commit or download (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Anything else worth knowing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Provenance {
    /// Reads a provenance record.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::spec_file::read_text(path)?;
        toml::from_str(&text).map_err(|e| Error::parse(path, e))
    }

    /// The record as written beside the vendored file: a comment saying what
    /// it is, then the TOML.
    pub fn to_record(&self) -> String {
        let toml = toml::to_string(self).unwrap_or_else(|e| format!("# {e}\n"));
        format!(
            "# Where the vendored `{}` comes from; written by `cargo xtask update-spec`.\n\
             # The xtask refuses to generate when the file's sha256 no longer matches: never\n\
             # edit it (corrections go in patches/), vendor new upstream versions with\n\
             # `cargo xtask update-spec FILE`.\n{toml}",
            self.file
        )
    }

    /// Checks that `spec_bytes` (read from `spec_path`) are the recorded bytes.
    pub fn verify(&self, spec_path: &Path, spec_bytes: &[u8]) -> Result<()> {
        let actual = sha256_hex(spec_bytes);
        if actual == self.sha256 {
            Ok(())
        } else {
            Err(Error::ProvenanceMismatch {
                path: spec_path.to_path_buf(),
                expected: self.sha256.clone(),
                actual,
            })
        }
    }
}

/// Verifies the bytes of a vendored file other than the spec (the reference
/// page an authored spec was written from) against `provenance_path`.
pub fn verify_file(path: &Path, provenance_path: &Path) -> Result<Provenance> {
    let provenance = Provenance::load(provenance_path)?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    provenance.verify(path, &bytes)?;
    Ok(provenance)
}

/// Reads the vendored spec's bytes and verifies them against `provenance_path`.
pub fn read_verified(spec_path: &Path, provenance_path: &Path) -> Result<(Provenance, String)> {
    let provenance = Provenance::load(provenance_path)?;
    let bytes = std::fs::read(spec_path).map_err(|e| Error::io(spec_path, e))?;
    provenance.verify(spec_path, &bytes)?;
    let text = String::from_utf8(bytes).map_err(|e| Error::parse(spec_path, e))?;
    Ok((provenance, text))
}
