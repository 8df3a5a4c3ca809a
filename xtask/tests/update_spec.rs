//! `cargo xtask update-spec` and `cargo xtask diff` on copies of the
//! repository's spec, in scratch workspaces.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use xtask::manifest::Workspace;
use xtask::update::{Origin, Outcome, update_spec};

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
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

fn run(dir: &Path, spec: &Value) -> Outcome {
    let file = write_json(dir, "new.json", spec);
    let ws = Workspace::load(dir).unwrap();
    update_spec(
        &ws,
        common::vendored_api(&ws),
        &file,
        &origin(),
        "2026-11-22",
    )
    .unwrap()
}

/// Every file update-spec may write, with its bytes (None: absent).
fn snapshot(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let ws = Workspace::load(dir).unwrap();
    let api = common::vendored_api(&ws);
    let mut paths = vec![
        api.spec_path(&ws),
        api.provenance_path(&ws),
        dir.join(xtask::update::CHANGELOG),
        api.crate_path(&ws).join("openapi.json"),
        api.crate_path(&ws).join("src/generated.rs"),
    ];
    paths.sort();
    paths
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).ok()))
        .collect()
}

fn blockers(outcome: Outcome) -> Vec<xtask::blockers::Blocker> {
    match outcome {
        Outcome::Blocked { blockers, .. } => blockers,
        Outcome::Updated { report, .. } => {
            panic!("expected blockers, got\n{}", report.render_text())
        }
    }
}

#[test]
fn a_new_version_is_vendored_regenerated_reported_and_logged() {
    let dir = common::scratch_workspace();
    let (_, mut spec) = common::vendored(dir.path());
    let (removed, removed_id) = common::unpatched_path(dir.path());
    spec["paths"]
        .as_object_mut()
        .unwrap()
        .shift_remove(&removed);
    spec["paths"]["/v1/widgets"] = json!({"get": {"operationId": "listWidgets",
        "responses": {"200": {"description": "ok"}}}});
    let outcome = run(dir.path(), &spec);
    let ws = Workspace::load(dir.path()).unwrap();
    let api = common::vendored_api(&ws);
    let rendered = outcome.render(&ws);
    let Outcome::Updated {
        provenance,
        report,
        written,
    } = outcome
    else {
        panic!("{rendered}");
    };

    let vendored = std::fs::read(api.spec_path(&ws)).unwrap();
    let file = std::fs::read(dir.path().join("new.json")).unwrap();
    assert_eq!(vendored, file, "vendored byte-for-byte");
    assert_eq!(provenance.sha256, xtask::manifest::sha256_hex(&vendored));
    let record = xtask::manifest::Provenance::load(&api.provenance_path(&ws)).unwrap();
    assert_eq!(record, provenance);
    let source = record.canonical.unwrap();
    assert_eq!(source.commit.as_deref(), Some("abc1234"));
    assert_eq!(source.repository, "tursodatabase/turso-docs");
    assert_eq!(record.copied_from, None, "no stale second source");

    let ids: Vec<(&str, Option<&str>)> = report
        .changes
        .iter()
        .map(|c| (c.id.as_str(), c.operation.as_deref()))
        .collect();
    assert!(
        ids.contains(&("operation-removed", Some(removed_id.as_str()))),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("operation-added", Some("listWidgets"))),
        "{ids:?}"
    );
    assert!(written.contains(&api.spec_path(&ws)), "{written:?}");
    assert!(rendered.contains("wrote spec/CHANGELOG.md"), "{rendered}");

    let code = std::fs::read_to_string(api.crate_path(&ws).join("src/generated.rs")).unwrap();
    assert!(code.contains("pub fn list_widgets"));
    assert!(
        code.contains(&provenance.sha256),
        "the header names the new file"
    );
    let changelog = std::fs::read_to_string(dir.path().join("spec/CHANGELOG.md")).unwrap();
    assert!(
        changelog.contains("## 2026-11-22: `turso-platform` sha256"),
        "{changelog}"
    );
    assert!(changelog.contains("@ abc1234 (2026-11-01)"), "{changelog}");
    assert!(changelog.contains("operation-removed"), "{changelog}");
    // What was written is what generation now produces.
    let effective = xtask::generate::effective_spec(&ws, api).unwrap();
    let files = xtask::generate::render_api(&ws, api, &effective).unwrap();
    assert!(xtask::check::compare(&ws, &files).is_empty());
}

#[test]
fn every_blocker_is_reported_at_once_and_nothing_is_written() {
    let dir = common::scratch_workspace();
    let before = snapshot(dir.path());
    let (_, mut spec) = common::vendored(dir.path());
    // Upstream fixes two of our patches' defects...
    let body = "/paths/~1v1~1organizations~1{organizationSlug}~1members/post/requestBody/content/application~1json/schema";
    spec.pointer_mut(body).unwrap()["required"] = json!(["username"]);
    for item in spec["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            op["security"] = json!([{"bearerAuth": []}]);
        }
    }
    // ... and introduces a duplicated operationId and a spec version progenitor refuses.
    spec["paths"]["/v1/locations"]["get"]["operationId"] = json!("getCurrentUser");
    spec["openapi"] = json!("3.1.0");
    let outcome = run(dir.path(), &spec);
    let ws = Workspace::load(dir.path()).unwrap();
    let text = outcome.render(&ws);
    let found = blockers(outcome);
    let problems: Vec<&str> = found.iter().map(|b| b.problem.as_str()).collect();
    assert_eq!(found.len(), 5, "{text}");
    assert!(
        problems[0].contains("bearer-auth.overlay.yaml matches nothing"),
        "{text}"
    );
    assert!(
        problems[1].contains("add-member-required.overlay.yaml matches nothing"),
        "{text}"
    );
    assert!(
        problems[2].contains("add-member-required.overlay.yaml changes nothing"),
        "{text}"
    );
    assert!(
        problems[3].contains("operationId `getCurrentUser` names 2 operations"),
        "{text}"
    );
    assert!(problems[4].contains("invalid version: 3.1.0"), "{text}");
    // The duplicate keeps its old owner; the other gets its old name back.
    let rename = found[3].proposal.as_ref().unwrap();
    assert_eq!(rename.action.target, "$.paths['/v1/locations'].get");
    assert_eq!(
        rename.action.update,
        Some(json!({"operationId": "listLocations"}))
    );
    assert!(text.contains("Proposed overlay"), "{text}");
    assert_eq!(snapshot(dir.path()), before, "nothing was written");
}

