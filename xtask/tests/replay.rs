//! Replays a maintainer's life with `update-spec`: successive upstream
//! versions, made here from the vendored spec, each reproducing what the real
//! upstream history did (operationIds missing then added, a path parameter
//! renamed, an operationId used twice, a `multipart/form-data` body, a path
//! parameter nothing declares, a patch whose target moved, a patch whose
//! defect was fixed). Each runs through `update-spec` in a scratch copy of the
//! workspace and ends either in a generated crate that compiles (`cargo
//! check` on the scratch copy, sharing this build's target directory) or in
//! one report listing every blocker, after which the test fixes what the
//! report says, as a maintainer would (saving the proposed overlay, re-
//! targeting or removing actions), and runs again.
//!
//! Every report is printed (`cargo test -p xtask --test replay -- --nocapture`).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use xtask::blockers::{self, Blocker};
use xtask::manifest::Workspace;
use xtask::update::{Origin, Outcome, update_spec};

/// A scratch copy of the workspace that can build the generated crate: the
/// spec, the crates, the lock file, and a Cargo.toml whose only member is the
/// generated crate.
fn scratch_copy() -> tempfile::TempDir {
    let root = xtask::workspace_root();
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&root.join("spec"), &dir.path().join("spec"));
    common::copy_dir(&root.join("crates"), &dir.path().join("crates"));
    std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
    let mut manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    let workspace = manifest["workspace"].as_table_mut().unwrap();
    let ws = Workspace::load(&root).unwrap();
    let generated = common::vendored_api(&ws).crate_dir.display().to_string();
    workspace.insert("members".into(), toml::Value::Array(vec![generated.into()]));
    workspace.remove("default-members");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        toml::to_string(&manifest).unwrap(),
    )
    .unwrap();
    dir
}

/// This build's target directory (the test runs from `<target>/debug/deps`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// `cargo check` of the scratch copy's generated crate.
fn assert_compiles(dir: &Path, step: &str) {
    let ws = Workspace::load(dir).unwrap();
    let name = common::vendored_api(&ws)
        .crate_dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let started = std::time::Instant::now();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["check", "--offline", "--quiet", "-p", &name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{step}: the generated crate does not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "{step}: `cargo check -p {name}` passed in {:.1?}\n",
        started.elapsed()
    );
}

