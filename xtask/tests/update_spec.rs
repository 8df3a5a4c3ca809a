//! `cargo xtask update-spec` and `cargo xtask diff` on copies of the
//! repository's spec, in scratch workspaces.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use xtask::evolve::{Origin, update_spec};
use xtask::manifest::Workspace;

/// A scratch workspace holding a copy of `spec/`, and the upstream document as JSON.
fn scratch() -> (tempfile::TempDir, Value) {
    let dir = common::scratch_workspace();
    let raw =
        xtask::spec_file::load_document(&dir.path().join("spec/turso-platform-api.yml")).unwrap();
    (dir, raw)
}

fn write_json(dir: &Path, name: &str, value: &Value) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

fn origin() -> Origin {
    Origin {
        repository: Some("tursodatabase/turso-docs".into()),
        path: Some("api-reference/openapi.json".into()),
        commit: Some("abc1234".into()),
        date: Some("2026-11-01".into()),
    }
}

#[test]
fn a_new_version_is_vendored_regenerated_reported_and_logged() {
    let (dir, mut spec) = scratch();
    spec["paths"]
        .as_object_mut()
        .unwrap()
        .shift_remove("/v1/locations");
    spec["paths"]["/v1/widgets"] = json!({"get": {"operationId": "listWidgets",
        "responses": {"200": {"description": "ok"}}}});
    let file = write_json(dir.path(), "new.json", &spec);
    let ws = Workspace::load(dir.path()).unwrap();

    let outcome = update_spec(&ws, &file, &origin(), "2026-11-22").unwrap();

    assert!(
        outcome.failed_patches.is_empty(),
        "{:?}",
        outcome.failed_patches
    );
    let vendored = std::fs::read(dir.path().join("spec/turso-platform-api.yml")).unwrap();
    assert_eq!(
        vendored,
        std::fs::read(&file).unwrap(),
        "vendored byte-for-byte"
    );
    assert_eq!(
        outcome.provenance.sha256,
        xtask::provenance::sha256_hex(&vendored)
    );
    let record = xtask::provenance::Provenance::load(
        &dir.path().join("spec/turso-platform-api.provenance.toml"),
    )
    .unwrap();
    assert_eq!(record, outcome.provenance);
    assert_eq!(
        record.copied_from.unwrap().commit.as_deref(),
        Some("abc1234")
    );

    let ids: Vec<(&str, Option<&str>)> = outcome
        .report
        .changes
        .iter()
        .map(|c| (c.id.as_str(), c.operation.as_deref()))
        .collect();
    assert!(
        ids.contains(&("operation-removed", Some("listLocations"))),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("operation-added", Some("listWidgets"))),
        "{ids:?}"
    );

    let effective = std::fs::read_to_string(
        dir.path()
            .join("crates/turso-platform-generated/openapi.json"),
    )
    .unwrap();
    assert!(effective.contains("listWidgets") && !effective.contains("\"listLocations\""));
    let code = std::fs::read_to_string(
        dir.path()
            .join("crates/turso-platform-generated/src/generated.rs"),
    )
    .unwrap();
    assert!(code.contains("pub fn list_widgets"));

    let changelog = std::fs::read_to_string(dir.path().join("spec/CHANGELOG.md")).unwrap();
    assert!(changelog.contains("## 2026-11-22: sha256"), "{changelog}");
    assert!(changelog.contains("1 breaking"), "{changelog}");
    assert!(changelog.contains("operation-removed"), "{changelog}");
    // The vendored file now generates cleanly and `check` agrees.
    xtask::check::run(&ws).unwrap();
}