#[test]
fn a_missing_operation_id_is_named_by_a_proposed_patch() {
    let dir = common::scratch_workspace();
    let (_, mut spec) = common::vendored(dir.path());
    spec["paths"]["/v1/locations"]["get"]
        .as_object_mut()
        .unwrap()
        .shift_remove("operationId");
    spec["paths"]["/v1/widgets"] = json!({"get": {"responses": {"200": {"description": "ok"}}}});
    let found = blockers(run(dir.path(), &spec));
    assert_eq!(found.len(), 2, "{found:#?}");
    let names: Vec<(&str, &Value)> = found
        .iter()
        .map(|b| {
            let action = &b.proposal.as_ref().unwrap().action;
            (
                action.target.as_str(),
                &action.update.as_ref().unwrap()["operationId"],
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("$.paths['/v1/locations'].get", &json!("listLocations")),
            ("$.paths['/v1/widgets'].get", &json!("getV1Widgets")),
        ]
    );
}

/// What the checks do not know and progenitor refuses is still named with its
/// operation: each operation is generated alone to find it.
#[test]
fn a_generator_failure_names_the_operation() {
    let dir = common::scratch_workspace();
    let (_, mut spec) = common::vendored(dir.path());
    // A typed error response next to an untyped one: progenitor panics.
    spec["paths"]["/v1/widgets"] = json!({"get": {"operationId": "listWidgets",
    "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": {"description": "bad", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"reason": {"type": "string"}}}}}},
        "500": {"description": "oops", "content": {"text/plain": {"schema": {"type": "string"}}}}
    }}});
    let before = snapshot(dir.path());
    let found = blockers(run(dir.path(), &spec));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].operation.as_deref(),
        Some("listWidgets (GET /v1/widgets)")
    );
    assert!(
        found[0]
            .problem
            .contains("the generator fails on this operation"),
        "{found:#?}"
    );
    let proposal = &found[0].proposal.as_ref().unwrap().action;
    assert_eq!(proposal.target, "$.paths['/v1/widgets'].get");
    assert!(proposal.remove);
    assert_eq!(snapshot(dir.path()), before, "nothing was written");
}

#[test]
fn the_xtask_acts_on_the_workspace_it_is_run_in() {
    let dir = common::scratch_workspace();
    let nested = dir.path().join("spec/patches");
    assert_eq!(Workspace::discover(&nested).unwrap(), dir.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let err = Workspace::discover(elsewhere.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("--workspace DIR"), "{err}");

    let (spec_path, mut spec) = common::vendored(dir.path());
    spec["paths"]["/v1/widgets"] = json!({"get": {"operationId": "listWidgets",
        "responses": {"200": {"description": "ok"}}}});
    let new = write_json(elsewhere.path(), "new.json", &spec);
    let update = |cwd: &Path, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .current_dir(cwd)
            .env_remove("XTASK_WORKSPACE")
            .arg("update-spec")
            .arg(&new)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = update(elsewhere.path(), &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no workspace found"));
    // Run from inside the scratch copy, it updates the scratch copy.
    let out = update(&nested, &["--commit", "abc1234"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("operation-added"), "{stdout}");
    assert_eq!(
        std::fs::read(&spec_path).unwrap(),
        std::fs::read(&new).unwrap()
    );
    // Named with --workspace from anywhere; the same version again writes nothing.
    let flag = format!("--workspace={}", dir.path().display());
    let changelog = std::fs::read(dir.path().join(xtask::update::CHANGELOG)).unwrap();
    let out = update(elsewhere.path(), &[&flag, "--commit", "abc1234"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("already vendored"));
    let after = std::fs::read(dir.path().join(xtask::update::CHANGELOG)).unwrap();
    assert_eq!(after, changelog, "no second entry for the same version");
}

#[test]
fn the_diff_command_prints_json_and_fails_on_breaking() {
    let dir = common::scratch_workspace();
    let (_, mut spec) = common::vendored(dir.path());
    let (removed, removed_id) = common::unpatched_path(dir.path());
    let old = write_json(dir.path(), "old.json", &spec);
    spec["paths"]
        .as_object_mut()
        .unwrap()
        .shift_remove(&removed);
    let new = write_json(dir.path(), "new.json", &spec);
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .current_dir(dir.path())
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
    assert_eq!(change["operation"], removed_id.as_str());
    assert!(change["path"].as_str().unwrap().contains(&removed));
    assert!(change["message"].is_string());

    let out = run(&["--fail-on", "breaking", "--patched"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("operation-removed"), "{text}");
}
