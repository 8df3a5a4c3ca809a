//! The validator on a small document of its own: refs, `nullable`, required
//! bodies, documented and undocumented statuses.

use super::*;
use serde_json::json;

fn spec_text() -> String {
    json!({
        "openapi": "3.0.3",
        "paths": {
            "/things/{id}": {
                "get": {"operationId": "getThing", "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "404": {"$ref": "#/components/responses/NotFound"}
                }},
                "delete": {"operationId": "deleteThing", "responses": {"204": {"description": ""}}}
            },
            "/things": {
                "post": {"operationId": "createThing",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "responses": {"201": {"description": ""}}}
            }
        },
        "components": {
            "responses": {"NotFound": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
            "schemas": {
                "Thing": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "parent": {"type": "string", "nullable": true},
                    "kind": {"type": "string", "enum": ["a", "b"], "nullable": true}
                }},
                "Problem": {"type": "object", "required": ["problem"], "properties": {"problem": {"type": "string"}}}
            }
        }
    })
    .to_string()
}

#[test]
fn loads_every_operation_with_its_method_and_path() {
    let s = Spec::load(&spec_text()).expect("loads");
    let mut ops: Vec<_> = s
        .operations
        .iter()
        .map(|o| format!("{} {} {}", o.id, o.method, o.path))
        .collect();
    ops.sort();
    assert_eq!(
        ops,
        [
            "createThing POST /things",
            "deleteThing DELETE /things/{id}",
            "getThing GET /things/{id}"
        ]
    );
}

#[test]
fn checks_responses_by_status() {
    let s = Spec::load(&spec_text()).expect("loads");
    let err = s
        .check_response("getThing", 200, Some(&json!({"name": 3})))
        .expect_err("name is a string");
    assert!(err.starts_with("$.name:"), "{err}");
    s.check_response(
        "getThing",
        200,
        Some(&json!({"name": "x", "parent": null, "kind": null})),
    )
    .expect("nullable admits null");
    assert!(s.check_response("getThing", 200, None).is_err());
    assert!(s.check_response("deleteThing", 204, None).is_ok());
    assert!(
        s.check_response("deleteThing", 204, Some(&json!({})))
            .is_err()
    );
    assert!(
        s.check_response("getThing", 302, None).is_err(),
        "undocumented success"
    );
    // A documented error status uses its own schema; others the error shape.
    assert!(
        s.check_response("getThing", 404, Some(&json!({"problem": "x"})))
            .is_ok()
    );
    assert!(
        s.check_response("getThing", 404, Some(&json!({"error": "x"})))
            .is_err()
    );
    assert!(
        s.check_response("getThing", 401, Some(&json!({"error": "x"})))
            .is_ok()
    );
    assert!(
        s.check_response("getThing", 401, Some(&json!({"error": 1})))
            .is_err()
    );
    assert!(s.check_response("getThing", 401, None).is_err());
}

#[test]
fn undocumented_errors_can_use_a_schema_of_the_spec() {
    let s = Spec::load_with_error_schema(&spec_text(), "Problem").expect("loads");
    assert!(
        s.check_response("getThing", 401, Some(&json!({"problem": "x"})))
            .is_ok()
    );
    assert!(
        s.check_response("getThing", 401, Some(&json!({"error": "x"})))
            .is_err()
    );
    assert!(Spec::load_with_error_schema(&spec_text(), "Missing").is_err());
}

#[test]
fn checks_request_bodies() {
    let s = Spec::load(&spec_text()).expect("loads");
    assert!(s.check_request("createThing", b"").is_err(), "required");
    assert!(s.check_request("createThing", b"{").is_err());
    let err = s
        .check_request("createThing", br#"{"kind": "c", "name": "n"}"#)
        .expect_err("not in the enum");
    assert!(err.starts_with("$.kind:"), "{err}");
    assert_eq!(
        s.check_request("createThing", br#"{"name": "n"}"#)
            .expect("valid"),
        Some(json!({"name": "n"}))
    );
    assert_eq!(
        s.check_request("getThing", b"ignored")
            .expect("no body taken"),
        None
    );
}

#[test]
fn nullable_compositions_are_wrapped() {
    let schema = to_json_schema(
        &json!({}),
        &json!({"allOf": [{"type": "object"}], "nullable": true}),
        0,
    )
    .expect("converts");
    let v = jsonschema::validator_for(&schema).expect("compiles");
    assert!(v.is_valid(&Value::Null));
    assert_eq!(json_path("/a/0/b~1c"), "$.a[0].b/c");
}
