//! Schema-drift guard: the committed generated client is current, and any
//! change to the API surface or to a generated type is a reviewed snapshot
//! diff (`cargo insta review`).

use turso_platform_contract_tests::{effective_spec, workspace_root};
use xtask::generate::{EffectiveSpec, render_api};
use xtask::manifest::Workspace;
use xtask::surface::{Surface, describe};

fn workspace() -> Workspace {
    Workspace::load(&workspace_root()).expect("spec/apis.toml loads")
}

fn generated_source() -> String {
    std::fs::read_to_string(
        workspace_root().join("crates/turso-platform-generated/src/generated.rs"),
    )
    .expect("generated.rs is committed")
}

#[test]
fn committed_generated_files_are_current() {
    let ws = workspace();
    let files = xtask::generate::render_all(&ws).expect("generation succeeds");
    let stale = xtask::check::compare(&ws, &files);
    let diffs: String = stale.iter().map(|s| s.diff.as_str()).collect();
    assert!(
        stale.is_empty(),
        "run `cargo xtask generate`; stale files:\n{diffs}"
    );
}

#[test]
fn generation_is_deterministic() {
    let ws = workspace();
    let first = xtask::generate::render_all(&ws).unwrap();
    let second = xtask::generate::render_all(&ws).unwrap();
    assert_eq!(first, second);
}

#[test]
fn api_surface() {
    let surface = describe(&effective_spec(), &generated_source());
    insta::assert_yaml_snapshot!("api_surface", surface);
}

#[test]
fn generated_type_schemas() {
    let schemas: serde_json::Map<String, serde_json::Value> =
        turso_platform_generated::type_schemas()
            .into_iter()
            .map(|(name, schema)| (name.to_string(), schema.to_value()))
            .collect();
    insta::assert_json_snapshot!("generated_type_schemas", schemas);
}

#[test]
fn all_52_operations_are_generated_with_the_shared_error_type() {
    let spec = effective_spec();
    let surface = describe(&spec, &generated_source());
    assert_eq!(surface.operations.len(), 52);
    for op in &surface.operations {
        assert_ne!(
            op.success_type, "<not generated>",
            "{} has no generated method",
            op.operation_id
        );
        let responses = spec["paths"][&op.path][op.method.to_lowercase()]["responses"]
            .as_object()
            .unwrap();
        let has_error_body = responses.iter().any(|(status, r)| {
            !status.starts_with('2') && (r.get("content").is_some() || r.get("$ref").is_some())
        });
        if has_error_body {
            assert_eq!(op.error_type, "types::ErrorResponse", "{}", op.operation_id);
        }
        assert_ne!(
            op.success_type, "types::ErrorResponse",
            "{}",
            op.operation_id
        );
    }
}

/// Generates a modified copy of the upstream spec in-process and describes it.
fn surface_of_modified(modify: impl FnOnce(&mut serde_json::Value)) -> Surface {
    let ws = workspace();
    let api = &ws.manifest.api[0];
    let mut effective = xtask::generate::effective_spec(&ws, api).unwrap();
    let raw_path = api.spec_path(&ws);
    let mut raw = xtask::spec_file::load_document(&raw_path).unwrap();
    modify(&mut raw);
    let document = xtask::generate::apply_patches(&ws, api, raw).unwrap();
    effective.document = document;
    let files = render_api(
        &ws,
        api,
        &EffectiveSpec {
            ..effective.clone()
        },
    )
    .unwrap();
    let code = files
        .iter()
        .find(|f| f.path.ends_with("src/generated.rs"))
        .unwrap();
    describe(&effective.document, &code.contents)
}

#[test]
fn the_guard_bites_on_a_removed_property_and_an_added_operation() {
    let original = describe(&effective_spec(), &generated_source());
    let modified = surface_of_modified(|spec| {
        spec["components"]["schemas"]["Database"]["properties"]
            .as_object_mut()
            .unwrap()
            .shift_remove("block_reads");
        spec["paths"]["/v1/widgets"] = serde_json::json!({"get": {
            "operationId": "listWidgets",
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"widgets": {"type": "array", "items": {"type": "string"}}}}
            }}}}
        }});
    });
    assert_ne!(original, modified);
    assert!(original.schemas["Database"].contains_key("block_reads"));
    assert!(!modified.schemas["Database"].contains_key("block_reads"));
    let added = modified
        .operations
        .iter()
        .find(|o| o.operation_id == "listWidgets")
        .unwrap();
    assert_eq!(added.success_type, "types::ListWidgetsResponse");
    assert_eq!(modified.operations.len(), original.operations.len() + 1);
}