#[test]
fn patches_that_no_longer_apply_are_each_reported_and_nothing_is_regenerated() {
    let (dir, mut spec) = scratch();
    let body = "/paths/~1v1~1organizations~1{organizationSlug}~1members/post/requestBody/content/application~1json/schema";
    spec.pointer_mut(body).unwrap()["required"] = json!(["username"]);
    spec["security"] = json!([{"bearerAuth": []}]);
    for item in spec["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            op["security"] = json!([{"bearerAuth": []}]);
        }
    }
    let file = write_json(dir.path(), "fixed.json", &spec);
    let ws = Workspace::load(dir.path()).unwrap();

    let outcome = update_spec(&ws, &file, &origin(), "2026-11-22").unwrap();

    let failures: Vec<String> = outcome
        .failed_patches
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert!(
        failures[0].contains("bearer-auth.overlay.yaml"),
        "{failures:#?}"
    );
    assert!(
        failures[1].contains("add-member-required.overlay.yaml")
            && failures[1].contains("action 1")
    );
    assert!(outcome.regenerated.is_empty());
    assert!(
        !dir.path()
            .join("crates/turso-platform-generated/openapi.json")
            .exists()
    );
    let changelog = std::fs::read_to_string(dir.path().join("spec/CHANGELOG.md")).unwrap();
    assert!(changelog.contains("patch no longer applies"), "{changelog}");
}

#[test]
fn openapi_3_1_is_refused_with_the_way_forward() {
    let (dir, mut spec) = scratch();
    spec["openapi"] = json!("3.1.0");
    let file = write_json(dir.path(), "v31.json", &spec);
    let ws = Workspace::load(dir.path()).unwrap();
    let err = update_spec(&ws, &file, &origin(), "2026-11-22")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`openapi: 3.1.0`") && err.contains("only reads OpenAPI 3.0.x"),
        "{err}"
    );
    // Nothing was vendored.
    let vendored = std::fs::read_to_string(dir.path().join("spec/turso-platform-api.yml")).unwrap();
    assert!(vendored.starts_with("openapi: 3.0.1"));
}

#[test]
fn a_duplicated_operation_id_is_refused_naming_both_operations() {
    let (dir, mut spec) = scratch();
    spec["paths"]["/v1/locations"]["get"]["operationId"] = json!("getCurrentUser");
    let file = write_json(dir.path(), "dup.json", &spec);
    let ws = Workspace::load(dir.path()).unwrap();
    let err = update_spec(&ws, &file, &origin(), "2026-11-22")
        .unwrap_err()
        .to_string();
    assert!(err.contains("`getCurrentUser` is used twice"), "{err}");
    assert!(
        err.contains("GET /v1/locations") && err.contains("GET /v1/user"),
        "{err}"
    );
}

#[test]
fn missing_operation_ids_get_stable_derived_names_and_are_reported() {
    let (dir, mut spec) = scratch();
    spec["paths"]["/v1/locations"]["get"]
        .as_object_mut()
        .unwrap()
        .shift_remove("operationId");
    let file = write_json(dir.path(), "noid.json", &spec);
    let ws = Workspace::load(dir.path()).unwrap();
    let outcome = update_spec(&ws, &file, &origin(), "2026-11-22").unwrap();
    let notices: Vec<&str> = outcome.notices.iter().map(|n| n.0.as_str()).collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("GET /v1/locations has no operationId; named it `getV1Locations`"));
    let code = std::fs::read_to_string(
        dir.path()
            .join("crates/turso-platform-generated/src/generated.rs"),
    )
    .unwrap();
    assert!(code.contains("pub fn get_v1_locations"));
    assert_eq!(
        xtask::generate::derived_operation_id(
            "delete",
            "/v1/organizations/{organizationSlug}/api-tokens/{tokenId}"
        ),
        "deleteV1OrganizationsByOrganizationSlugApiTokensByTokenId"
    );
}

#[test]
fn the_diff_command_prints_json_and_fails_on_breaking() {
    let (dir, mut spec) = scratch();
    let old = write_json(dir.path(), "old.json", &spec);
    spec["paths"]
        .as_object_mut()
        .unwrap()
        .shift_remove("/v1/user");
    let new = write_json(dir.path(), "new.json", &spec);
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("diff")
            .arg(&old)
            .arg(&new)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--format", "json"]);
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let change = &report["changes"][0];
    assert_eq!(change["id"], "operation-removed");
    assert_eq!(change["severity"], "breaking");
    assert_eq!(change["operation"], "getCurrentUser");
    assert!(change["path"].as_str().unwrap().contains("/v1/user"));
    assert!(change["message"].is_string());

    let out = run(&["--fail-on", "breaking", "--patched"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("operation-removed"), "{text}");
}
