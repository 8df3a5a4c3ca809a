//! One scenario per rule id: a small pair of documents, and exactly the changes
//! (id, severity, operation) the diff must report for it.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use spec_diff::{RULES, Report, Severity, diff};

use Severity::{Breaking as B, Info as I, NonBreaking as N};

type Expected = Vec<(&'static str, Severity, Option<&'static str>)>;

struct Scenario {
    old: Value,
    new: Value,
    expect: Expected,
}

fn scenario(old: Value, new: Value, expect: Expected) -> Scenario {
    Scenario { old, new, expect }
}

fn doc(paths: Value) -> Value {
    json!({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": paths})
}

fn doc_with(paths: Value, components: Value) -> Value {
    let mut d = doc(paths);
    d["components"] = components;
    d
}

/// A minimal operation with the given operationId.
fn op(id: &str) -> Value {
    json!({"operationId": id, "responses": {"200": {"description": "ok"}}})
}

/// `op(id)` with extra fields merged in.
fn op_with(id: &str, extra: Value) -> Value {
    let mut o = op(id);
    if let (Some(target), Some(extra)) = (o.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            target.insert(k.clone(), v.clone());
        }
    }
    o
}

fn one(path: &str, method: &str, operation: Value) -> Value {
    doc(json!({ path: { method: operation } }))
}

fn json_body(schema: Value) -> Value {
    json!({"content": {"application/json": {"schema": schema}}})
}

fn response(schema: Value) -> Value {
    json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}})
}

fn run(s: &Scenario) -> Report {
    let report = diff(&s.old, &s.new);
    let mut got: Vec<(String, Severity, Option<String>)> = report
        .changes
        .iter()
        .map(|c| (c.id.clone(), c.severity, c.operation.clone()))
        .collect();
    got.sort();
    let mut want: Vec<(String, Severity, Option<String>)> = s
        .expect
        .iter()
        .map(|(id, sev, op)| ((*id).to_owned(), *sev, op.map(str::to_owned)))
        .collect();
    want.sort();
    assert_eq!(got, want, "\n{}", report.render_text());
    for change in &report.changes {
        let rule = spec_diff::rule(&change.id).expect("every emitted id is in the catalogue");
        assert_eq!(rule.severity, change.severity, "{}", change.id);
    }
    if !s.expect.iter().any(|(id, _, _)| *id == "unresolved-ref") {
        assert!(diff(&s.old, &s.old).is_empty(), "old vs itself");
        assert!(diff(&s.new, &s.new).is_empty(), "new vs itself");
    }
    report
}

fn sdk_note(report: &Report, id: &str) -> Option<String> {
    report
        .changes
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.sdk_note.clone())
}

// ---------------------------------------------------------------- operations

fn operation_added() -> Scenario {
    scenario(
        doc(json!({})),
        one("/v1/x", "get", op("getX")),
        vec![("operation-added", N, Some("getX"))],
    )
}

fn operation_removed() -> Scenario {
    scenario(
        one("/v1/x", "delete", op("deleteX")),
        doc(json!({})),
        vec![("operation-removed", B, Some("deleteX"))],
    )
}

fn operation_removed_without_operation_id() -> Scenario {
    scenario(
        one("/v1/x", "delete", json!({"responses": {}})),
        doc(json!({})),
        vec![("operation-removed", B, Some("DELETE /v1/x"))],
    )
}

fn operation_path_changed() -> Scenario {
    scenario(
        one("/v1/a", "get", op("getA")),
        one("/v2/a", "get", op("getA")),
        vec![("operation-path-changed", B, Some("getA"))],
    )
}

fn operation_method_changed() -> Scenario {
    scenario(
        one("/v1/a", "put", op("updateA")),
        one("/v1/a", "patch", op("updateA")),
        vec![("operation-method-changed", B, Some("updateA"))],
    )
}

fn operation_moved_and_method_changed() -> Scenario {
    scenario(
        one("/v1/a", "put", op("updateA")),
        one("/v2/a", "patch", op("updateA")),
        vec![
            ("operation-path-changed", B, Some("updateA")),
            ("operation-method-changed", B, Some("updateA")),
        ],
    )
}

fn duplicate_operation_ids_are_not_matched() -> Scenario {
    scenario(
        doc(json!({"/a": {"get": op("dup")}, "/b": {"get": op("dup")}})),
        doc(json!({"/c": {"get": op("dup")}})),
        vec![
            ("operation-removed", B, Some("dup")),
            ("operation-removed", B, Some("dup")),
            ("operation-added", N, Some("dup")),
        ],
    )
}

fn operation_id_changed() -> Scenario {
    scenario(
        one("/v1/a", "get", op("listA")),
        one("/v1/a", "get", op("listAll")),
        vec![("operation-id-changed", B, Some("listAll"))],
    )
}

fn operation_id_added() -> Scenario {
    scenario(
        one("/v1/a", "get", json!({"responses": {}})),
        one(
            "/v1/a",
            "get",
            json!({"operationId": "getA", "responses": {}}),
        ),
        vec![("operation-id-changed", B, Some("getA"))],
    )
}

fn operation_deprecated() -> Scenario {
    scenario(
        one("/v1/a", "get", op("getA")),
        one("/v1/a", "get", op_with("getA", json!({"deprecated": true}))),
        vec![("operation-deprecated", I, Some("getA"))],
    )
}

fn operation_deprecation_removed() -> Scenario {
    let s = operation_deprecated();
    scenario(
        s.new,
        s.old,
        vec![("operation-deprecation-removed", I, Some("getA"))],
    )
}

// ---------------------------------------------------------------- parameters

fn path_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
}

fn path_parameter_renamed() -> Scenario {
    // Old: declared on the path item; new: declared on the operation.
    scenario(
        doc(json!({"/v1/organizations/{organizationName}/databases": {
            "parameters": [path_param("organizationName")],
            "get": op("listDatabases")
        }})),
        doc(json!({"/v1/organizations/{organizationSlug}/databases": {
            "get": op_with("listDatabases", json!({"parameters": [path_param("organizationSlug")]}))
        }})),
        vec![("path-parameter-renamed", B, Some("listDatabases"))],
    )
}