/// Runs update-spec on `spec` (written as upstream JSON) and prints its report.
fn update(dir: &Path, step: &str, spec: &Value) -> Outcome {
    let file = dir.join(format!("{step}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(spec).unwrap()).unwrap();
    let ws = Workspace::load(dir).unwrap();
    let origin = Origin {
        commit: Some(step.into()),
        date: Some("2026-11-29".into()),
        ..Origin::default()
    };
    let outcome = update_spec(&ws, common::vendored_api(&ws), &file, &origin, "2026-11-29")
        .unwrap_or_else(|e| panic!("{step}: {e}"));
    println!(
        "==================== {step}: cargo xtask update-spec {step}.json\n{}",
        outcome.render(&ws)
    );
    outcome
}

fn expect_blocked(outcome: Outcome, step: &str) -> Vec<Blocker> {
    match outcome {
        Outcome::Blocked { blockers, .. } => blockers,
        Outcome::Updated { .. } => panic!("{step}: expected blockers"),
    }
}

fn expect_updated(outcome: Outcome, step: &str) -> spec_diff::Report {
    match outcome {
        Outcome::Updated { report, .. } => report,
        Outcome::Blocked { blockers, .. } => {
            panic!("{step}: still blocked:\n{}", blockers::render(&blockers))
        }
    }
}

/// The bytes of everything update-spec may write.
fn state(dir: &Path) -> Vec<Option<Vec<u8>>> {
    let ws = Workspace::load(dir).unwrap();
    let api = common::vendored_api(&ws);
    [
        api.spec_path(&ws),
        api.provenance_path(&ws),
        dir.join(xtask::update::CHANGELOG),
        api.crate_path(&ws).join("openapi.json"),
        api.crate_path(&ws).join("src/generated.rs"),
    ]
    .iter()
    .map(|p| std::fs::read(p).ok())
    .collect()
}

/// Saves the report's proposed overlay as `spec/patches/<name>` and lists it
/// first, as the report says.
fn save_proposed_overlay(dir: &Path, found: &[Blocker], name: &str) {
    let overlay = blockers::proposed_overlay(found).expect("a proposed overlay");
    std::fs::write(dir.join("spec/patches").join(name), overlay).unwrap();
    edit_manifest(dir, |text| {
        text.replacen(
            "overlays = [\n",
            &format!("overlays = [\n    \"patches/{name}\",\n"),
            1,
        )
    });
}

/// Removes an overlay file and its line in the manifest.
fn remove_overlay(dir: &Path, name: &str) {
    std::fs::remove_file(dir.join("spec/patches").join(name)).unwrap();
    edit_manifest(dir, |text| {
        text.replace(&format!("    \"patches/{name}\",\n"), "")
    });
}

fn edit_manifest(dir: &Path, edit: impl FnOnce(&str) -> String) {
    let path = dir.join(xtask::manifest::MANIFEST_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the manifest edit changed nothing");
    std::fs::write(&path, edited).unwrap();
}

/// Replaces each action the report re-targeted, in its overlay file.
fn retarget(dir: &Path, found: &[Blocker]) -> usize {
    let mut count = 0;
    for proposal in found.iter().filter_map(|b| b.proposal.as_ref()) {
        let Some((patch, index)) = &proposal.replaces else {
            continue;
        };
        let path = dir.join("spec").join(patch);
        let mut overlay: Value =
            yaml_serde::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        overlay["actions"][*index]["target"] = json!(proposal.action.target);
        std::fs::write(&path, yaml_serde::to_string(&overlay).unwrap()).unwrap();
        count += 1;
    }
    count
}

/// What a maintainer does after an upstream rename: the same rename in every
/// patch (the re-targeted ones already have it; the ones that add paths or
/// parameters name it in what they add).
fn rename_in_patches(dir: &Path, from: &str, to: &str) {
    for entry in std::fs::read_dir(dir.join("spec/patches")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains(from) {
            std::fs::write(&path, text.replace(from, to)).unwrap();
        }
    }
}

fn ops_mut(spec: &mut Value) -> impl Iterator<Item = (String, &mut Value)> {
    spec["paths"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|(path, item)| {
            let path = path.clone();
            item.as_object_mut()
                .unwrap()
                .iter_mut()
                .filter(|(method, _)| xtask::openapi::METHODS.contains(&method.as_str()))
                .map(move |(_, op)| (path.clone(), op))
        })
}

#[test]
fn update_spec_takes_every_upstream_situation_to_a_compiling_client() {
    let dir = scratch_copy();
    let dir = dir.path();
    let (_, vendored) = common::vendored(dir);
    let databases = "/v1/organizations/{organizationSlug}/databases";
    let members = "/v1/organizations/{organizationSlug}/members";

    // ---- 1. Upstream has no operationIds on two path items (as before 2024-04).
    let mut v1 = vendored.clone();
    for (path, op) in ops_mut(&mut v1) {
        if path == databases || path == members {
            op.as_object_mut().unwrap().shift_remove("operationId");
        }
    }
    let before = state(dir);
    let Outcome::Blocked {
        blockers: found,
        notes,
        ..
    } = update(dir, "1-ids-missing", &v1)
    else {
        panic!("1: expected blockers");
    };
    assert_eq!(state(dir), before, "1: nothing written");
    // The pagination patch selects listDatabases by operationId: it follows
    // the name instead of being reported as obsolete.
    assert!(
        notes
            .iter()
            .any(|n| n.contains("list-databases-pagination.overlay.yaml, action 1")),
        "{notes:#?}"
    );
    let named: Vec<(&str, &Value)> = found
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
        named,
        [
            (
                "$.paths['/v1/organizations/{organizationSlug}/databases'].get",
                &json!("listDatabases")
            ),
            (
                "$.paths['/v1/organizations/{organizationSlug}/databases'].post",
                &json!("createDatabase")
            ),
            (
                "$.paths['/v1/organizations/{organizationSlug}/members'].get",
                &json!("listOrganizationMembers")
            ),
            (
                "$.paths['/v1/organizations/{organizationSlug}/members'].post",
                &json!("addOrganizationMember")
            ),
        ],
        "only the names are blockers: the patches selecting listDatabases by operationId apply \
         once it is named"
    );
    save_proposed_overlay(dir, &found, "operation-ids.overlay.yaml");
    let report = expect_updated(update(dir, "1-ids-missing", &v1), "1 (named)");
    assert!(
        report
            .changes
            .iter()
            .all(|c| c.id != "operation-id-changed"),
        "the generated methods keep their names:\n{}",
        report.render_text()
    );
    assert_compiles(dir, "1 (named)");

    // ---- 2. Upstream adds the operationIds: the naming patch has nothing left to do.
    let v2 = vendored.clone();
    let before = state(dir);
    let found = expect_blocked(update(dir, "2-ids-added", &v2), "2");
    assert_eq!(state(dir), before, "2: nothing written");
    assert_eq!(found.len(), 4, "{}", blockers::render(&found));
    assert!(
        found
            .iter()
            .all(|b| b.problem.contains("changes nothing") && b.fix.contains("remove action"))
    );
    remove_overlay(dir, "operation-ids.overlay.yaml");
    let report = expect_updated(update(dir, "2-ids-added", &v2), "2 (patch removed)");
    assert!(report.is_empty(), "{}", report.render_text());
    assert_compiles(dir, "2 (patch removed)");

    // ---- 3. Upstream renames the path parameter {organizationSlug} to
    //         {organizationName}: patches selecting those paths moved.
    let renamed = serde_json::to_string(&v2)
        .unwrap()
        .replace("organizationSlug", "organizationName");
    let v3: Value = serde_json::from_str(&renamed).unwrap();
    let before = state(dir);
    let found = expect_blocked(update(dir, "3-parameter-renamed", &v3), "3");
    assert_eq!(state(dir), before, "3: nothing written");
    // Patches that select paths moved; patches that add paths or parameters
    // still name the old parameter (the report says where), which a
    // maintainer renames in those patches too.
    let (moved, added): (Vec<&Blocker>, Vec<&Blocker>) = found
        .iter()
        .partition(|b| b.problem.contains("its target moved"));
    assert!(
        moved
            .iter()
            .all(|b| b.proposal.as_ref().is_some_and(|p| p.replaces.is_some())),
        "{}",
        blockers::render(&found)
    );
    assert!(
        added
            .iter()
            .all(|b| b.problem.contains("organizationSlug")
                || b.problem.contains("organizationName")),
        "{}",
        blockers::render(&found)
    );
    for patch in ["add-member-required", "list-databases-pagination"] {
        assert!(
            moved.iter().any(|b| b.at.contains(patch)),
            "{patch} moved: {}",
            blockers::render(&found)
        );
    }
    assert_eq!(retarget(dir, &found), moved.len());
    rename_in_patches(dir, "organizationSlug", "organizationName");
    let report = expect_updated(update(dir, "3-parameter-renamed", &v3), "3 (re-targeted)");
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.id == "path-parameter-renamed" && c.sdk_note.is_some()),
        "{}",
        report.render_text()
    );
    assert_compiles(dir, "3 (re-targeted)");

    // ---- 4. All at once: an operationId used twice, a multipart body, a path
    //         parameter nothing declares, and a defect upstream fixed.
    let mut v4 = v3.clone();
    let org = "/v1/organizations/{organizationName}";
    let configuration = format!("{org}/databases/{{databaseName}}/configuration");
    v4["paths"][&configuration]["get"]["operationId"] = json!("getDatabase");
    let org_param = json!({"$ref": "#/components/parameters/organizationName"});
    v4["paths"][format!("{org}/databases/dumps")] = json!({"post": {
        "operationId": "uploadDatabaseDump",
        "parameters": [org_param],
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
        "responses": {"200": {"description": "The dump was uploaded."}}
    }});
    v4["paths"][format!("{org}/widgets/{{widgetName}}")] = json!({"get": {
        "operationId": "getWidget",
        "parameters": [org_param],
        "responses": {"200": {"description": "The widget."}}
    }});
    let body = "/paths/~1v1~1organizations~1{organizationName}~1members/post/requestBody/content/application~1json/schema/required";
    *v4.pointer_mut(body).unwrap() = json!(["username"]);
    let before = state(dir);
    let found = expect_blocked(update(dir, "4-all-at-once", &v4), "4");
    assert_eq!(state(dir), before, "4: nothing written");
    let report = blockers::render(&found);
    let expected = [
        "add-member-required.overlay.yaml matches nothing",
        "add-member-required.overlay.yaml changes nothing",
        "operationId `getDatabase` names 2 operations",
        // What progenitor says when the operation is generated alone.
        "unexpected content type: multipart/form-data",
        "missing path name mapping widgetName",
    ];
    assert_eq!(found.len(), expected.len(), "{report}");
    for (blocker, problem) in found.iter().zip(expected) {
        assert!(blocker.problem.contains(problem), "{problem}:\n{report}");
    }
    for (blocker, operation) in found[3..].iter().zip(["uploadDatabaseDump", "getWidget"]) {
        let named = blocker.operation.as_deref().unwrap_or_default();
        assert!(named.starts_with(operation), "{operation}:\n{report}");
        assert!(blocker.proposal.is_some(), "{operation}:\n{report}");
    }
    let rename = &found[2].proposal.as_ref().unwrap().action;
    assert_eq!(
        rename.update,
        Some(json!({"operationId": "getDatabaseConfiguration"}))
    );
    save_proposed_overlay(dir, &found, "upstream-fixes.overlay.yaml");
    remove_overlay(dir, "add-member-required.overlay.yaml");
    let report = expect_updated(update(dir, "4-all-at-once", &v4), "4 (fixed)");
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.operation.as_deref() == Some("getWidget")),
        "{}",
        report.render_text()
    );
    let ws = Workspace::load(dir).unwrap();
    let code = std::fs::read_to_string(
        common::vendored_api(&ws)
            .crate_path(&ws)
            .join("src/generated.rs"),
    )
    .unwrap();
    assert!(code.contains("pub fn get_widget") && code.contains("pub fn widget_name"));
    assert!(code.contains("pub fn get_database_configuration"));
    assert!(
        !code.contains("upload_database_dump"),
        "left out of the client"
    );
    assert_compiles(dir, "4 (fixed)");

    let changelog = std::fs::read_to_string(dir.join(xtask::update::CHANGELOG)).unwrap();
    for step in [
        "1-ids-missing",
        "2-ids-added",
        "3-parameter-renamed",
        "4-all-at-once",
    ] {
        assert_eq!(
            changelog.matches(&format!("@ {step} ")).count(),
            1,
            "{changelog}"
        );
    }
}
