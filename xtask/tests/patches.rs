//! The patch pipeline refuses what it must: an edited vendored spec (its
//! sha256 no longer matches the provenance) and a patch whose upstream
//! defect was fixed (its overlay action matches nothing, or changes nothing).

use crate::common;

use xtask::manifest::Workspace;

#[test]
fn an_edited_vendored_spec_is_refused() {
    let dir = common::scratch_workspace();
    let (spec, _) = common::vendored(dir.path());
    let recorded = common::recorded_sha256(dir.path());
    let mut bytes = std::fs::read(&spec).unwrap();
    bytes.push(b'\n');
    std::fs::write(&spec, &bytes).unwrap();
    let ws = Workspace::load(dir.path()).unwrap();
    let err = xtask::generate::effective_spec(&ws, common::vendored_api(&ws))
        .unwrap_err()
        .to_string();
    assert!(err.contains("sha256 is"), "{err}");
    assert!(
        err.contains(&format!("provenance records {recorded}")),
        "{err}"
    );
}

#[test]
fn a_patch_fixed_upstream_fails_loudly_naming_its_actions() {
    let dir = common::scratch_workspace();
    let (spec, mut doc) = common::vendored(dir.path());
    // Upstream fixes addOrganizationMember's `required`.
    let body = "/paths/~1v1~1organizations~1{organizationSlug}~1members/post/requestBody/content/application~1json/schema/required";
    assert_eq!(doc.pointer(body).unwrap(), &serde_json::json!(["email"]));
    *doc.pointer_mut(body).unwrap() = serde_json::json!(["username"]);
    let fixed = serde_json::to_vec_pretty(&doc).unwrap();
    std::fs::write(&spec, &fixed).unwrap();
    let ws = Workspace::load(dir.path()).unwrap();
    let api = common::vendored_api(&ws);
    let provenance = api.provenance_path(&ws);
    let record = std::fs::read_to_string(&provenance).unwrap();
    let new_sha = xtask::manifest::sha256_hex(&fixed);
    std::fs::write(
        &provenance,
        record.replace(&common::recorded_sha256(dir.path()), &new_sha),
    )
    .unwrap();

    let err = xtask::generate::effective_spec(&ws, api)
        .unwrap_err()
        .to_string();
    // Both actions, each named, in one report: the first matches nothing, the
    // second (add `username`) changes nothing.
    assert!(err.contains("2 blocker(s)"), "{err}");
    assert!(
        err.contains("action 1 of spec/patches/add-member-required.overlay.yaml matches nothing"),
        "{err}"
    );
    assert!(
        err.contains("action 2 of spec/patches/add-member-required.overlay.yaml changes nothing"),
        "{err}"
    );
}