fn with_params(params: Value) -> Value {
    one(
        "/v1/dbs",
        "get",
        op_with("listDbs", json!({ "parameters": params })),
    )
}

fn query(name: &str, required: bool) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": {"type": "string"}})
}

fn request_parameter_added_required() -> Scenario {
    scenario(
        with_params(json!([])),
        with_params(json!([query("group", true)])),
        vec![("request-parameter-added-required", B, Some("listDbs"))],
    )
}

fn request_parameter_added_optional() -> Scenario {
    scenario(
        with_params(json!([])),
        with_params(json!([query("group", false)])),
        vec![("request-parameter-added-optional", N, Some("listDbs"))],
    )
}

fn request_parameter_removed() -> Scenario {
    scenario(
        with_params(json!([query("group", false)])),
        with_params(json!([])),
        vec![("request-parameter-removed", B, Some("listDbs"))],
    )
}

fn request_parameter_became_required() -> Scenario {
    scenario(
        with_params(json!([query("group", false)])),
        with_params(json!([query("group", true)])),
        vec![("request-parameter-became-required", B, Some("listDbs"))],
    )
}

fn request_parameter_became_optional() -> Scenario {
    scenario(
        with_params(json!([query("group", true)])),
        with_params(json!([query("group", false)])),
        vec![("request-parameter-became-optional", N, Some("listDbs"))],
    )
}

/// `{db}` is in the URL on both sides; only the new document declares it.
fn path_parameter_declared() -> Scenario {
    let db = json!({"name": "db", "in": "path", "required": true, "schema": {"type": "string"}});
    scenario(
        one("/v1/dbs/{db}", "get", op("getDb")),
        one(
            "/v1/dbs/{db}",
            "get",
            op_with("getDb", json!({ "parameters": [db] })),
        ),
        vec![("path-parameter-declared", I, Some("getDb"))],
    )
}

/// A path parameter added with the template segment is still a required one added.
fn path_parameter_added_with_its_segment() -> Scenario {
    let db = json!({"name": "db", "in": "path", "required": true, "schema": {"type": "string"}});
    scenario(
        one("/v1/dbs", "get", op("getDb")),
        one(
            "/v1/dbs/{db}",
            "get",
            op_with("getDb", json!({ "parameters": [db] })),
        ),
        vec![
            ("operation-path-changed", B, Some("getDb")),
            ("request-parameter-added-required", B, Some("getDb")),
        ],
    )
}

fn request_parameter_deprecated_flag() -> Scenario {
    let mut deprecated = query("schema", false);
    deprecated["deprecated"] = json!(true);
    scenario(
        with_params(json!([query("schema", false)])),
        with_params(json!([deprecated])),
        vec![("request-parameter-deprecated", I, Some("listDbs"))],
    )
}

fn request_parameter_deprecation_removed_flag() -> Scenario {
    let s = request_parameter_deprecated_flag();
    scenario(
        s.new,
        s.old,
        vec![("request-parameter-deprecation-removed", I, Some("listDbs"))],
    )
}

