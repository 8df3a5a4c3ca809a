//! The patch pipeline refuses what it must: an edited vendored spec (its
//! sha256 no longer matches the provenance) and a patch whose upstream
//! defect was fixed (its overlay action matches nothing).

mod common;

use xtask::manifest::Workspace;

#[test]
fn an_edited_vendored_spec_is_refused() {
    let dir = common::scratch_workspace();
    let spec = dir.path().join("spec/turso-platform-api.yml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replace("API description here", "edited by hand"),
    )
    .unwrap();
    let ws = Workspace::load(dir.path()).unwrap();
    let err = xtask::generate::effective_spec(&ws, &ws.manifest.api[0])
        .unwrap_err()
        .to_string();
    assert!(err.contains("sha256 is"), "{err}");
    assert!(err.contains("provenance records 85f970d3"), "{err}");
}

#[test]
fn a_patch_fixed_upstream_fails_loudly_naming_its_action() {
    let dir = common::scratch_workspace();
    let spec = dir.path().join("spec/turso-platform-api.yml");
    let text = std::fs::read_to_string(&spec).unwrap();
    // Upstream fixes addOrganizationMember's `required` (the only `- email` entry).
    assert_eq!(
        text.matches("              required:\n              - email\n")
            .count(),
        1
    );
    let fixed = text.replace(
        "              required:\n              - email\n",
        "              required:\n              - username\n",
    );
    std::fs::write(&spec, &fixed).unwrap();
    let provenance = dir.path().join("spec/turso-platform-api.provenance.toml");
    let record = std::fs::read_to_string(&provenance).unwrap();
    let new_sha = xtask::provenance::sha256_hex(fixed.as_bytes());
    std::fs::write(
        &provenance,
        record.replace(
            "85f970d350573506c4b942352b3078f0e4b0f57bf791f943c56c1e48a6f8e3e9",
            &new_sha,
        ),
    )
    .unwrap();

    let ws = Workspace::load(dir.path()).unwrap();
    let err = xtask::generate::effective_spec(&ws, &ws.manifest.api[0])
        .unwrap_err()
        .to_string();
    assert!(err.contains("add-member-required.overlay.yaml"), "{err}");
    assert!(err.contains("action 1"), "{err}");
    assert!(err.contains("matches nothing"), "{err}");
}