fn request_parameter_format_changed() -> Scenario {
    scenario(
        with_params(json!([{"name": "since", "in": "query", "schema": {"type": "string"}}])),
        with_params(
            json!([{"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}}]),
        ),
        vec![("request-parameter-type-changed", B, Some("listDbs"))],
    )
}

fn request_parameter_via_component_ref() -> Scenario {
    let components = |ty: &str| json!({"parameters": {"page": {"name": "page", "in": "query", "schema": {"type": ty}}}});
    let paths = json!({"/v1/logs": {"get": op_with("listLogs", json!({
        "parameters": [{"$ref": "#/components/parameters/page"}]
    }))}});
    scenario(
        doc_with(paths.clone(), components("integer")),
        doc_with(paths, components("string")),
        vec![("request-parameter-type-changed", B, Some("listLogs"))],
    )
}

// ---------------------------------------------------------------- request bodies

fn with_body(body: Option<Value>) -> Value {
    let mut o = op("createDb");
    if let Some(body) = body {
        o["requestBody"] = body;
    }
    one("/v1/dbs", "post", o)
}

fn body(required: bool, schema: Value) -> Value {
    let mut b = json_body(schema);
    b["required"] = json!(required);
    b
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn request_body_added_required() -> Scenario {
    scenario(
        with_body(None),
        with_body(Some(body(true, json!({"type": "object"})))),
        vec![("request-body-added-required", B, Some("createDb"))],
    )
}

fn request_body_added_optional() -> Scenario {
    scenario(
        with_body(None),
        with_body(Some(body(false, json!({"type": "object"})))),
        vec![("request-body-added-optional", N, Some("createDb"))],
    )
}

fn request_body_removed() -> Scenario {
    scenario(
        with_body(Some(body(true, json!({"type": "object"})))),
        with_body(None),
        vec![("request-body-removed", B, Some("createDb"))],
    )
}

fn request_body_became_required() -> Scenario {
    scenario(
        with_body(Some(body(false, json!({"type": "object"})))),
        with_body(Some(body(true, json!({"type": "object"})))),
        vec![("request-body-became-required", B, Some("createDb"))],
    )
}

fn request_body_became_optional() -> Scenario {
    let s = request_body_became_required();
    scenario(
        s.new,
        s.old,
        vec![("request-body-became-optional", N, Some("createDb"))],
    )
}

fn request_body_media_type_added() -> Scenario {
    let mut both = body(true, json!({"type": "object"}));
    both["content"]["application/x-www-form-urlencoded"] = json!({"schema": {"type": "object"}});
    scenario(
        with_body(Some(body(true, json!({"type": "object"})))),
        with_body(Some(both)),
        vec![("request-body-media-type-added", N, Some("createDb"))],
    )
}

fn request_body_media_type_removed() -> Scenario {
    let s = request_body_media_type_added();
    scenario(
        s.new,
        s.old,
        vec![("request-body-media-type-removed", B, Some("createDb"))],
    )
}

fn request_body_via_component_ref() -> Scenario {
    let components = |required: &[&str]| {
        json!({
            "requestBodies": {"Create": {"required": true, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/CreateInput"}}}}},
            "schemas": {"CreateInput": object(json!({"name": {"type": "string"}}), required)}
        })
    };
    let paths = json!({"/v1/dbs": {"post": op_with("createDb", json!({
        "requestBody": {"$ref": "#/components/requestBodies/Create"}
    }))}});
    scenario(
        doc_with(paths.clone(), components(&[])),
        doc_with(paths, components(&["name"])),
        vec![("request-property-became-required", B, Some("createDb"))],
    )
}

fn request_property(old: Value, new: Value, expect: Expected) -> Scenario {
    scenario(
        with_body(Some(body(true, old))),
        with_body(Some(body(true, new))),
        expect,
    )
}

fn request_property_added() -> Scenario {
    request_property(
        object(json!({"name": {"type": "string"}}), &["name"]),
        object(
            json!({"name": {"type": "string"}, "group": {"type": "string"}}),
            &["name"],
        ),
        vec![("request-property-added", N, Some("createDb"))],
    )
}

fn request_property_added_required() -> Scenario {
    request_property(
        object(json!({"name": {"type": "string"}}), &["name"]),
        object(
            json!({"name": {"type": "string"}, "group": {"type": "string"}}),
            &["name", "group"],
        ),
        vec![("request-property-added-required", B, Some("createDb"))],
    )
}

fn request_property_removed() -> Scenario {
    request_property(
        object(
            json!({"name": {"type": "string"}, "group": {"type": "string"}}),
            &[],
        ),
        object(json!({"name": {"type": "string"}}), &[]),
        vec![("request-property-removed", B, Some("createDb"))],
    )
}

fn request_property_became_required() -> Scenario {
    request_property(
        object(json!({"name": {"type": "string"}}), &[]),
        object(json!({"name": {"type": "string"}}), &["name"]),
        vec![("request-property-became-required", B, Some("createDb"))],
    )
}

fn request_property_became_optional() -> Scenario {
    request_property(
        object(json!({"name": {"type": "string"}}), &["name"]),
        object(json!({"name": {"type": "string"}}), &[]),
        vec![("request-property-became-optional", B, Some("createDb"))],
    )
}

fn request_property_type_changed_deep() -> Scenario {
    let seed = |ty: &str| {
        object(
            json!({"seed": {"type": "object", "properties": {
                "timestamps": {"type": "array", "items": {"type": ty}}
            }}}),
            &[],
        )
    };
    request_property(
        seed("string"),
        seed("integer"),
        vec![("request-property-type-changed", B, Some("createDb"))],
    )
}

fn request_map_values_type_changed() -> Scenario {
    let map = |ty: &str| {
        object(
            json!({"labels": {"type": "object", "additionalProperties": {"type": ty}}}),
            &[],
        )
    };
    request_property(
        map("string"),
        map("boolean"),
        vec![("request-property-type-changed", B, Some("createDb"))],
    )
}

fn request_property_became_read_only() -> Scenario {
    request_property(
        object(json!({"id": {"type": "string"}}), &[]),
        object(json!({"id": {"type": "string", "readOnly": true}}), &[]),
        vec![("request-property-became-read-only", B, Some("createDb"))],
    )
}

fn request_property_became_not_read_only() -> Scenario {
    let s = request_property_became_read_only();
    scenario(
        s.new,
        s.old,
        vec![("request-property-became-not-read-only", N, Some("createDb"))],
    )
}

fn request_property_added_required_but_read_only() -> Scenario {
    // Clients do not send a `readOnly` property: requiring it asks nothing.
    request_property(
        object(json!({"name": {"type": "string"}}), &["name"]),
        object(
            json!({"name": {"type": "string"}, "id": {"type": "string", "readOnly": true}}),
            &["name", "id"],
        ),
        vec![("request-property-added", N, Some("createDb"))],
    )
}

fn request_property_read_only_became_required() -> Scenario {
    request_property(
        object(json!({"id": {"type": "string", "readOnly": true}}), &[]),
        object(json!({"id": {"type": "string", "readOnly": true}}), &["id"]),
        vec![],
    )
}

fn request_property_constraints_each_reported() -> Scenario {
    // Three keywords change at one node: each is a change of its own.
    request_property(
        object(
            json!({"name": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z]+$"}}),
            &["name"],
        ),
        object(
            json!({"name": {"type": "string", "minLength": 3, "maxLength": 32, "pattern": "^[a-z0-9-]+$"}}),
            &["name"],
        ),
        vec![
            ("request-property-constraint-tightened", B, Some("createDb")),
            ("request-property-constraint-tightened", B, Some("createDb")),
            ("request-property-constraint-tightened", B, Some("createDb")),
        ],
    )
}

fn request_parameter_maximum_became_exclusive() -> Scenario {
    let limit = |schema: Value| json!([{"name": "limit", "in": "query", "schema": schema}]);
    scenario(
        with_params(limit(json!({"type": "integer", "maximum": 100}))),
        with_params(limit(
            json!({"type": "integer", "maximum": 100, "exclusiveMaximum": true}),
        )),
        vec![("request-parameter-constraint-tightened", B, Some("listDbs"))],
    )
}

fn constraint_not_compared_when_type_changed() -> Scenario {
    request_property(
        object(json!({"size": {"type": "string", "maxLength": 8}}), &[]),
        object(json!({"size": {"type": "integer", "maximum": 8}}), &[]),
        vec![("request-property-type-changed", B, Some("createDb"))],
    )
}

// ---------------------------------------------------------------- responses

fn with_responses(responses: Value) -> Value {
    one(
        "/v1/dbs",
        "get",
        json!({"operationId": "listDbs", "responses": responses}),
    )
}

fn response_success_status_added() -> Scenario {
    scenario(
        with_responses(json!({"200": {"description": "ok"}})),
        with_responses(json!({"200": {"description": "ok"}, "202": {"description": "later"}})),
        vec![("response-success-status-added", I, Some("listDbs"))],
    )
}

fn response_error_status_added() -> Scenario {
    scenario(
        with_responses(json!({"200": {"description": "ok"}})),
        with_responses(json!({"200": {"description": "ok"}, "404": {"description": "nope"}})),
        vec![("response-error-status-added", N, Some("listDbs"))],
    )
}

fn response_default_status_added() -> Scenario {
    scenario(
        with_responses(json!({"200": {"description": "ok"}})),
        with_responses(json!({"200": {"description": "ok"}, "default": {"description": "err"}})),
        vec![("response-error-status-added", N, Some("listDbs"))],
    )
}

fn response_success_status_removed() -> Scenario {
    scenario(
        with_responses(json!({"200": {"description": "ok"}, "404": {"description": "nope"}})),
        with_responses(json!({"201": {"description": "ok"}, "404": {"description": "nope"}})),
        vec![
            ("response-success-status-removed", B, Some("listDbs")),
            ("response-success-status-added", I, Some("listDbs")),
        ],
    )
}

fn response_error_status_removed() -> Scenario {
    scenario(
        with_responses(json!({"200": {"description": "ok"}, "409": {"description": "dup"}})),
        with_responses(json!({"200": {"description": "ok"}})),
        vec![("response-error-status-removed", N, Some("listDbs"))],
    )
}

fn response_media_type_added() -> Scenario {
    scenario(
        with_responses(json!({"200": {"description": "ok"}})),
        with_responses(response(json!({"type": "object"}))),
        vec![("response-media-type-added", N, Some("listDbs"))],
    )
}

fn response_media_type_removed() -> Scenario {
    let s = response_media_type_added();
    scenario(
        s.new,
        s.old,
        vec![("response-media-type-removed", B, Some("listDbs"))],
    )
}

fn response_property(old: Value, new: Value, expect: Expected) -> Scenario {
    scenario(
        with_responses(response(old)),
        with_responses(response(new)),
        expect,
    )
}

fn response_property_added() -> Scenario {
    response_property(
        object(json!({"name": {"type": "string"}}), &[]),
        object(
            json!({"name": {"type": "string"}, "archived": {"type": "boolean"}}),
            &[],
        ),
        vec![("response-property-added", N, Some("listDbs"))],
    )
}

fn response_property_removed() -> Scenario {
    let s = response_property_added();
    scenario(
        s.new,
        s.old,
        vec![("response-property-removed", B, Some("listDbs"))],
    )
}

fn response_property_became_required() -> Scenario {
    response_property(
        object(json!({"name": {"type": "string"}}), &[]),
        object(json!({"name": {"type": "string"}}), &["name"]),
        vec![("response-property-became-required", B, Some("listDbs"))],
    )
}

fn response_property_became_optional() -> Scenario {
    let s = response_property_became_required();
    scenario(
        s.new,
        s.old,
        vec![("response-property-became-optional", B, Some("listDbs"))],
    )
}

fn response_property_became_write_only() -> Scenario {
    response_property(
        object(json!({"password": {"type": "string"}}), &[]),
        object(
            json!({"password": {"type": "string", "writeOnly": true}}),
            &[],
        ),
        vec![("response-property-became-write-only", B, Some("listDbs"))],
    )
}

fn response_property_became_not_write_only() -> Scenario {
    let s = response_property_became_write_only();
    scenario(
        s.new,
        s.old,
        vec![(
            "response-property-became-not-write-only",
            N,
            Some("listDbs"),
        )],
    )
}

/// One component schema used as both request and response body of `updateDb`.
fn shared_request_response(database: Value) -> Value {
    doc_with(
        json!({"/v1/dbs/{name}": {"patch": {
            "operationId": "updateDb",
            "parameters": [path_param("name")],
            "requestBody": json_body(json!({"$ref": "#/components/schemas/Database"})),
            "responses": response(json!({"$ref": "#/components/schemas/Database"}))
        }}}),
        json!({"schemas": {
            "Database": database,
            "Id": {"type": "string", "readOnly": true},
            "Secret": {"type": "string", "writeOnly": true}
        }}),
    )
}

fn access_flags_matter_in_their_direction_only() -> Scenario {
    // `id` becomes readOnly (through a `$ref`), `token` writeOnly: each breaks one
    // direction and is nothing in the other.
    scenario(
        shared_request_response(object(
            json!({"id": {"type": "string"}, "token": {"type": "string"}}),
            &[],
        )),
        shared_request_response(object(
            json!({"id": {"$ref": "#/components/schemas/Id"},
                "token": {"$ref": "#/components/schemas/Secret"}}),
            &[],
        )),
        vec![
            ("request-property-became-read-only", B, Some("updateDb")),
            ("response-property-became-write-only", B, Some("updateDb")),
        ],
    )
}

fn constraint_loosened_in_shared_schema() -> Scenario {
    // The same relaxation is harmless in the request and breaking in the response.
    let database = |max: u32| {
        object(
            json!({"name": {"type": "string", "maxLength": max}}),
            &["name"],
        )
    };
    scenario(
        shared_request_response(database(32)),
        shared_request_response(database(64)),
        vec![
            ("request-property-constraint-loosened", N, Some("updateDb")),
            ("response-property-constraint-loosened", B, Some("updateDb")),
        ],
    )
}

fn response_pattern_changed() -> Scenario {
    // Not ordered: the stricter severity of the response direction (loosened).
    response_property(
        object(
            json!({"hostname": {"type": "string", "pattern": "^[a-z]+\\.turso\\.io$"}}),
            &[],
        ),
        object(
            json!({"hostname": {"type": "string", "pattern": "^[a-z]+\\.turso\\.tech$"}}),
            &[],
        ),
        vec![("response-property-constraint-loosened", B, Some("listDbs"))],
    )
}

fn response_discriminator_changed() -> Scenario {
    let event = |tag: &str| {
        json!({
            "oneOf": [
                {"type": "object", "properties": {"kind": {"type": "string"}, "type": {"type": "string"}}},
                {"type": "object", "properties": {"kind": {"type": "string"}, "type": {"type": "string"}, "at": {"type": "string"}}}
            ],
            "discriminator": {"propertyName": tag}
        })
    };
    response_property(
        event("type"),
        event("kind"),
        vec![("response-body-discriminator-changed", B, Some("listDbs"))],
    )
}

fn response_property_type_changed_in_error_response() -> Scenario {
    let components = |ty: &str| {
        json!({"responses": {"NotFound": {"description": "not found", "content": {
            "application/json": {"schema": {"type": "object", "properties": {"error": {"type": ty}}}}
        }}}})
    };
    let paths = json!({"/v1/dbs/{name}": {"get": {
        "operationId": "getDb",
        "parameters": [path_param("name")],
        "responses": {"200": {"description": "ok"}, "404": {"$ref": "#/components/responses/NotFound"}}
    }}});
    scenario(
        doc_with(paths.clone(), components("string")),
        doc_with(paths, components("object")),
        vec![("response-property-type-changed", B, Some("getDb"))],
    )
}

// ---------------------------------------------------------------- security

fn root_security(security: Option<Value>) -> Value {
    let mut d = one("/v1/a", "get", op("getA"));
    if let Some(security) = security {
        d["security"] = security;
    }
    d
}

fn security_added() -> Scenario {
    scenario(
        root_security(None),
        root_security(Some(json!([{"bearerAuth": []}]))),
        vec![("security-added", B, None)],
    )
}

fn security_removed() -> Scenario {
    scenario(
        root_security(Some(json!([{"bearerAuth": []}]))),
        root_security(Some(json!([]))),
        vec![("security-removed", N, None)],
    )
}

fn security_changed() -> Scenario {
    scenario(
        root_security(Some(json!([{"bearerAuth": []}]))),
        root_security(Some(json!([{"oauth": ["read"]}]))),
        vec![("security-changed", B, None)],
    )
}

fn operation_security_added() -> Scenario {
    scenario(
        one("/v1/a", "get", op("getA")),
        one(
            "/v1/a",
            "get",
            op_with("getA", json!({"security": [{"bearerAuth": []}]})),
        ),
        vec![("security-added", B, Some("getA"))],
    )
}

fn operation_security_removed_by_override() -> Scenario {
    // The root requires a token; the operation now opts out with `security: []`.
    let mut old = one("/v1/health", "get", op("health"));
    old["security"] = json!([{"bearerAuth": []}]);
    let mut new = one(
        "/v1/health",
        "get",
        op_with("health", json!({"security": []})),
    );
    new["security"] = json!([{"bearerAuth": []}]);
    scenario(old, new, vec![("security-removed", N, Some("health"))])
}

// ---------------------------------------------------------------- components, refs

fn component_schema_added() -> Scenario {
    scenario(
        doc_with(json!({}), json!({"schemas": {}})),
        doc_with(json!({}), json!({"schemas": {"Group": {"type": "object"}}})),
        vec![("component-schema-added", I, Some("Group"))],
    )
}

fn component_schema_removed() -> Scenario {
    let s = component_schema_added();
    scenario(
        s.new,
        s.old,
        vec![("component-schema-removed", I, Some("Group"))],
    )
}

fn unresolved_ref() -> Scenario {
    let paths = |target: &str| {
        json!({"/v1/dbs": {"get": {"operationId": "listDbs",
            "responses": response(json!({"$ref": target}))}}})
    };
    let components = json!({"schemas": {"Database": {"type": "object"}}});
    scenario(
        doc_with(paths("#/components/schemas/Database"), components.clone()),
        doc_with(paths("#/components/schemas/Missing"), components),
        vec![("unresolved-ref", I, Some("listDbs"))],
    )
}

fn ref_cycle() -> Scenario {
    let components = |cyclic: bool| {
        if cyclic {
            json!({"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"}
            }})
        } else {
            json!({"schemas": {"A": {"type": "object"}, "B": {"$ref": "#/components/schemas/A"}}})
        }
    };
    let paths = json!({"/v1/dbs": {"get": {"operationId": "listDbs",
        "responses": response(json!({"$ref": "#/components/schemas/B"}))}}});
    scenario(
        doc_with(paths.clone(), components(false)),
        doc_with(paths, components(true)),
        vec![
            ("unresolved-ref", I, Some("A")),
            ("unresolved-ref", I, Some("B")),
            ("unresolved-ref", I, Some("listDbs")),
        ],
    )
}

fn ref_into_another_schemas_properties() -> Scenario {
    // Like the Turso spec: a parameter's schema points inside `Database`.
    let components = |format: Option<&str>| {
        let mut name = json!({"type": "string"});
        if let Some(format) = format {
            name["format"] = json!(format);
        }
        json!({"schemas": {"Database": {"type": "object", "properties": {"Name": name}}}})
    };
    let paths = json!({"/v1/dbs/{databaseName}": {"get": {
        "operationId": "getDb",
        "parameters": [{"name": "databaseName", "in": "path", "required": true,
            "schema": {"$ref": "#/components/schemas/Database/properties/Name"}}],
        "responses": response(json!({"$ref": "#/components/schemas/Database"}))
    }}});
    scenario(
        doc_with(paths.clone(), components(None)),
        doc_with(paths, components(Some("hostname"))),
        vec![
            ("request-parameter-type-changed", B, Some("getDb")),
            ("response-property-type-changed", B, Some("getDb")),
        ],
    )
}

fn shared_component_reported_per_operation() -> Scenario {
    let components = |values: Value| {
        json!({"schemas": {"Member": {"type": "object", "properties": {
            "role": {"type": "string", "enum": values}}}}})
    };
    let paths = json!({
        "/v1/members": {"get": {"operationId": "listMembers",
            "responses": response(json!({"type": "array", "items": {"$ref": "#/components/schemas/Member"}}))}},
        "/v1/members/{username}": {"get": {"operationId": "getMember",
            "parameters": [path_param("username")],
            "responses": response(json!({"$ref": "#/components/schemas/Member"}))}}
    });
    scenario(
        doc_with(paths.clone(), components(json!(["owner", "member"]))),
        doc_with(paths, components(json!(["owner", "member", "viewer"]))),
        vec![
            ("response-property-enum-value-added", B, Some("listMembers")),
            ("response-property-enum-value-added", B, Some("getMember")),
        ],
    )
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        mod each {
            $( #[test] fn $name() { super::run(&super::$name()); } )*
        }
        const ALL: &[fn() -> Scenario] = &[$($name),*];
    };
}

scenarios!(
    operation_added,
    operation_removed,
    operation_removed_without_operation_id,
    operation_path_changed,
    operation_method_changed,
    operation_moved_and_method_changed,
    duplicate_operation_ids_are_not_matched,
    operation_id_changed,
    operation_id_added,
    operation_deprecated,
    operation_deprecation_removed,
    path_parameter_renamed,
    request_parameter_added_required,
    request_parameter_added_optional,
    request_parameter_removed,
    request_parameter_became_required,
    request_parameter_became_optional,
    path_parameter_declared,
    path_parameter_added_with_its_segment,
    request_parameter_deprecated_flag,
    request_parameter_deprecation_removed_flag,
    request_parameter_format_changed,
    request_parameter_via_component_ref,
    request_body_added_required,
    request_body_added_optional,
    request_body_removed,
    request_body_became_required,
    request_body_became_optional,
    request_body_media_type_added,
    request_body_media_type_removed,
    request_body_via_component_ref,
    request_property_added,
    request_property_added_required,
    request_property_removed,
    request_property_became_required,
    request_property_became_optional,
    request_property_type_changed_deep,
    request_map_values_type_changed,
    request_property_became_read_only,
    request_property_became_not_read_only,
    request_property_added_required_but_read_only,
    request_property_read_only_became_required,
    request_property_constraints_each_reported,
    request_parameter_maximum_became_exclusive,
    constraint_not_compared_when_type_changed,
    response_success_status_added,
    response_error_status_added,
    response_default_status_added,
    response_success_status_removed,
    response_error_status_removed,
    response_media_type_added,
    response_media_type_removed,
    response_property_added,
    response_property_removed,
    response_property_became_required,
    response_property_became_optional,
    response_property_type_changed_in_error_response,
    response_property_became_write_only,
    response_property_became_not_write_only,
    access_flags_matter_in_their_direction_only,
    constraint_loosened_in_shared_schema,
    response_pattern_changed,
    response_discriminator_changed,
    security_added,
    security_removed,
    security_changed,
    operation_security_added,
    operation_security_removed_by_override,
    component_schema_added,
    component_schema_removed,
    unresolved_ref,
    ref_cycle,
    ref_into_another_schemas_properties,
    shared_component_reported_per_operation,
);

// ---------------------------------------------------------------- schema rules by place

/// Where a schema under test is placed: (rule-id prefix, is request direction).
const PLACES: [(&str, bool); 5] = [
    ("request-parameter", true),
    ("request-body", true),
    ("request-property", true),
    ("response-body", false),
    ("response-property", false),
];

fn placed(prefix: &str, schema: Value) -> Value {
    let nested = || json!({"type": "object", "properties": {"p": schema.clone()}});
    let operation = match prefix {
        "request-parameter" => op_with(
            "op",
            json!({"parameters": [{"name": "q", "in": "query", "schema": schema}]}),
        ),
        "request-body" => op_with("op", json!({"requestBody": json_body(schema.clone())})),
        "request-property" => op_with("op", json!({"requestBody": json_body(nested())})),
        "response-body" => json!({"operationId": "op", "responses": response(schema.clone())}),
        _ => json!({"operationId": "op", "responses": response(nested())}),
    };
    one("/t", "post", operation)
}

/// A oneOf of two objects, told apart by the property `tag`.
fn tagged(tag: &str) -> Value {
    let variant = |extra: &str| {
        json!({"type": "object", "properties": {
            "kind": {"type": "string"}, "type": {"type": "string"}, extra: {"type": "string"}
        }})
    };
    json!({"oneOf": [variant("a"), variant("b")], "discriminator": {"propertyName": tag}})
}

/// (id suffix, old schema, new schema, request severity, response severity)
fn mutations() -> Vec<(&'static str, Value, Value, Severity, Severity)> {
    let s = json!({"type": "string"});
    let all_of_one = json!({"allOf": [{"type": "object"}]});
    let all_of_two = json!({"allOf": [{"type": "object"},
        {"type": "object", "properties": {"x": {"type": "string"}}}]});
    let one_of_one = json!({"oneOf": [{"type": "string"}]});
    let one_of_two = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
    vec![
        ("type-changed", s.clone(), json!({"type": "integer"}), B, B),
        (
            "enum-value-added",
            json!({"type": "string", "enum": ["a"]}),
            json!({"type": "string", "enum": ["a", "b"]}),
            N,
            B,
        ),
        (
            "enum-value-removed",
            json!({"type": "string", "enum": ["a", "b"]}),
            json!({"type": "string", "enum": ["a"]}),
            B,
            N,
        ),
        (
            "became-nullable",
            s.clone(),
            json!({"type": "string", "nullable": true}),
            N,
            B,
        ),
        (
            "became-not-nullable",
            json!({"type": "string", "nullable": true}),
            s.clone(),
            B,
            N,
        ),
        (
            "deprecated",
            s.clone(),
            json!({"type": "string", "deprecated": true}),
            I,
            I,
        ),
        (
            "deprecation-removed",
            json!({"type": "string", "deprecated": true}),
            s,
            I,
            I,
        ),
        (
            "variant-added",
            one_of_one.clone(),
            one_of_two.clone(),
            N,
            B,
        ),
        ("variant-removed", one_of_two, one_of_one, B, N),
        ("all-of-added", all_of_one.clone(), all_of_two.clone(), B, N),
        ("all-of-removed", all_of_two, all_of_one, N, B),
        (
            "constraint-tightened",
            json!({"type": "string", "maxLength": 64}),
            json!({"type": "string", "maxLength": 32}),
            B,
            N,
        ),
        (
            "constraint-loosened",
            json!({"type": "string", "maxLength": 32}),
            json!({"type": "string"}),
            N,
            B,
        ),
        (
            "discriminator-changed",
            tagged("kind"),
            tagged("type"),
            B,
            B,
        ),
    ]
}

fn schema_scenarios() -> Vec<(String, Scenario)> {
    let mut out = Vec::new();
    for (prefix, request) in PLACES {
        for (suffix, old, new, request_severity, response_severity) in mutations() {
            let id: &'static str = Box::leak(format!("{prefix}-{suffix}").into_boxed_str());
            let severity = if request {
                request_severity
            } else {
                response_severity
            };
            out.push((
                id.to_owned(),
                scenario(
                    placed(prefix, old),
                    placed(prefix, new),
                    vec![(id, severity, Some("op"))],
                ),
            ));
        }
    }
    out
}

#[test]
fn schema_rules_in_every_place_and_direction() {
    for (id, s) in schema_scenarios() {
        let report = run(&s);
        let change = &report.changes[0];
        assert_eq!(change.id, id);
        if id.ends_with("enum-value-added") || id.ends_with("constraint-loosened") {
            assert_eq!(
                change.sdk_note.is_some(),
                id.starts_with("response"),
                "{id}"
            );
        }
        if id.contains("-constraint-") {
            assert!(change.path.ends_with("/maxLength"), "{id}: {}", change.path);
            assert!(change.message.starts_with("`maxLength` of "), "{id}");
        }
        if id.ends_with("discriminator-changed") {
            assert!(
                change.path.ends_with("/discriminator"),
                "{id}: {}",
                change.path
            );
        }
    }
}

#[test]
fn every_rule_has_a_scenario() {
    let mut covered: BTreeSet<String> = ALL
        .iter()
        .flat_map(|s| s().expect.into_iter().map(|(id, _, _)| id.to_owned()))
        .collect();
    covered.extend(schema_scenarios().into_iter().map(|(id, _)| id));
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !covered.contains(*id))
        .collect();
    assert!(missing.is_empty(), "rules without a scenario: {missing:?}");
    let unknown: Vec<&String> = covered
        .iter()
        .filter(|id| spec_diff::rule(id).is_none())
        .collect();
    assert!(unknown.is_empty(), "ids not in the catalogue: {unknown:?}");
}

// ---------------------------------------------------------------- details

#[test]
fn sdk_notes_where_wire_and_sdk_disagree() {
    let report = run(&operation_id_changed());
    let note = sdk_note(&report, "operation-id-changed").unwrap();
    assert!(note.contains("wire request is unchanged"), "{note}");
    assert!(note.contains("`listA` -> `listAll`"), "{note}");

    let report = run(&path_parameter_renamed());
    let change = &report.changes[0];
    assert_eq!(
        change.path,
        "GET /v1/organizations/{organizationSlug}/databases parameters/path/organizationSlug"
    );
    assert!(change.message.contains("`organizationName`"));
    let note = change.sdk_note.as_deref().unwrap();
    assert!(note.contains("wire request is unchanged"), "{note}");

    let report = run(&response_property_became_required());
    assert!(sdk_note(&report, "response-property-became-required").is_some());

    let report = run(&request_property_added());
    assert!(report.changes.iter().all(|c| c.sdk_note.is_none()));

    // Optional on the wire, a compile error for callers of the generated builder.
    let report = run(&request_property_became_optional());
    let note = sdk_note(&report, "request-property-became-optional").unwrap();
    assert!(note.contains("TryInto<Option<T>>"), "{note}");

    let report = run(&path_parameter_declared());
    assert_eq!(
        report.changes[0].path,
        "GET /v1/dbs/{db} parameters/path/db"
    );
    assert!(report.changes[0].message.contains("already in the URL"));
}

#[test]
fn paths_locate_changes_inside_operations() {
    let report = run(&request_property_type_changed_deep());
    assert_eq!(
        report.changes[0].path,
        "POST /v1/dbs requestBody/content/application~1json/schema/properties/seed/properties/timestamps/items"
    );
    let report = run(&operation_path_changed());
    assert_eq!(report.changes[0].path, "GET /v2/a");
    assert!(report.changes[0].message.contains("/v1/a"));
    let report = run(&security_added());
    assert_eq!(report.changes[0].path, "security");
    let report = run(&unresolved_ref());
    assert_eq!(
        report.changes[0].path,
        "GET /v1/dbs responses/200/content/application~1json/schema"
    );
    assert!(
        report.changes[0]
            .message
            .contains("#/components/schemas/Missing")
    );
    assert!(report.changes[0].message.contains("new document"));
}

/// (id, path, message) of every change, in report order.
fn located(report: &Report) -> Vec<(&str, &str, &str)> {
    report
        .changes
        .iter()
        .map(|c| (c.id.as_str(), c.path.as_str(), c.message.as_str()))
        .collect()
}

#[test]
fn constraint_changes_name_keyword_values_and_path() {
    const NAME: &str = "POST /v1/dbs requestBody/content/application~1json/schema/properties/name";
    let report = run(&request_property_constraints_each_reported());
    assert_eq!(
        located(&report),
        [
            (
                "request-property-constraint-tightened",
                format!("{NAME}/maxLength").as_str(),
                "`maxLength` of property `name` lowered from 64 to 32"
            ),
            (
                "request-property-constraint-tightened",
                format!("{NAME}/minLength").as_str(),
                "`minLength` of property `name` raised from 1 to 3"
            ),
            (
                "request-property-constraint-tightened",
                format!("{NAME}/pattern").as_str(),
                "`pattern` of property `name` changed from `^[a-z]+$` to `^[a-z0-9-]+$`"
            ),
        ]
    );
    assert!(report.changes.iter().all(|c| c.sdk_note.is_none()));

    let report = run(&request_parameter_maximum_became_exclusive());
    assert_eq!(
        located(&report),
        [(
            "request-parameter-constraint-tightened",
            "GET /v1/dbs parameters/query/limit/schema/maximum",
            "`maximum` of query parameter `limit` became exclusive (100)"
        )]
    );

    let report = run(&response_pattern_changed());
    let change = &report.changes[0];
    assert_eq!(
        change.path,
        "GET /v1/dbs responses/200/content/application~1json/schema/properties/hostname/pattern"
    );
    assert!(
        change
            .message
            .starts_with("`pattern` of property `hostname` changed from")
    );
    let note = change.sdk_note.as_deref().unwrap_or_default();
    assert!(note.contains("validating newtypes"), "{note}");
}

#[test]
fn constraint_severity_follows_direction_in_a_shared_schema() {
    let report = run(&constraint_loosened_in_shared_schema());
    let by_id = |id: &str| {
        report
            .changes
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    let request = by_id("request-property-constraint-loosened");
    assert_eq!(request.severity, N);
    assert_eq!(
        request.path,
        "PATCH /v1/dbs/{name} requestBody/content/application~1json/schema/properties/name/maxLength"
    );
    assert_eq!(
        request.message,
        "`maxLength` of property `name` raised from 32 to 64"
    );
    assert!(request.sdk_note.is_none());
    let response = by_id("response-property-constraint-loosened");
    assert_eq!(response.severity, B);
    assert_eq!(
        response.path,
        "PATCH /v1/dbs/{name} responses/200/content/application~1json/schema/properties/name/maxLength"
    );
    assert!(response.sdk_note.is_some());
}

#[test]
fn access_flags_are_located_at_the_property() {
    let report = run(&access_flags_matter_in_their_direction_only());
    assert_eq!(
        located(&report),
        [
            (
                "request-property-became-read-only",
                "PATCH /v1/dbs/{name} requestBody/content/application~1json/schema/properties/id",
                "property `id` became `readOnly`: the server no longer accepts it in requests"
            ),
            (
                "response-property-became-write-only",
                "PATCH /v1/dbs/{name} responses/200/content/application~1json/schema/properties/token",
                "property `token` became `writeOnly`: the server no longer sends it"
            ),
        ]
    );
}

#[test]
fn discriminator_changes_are_located_at_the_keyword() {
    let report = run(&response_discriminator_changed());
    assert_eq!(
        located(&report),
        [(
            "response-body-discriminator-changed",
            "GET /v1/dbs responses/200/content/application~1json/schema/discriminator",
            "`discriminator.propertyName` of the `200` response body changed from `type` to `kind`"
        )]
    );
    let removed = {
        let mut untagged = tagged("kind");
        if let Some(map) = untagged.as_object_mut() {
            map.remove("discriminator");
        }
        run(&scenario(
            placed("request-body", tagged("kind")),
            placed("request-body", untagged),
            vec![("request-body-discriminator-changed", B, Some("op"))],
        ))
    };
    assert_eq!(
        removed.changes[0].message,
        "`discriminator.propertyName` `kind` was removed from the request body"
    );
}

#[test]
fn recursive_schemas_terminate_and_report_each_level_once() {
    let components = |leaf: &str| {
        json!({"schemas": {"Tree": {"type": "object", "properties": {
            "leaf": {"type": leaf},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}
        }}}})
    };
    let paths = json!({"/v1/tree": {"get": {"operationId": "getTree",
        "responses": response(json!({"$ref": "#/components/schemas/Tree"}))}}});
    let report = run(&scenario(
        doc_with(paths.clone(), components("string")),
        doc_with(paths, components("integer")),
        vec![("response-property-type-changed", B, Some("getTree"))],
    ));
    assert_eq!(
        report.changes[0].path,
        "GET /v1/tree responses/200/content/application~1json/schema/properties/leaf"
    );
}

#[test]
fn odd_input_never_panics() {
    let odd = [
        Value::Null,
        json!(1),
        json!("openapi"),
        json!([]),
        json!({"paths": []}),
        json!({"paths": {"/a": 5}}),
        json!({"paths": {"/a": {"get": 5, "post": [], "parameters": 7}}}),
        json!({"paths": {"/a/{": {"get": {"parameters": 5, "requestBody": [], "responses": "x"}}}}),
        json!({"paths": {"/a": {"get": {
            "operationId": 5,
            "parameters": [5, {"$ref": 5}, {"name": 1}, {"$ref": "#/nope"}, {"name": "q", "in": "query", "schema": 3}],
            "requestBody": {"content": {"application/json": {"schema": {"properties": 4, "required": "x", "items": [], "allOf": {}}}}},
            "responses": {"200": 5, "404": {"content": []}, "500": {"$ref": "#/components/responses/X"}},
            "security": {"a": 1}
        }}}, "security": "x", "components": {"schemas": []}}),
        json!({"paths": {"/a": {"$ref": "#/paths/~1a"}}}),
        json!({"paths": {"/a": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {
                "properties": {"x": {"readOnly": "yes", "writeOnly": 1, "maxLength": "8", "pattern": [],
                    "minimum": {}, "exclusiveMinimum": "no", "multipleOf": "2", "uniqueItems": 0}},
                "discriminator": 5, "oneOf": []}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {
                "properties": {"x": {"$ref": "#/nope", "writeOnly": true}},
                "discriminator": {"propertyName": 7}, "maxItems": -1, "minItems": 1e300}}}}}
        }}}}),
        json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"type": "object", "properties": {"x": {"$ref": "#/paths/~1a/get/responses/200/content/application~1json/schema"}},
                "enum": 5, "nullable": "yes", "deprecated": 1, "oneOf": [1, null], "additionalProperties": {"$ref": "#"}}
        }}}}}}}}),
    ];
    for old in &odd {
        for new in &odd {
            let report = diff(old, new);
            let _ = report.to_json();
            let _ = report.render_text();
        }
    }
}

#[test]
fn identical_documents_have_no_changes() {
    for make in ALL {
        let s = make();
        if s.expect.iter().any(|(id, _, _)| *id == "unresolved-ref") {
            continue;
        }
        assert!(diff(&s.old, &s.old).is_empty());
        assert!(diff(&s.new, &s.new).is_empty());
    }
}
