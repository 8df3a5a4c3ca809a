//! The generated client against the spec it came from. Its API surface and
//! the JSON Schema of every generated type are reviewed snapshots (a change
//! fails until accepted with `cargo insta review`); every example in the spec
//! decodes into its generated type and survives a round trip; every operation
//! answers its documented errors with the one `Error` type.

use serde_json::Value;

const GENERATED: &str = include_str!("../src/generated.rs");

fn spec() -> Value {
    serde_json::from_str(databases_api_generated::EFFECTIVE_SPEC_JSON)
        .expect("openapi.json is JSON")
}

#[test]
fn api_surface() {
    let surface = xtask::surface::describe(&spec(), GENERATED);
    insta::assert_yaml_snapshot!("api_surface", surface);
}

#[test]
fn generated_type_schemas() {
    let schemas: serde_json::Map<String, Value> = databases_api_generated::type_schemas()
        .into_iter()
        .map(|(name, schema)| (name.to_string(), schema.to_value()))
        .collect();
    insta::assert_json_snapshot!("generated_type_schemas", schemas);
}

#[test]
fn the_five_operations_answer_errors_with_the_error_type() {
    let surface = xtask::surface::describe(&spec(), GENERATED);
    let ids: Vec<&str> = surface
        .operations
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "listDatabases",
            "createDatabase",
            "getDatabase",
            "deleteDatabase",
            "getDatabaseCredentials"
        ]
    );
    for op in &surface.operations {
        assert_eq!(op.error_type, "types::Error", "{}", op.operation_id);
    }
}

/// Decodes `value` as `type_name` and encodes it again; the result must be
/// the example (defaults the decoding fills in aside).
fn assert_round_trips(type_name: &str, value: &Value, what: &str) {
    let back = databases_api_generated::round_trip(type_name, value.clone())
        .unwrap_or_else(|| panic!("{what}: no generated type named {type_name}"))
        .unwrap_or_else(|e| panic!("{what}: does not decode into {type_name}: {e}\n{value:#}"));
    let Value::Object(example) = value else {
        assert_eq!(&back, value, "{what}");
        return;
    };
    for (key, expected) in example {
        assert_eq!(
            back.get(key),
            Some(expected),
            "{what}: `{key}` changed in the round trip"
        );
    }
}

/// The generated type of a `$ref` schema (typify keeps component names).
fn referenced(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.rsplit('/').next()
}

/// Every example of a media object whose schema is a component: `example`,
/// and `examples.*.value`.
fn media_examples(media: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let Some(type_name) = media.get("schema").and_then(referenced) else {
        return out;
    };
    if let Some(example) = media.get("example") {
        out.push((type_name.to_string(), example));
    }
    for named in media
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(value) = named.1.get("value") {
            out.push((type_name.to_string(), value));
        }
    }
    out
}

#[test]
fn every_example_round_trips_through_its_generated_type() {
    let spec = spec();
    let mut checked = 0;
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            assert_round_trips(name, example, &format!("components.schemas.{name}"));
            checked += 1;
        }
    }
    let mut media = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(op) = op.as_object() else { continue };
            let what = format!("{} {path}", method.to_uppercase());
            if let Some(body) = op.get("requestBody") {
                media.push((what.clone(), &body["content"]["application/json"]));
            }
            for (status, response) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                media.push((
                    format!("{what} {status}"),
                    &response["content"]["application/json"],
                ));
            }
        }
    }
    for (_, response) in spec["components"]["responses"].as_object().unwrap() {
        media.push((
            "a shared response".into(),
            &response["content"]["application/json"],
        ));
    }
    for (what, media) in media {
        for (type_name, example) in media_examples(media) {
            assert_round_trips(&type_name, example, &what);
            checked += 1;
        }
    }
    // The list's example is an array of `Database`s, which has no component.
    let list = &spec["paths"]["/api/v1/databases"]["get"]["responses"]["200"]["content"]["application/json"];
    for item in list["example"].as_array().unwrap() {
        assert_round_trips("Database", item, "GET /api/v1/databases 200");
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} examples were checked");
}

#[test]
fn credentials_need_only_host_and_port() {
    use databases_api_generated::types::Credentials;
    let spec = spec();
    let examples = &spec["paths"]["/api/v1/databases/{id}/credentials"]["get"]["responses"]["200"]
        ["content"]["application/json"]["examples"];
    for (engine, example) in examples.as_object().unwrap() {
        let decoded: Credentials = serde_json::from_value(example["value"].clone())
            .unwrap_or_else(|e| panic!("the {engine} example: {e}"));
        assert_eq!(
            Some(&decoded.host),
            example["value"]["host"]
                .as_str()
                .map(str::to_string)
                .as_ref()
        );
    }
    // The page's PostgreSQL and Redis examples name no engine.
    assert!(examples["postgresql"]["value"].get("db_type").is_none());
    assert!(examples["redis"]["value"].get("db_type").is_none());
    let bare: Credentials =
        serde_json::from_value(serde_json::json!({"host": "h", "port": 1})).unwrap();
    assert!(bare.db_type.is_none() && bare.password.is_none() && bare.connection_string.is_none());
    assert!(serde_json::from_value::<Credentials>(serde_json::json!({"host": "h"})).is_err());
}

/// The schema `schema` refers to, or itself.
fn resolved<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match referenced(schema) {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

#[test]
fn answers_state_no_pattern_bound_or_closed_enum() {
    let spec = spec();
    for answer in ["Database", "CreatedDatabase", "Credentials"] {
        let schema = &spec["components"]["schemas"][answer];
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let identity: &[&str] = if answer == "Credentials" {
            &["host", "port"]
        } else {
            &["id", "name"]
        };
        assert_eq!(required, identity, "{answer} requires only its identity");
        for (field, property) in schema["properties"].as_object().unwrap() {
            let property = resolved(&spec, property);
            for rule in [
                "pattern",
                "minLength",
                "maxLength",
                "minimum",
                "maximum",
                "enum",
            ] {
                assert!(
                    property.get(rule).is_none(),
                    "{answer}.{field} states `{rule}`, which only requests may"
                );
            }
            // Open vocabularies: one of the known values, or another string.
            if let Some(branches) = property.get("oneOf").and_then(Value::as_array) {
                assert!(
                    branches.iter().any(|b| b.get("not").is_some()),
                    "{answer}.{field} is a closed oneOf"
                );
            }
        }
    }
    // Requests keep them.
    let create = &spec["components"]["schemas"]["CreateDatabase"]["properties"];
    assert!(resolved(&spec, &create["name"]).get("pattern").is_some());
    assert!(create["storage_gb"].get("minimum").is_some());
}

#[test]
fn delete_succeeds_with_200_202_or_204_and_no_body() {
    let spec = spec();
    let responses = &spec["paths"]["/api/v1/databases/{id}"]["delete"]["responses"];
    for status in ["200", "202", "204"] {
        assert!(responses.get(status).is_some(), "{status}");
        assert!(
            responses[status].get("content").is_none(),
            "{status} has no body"
        );
    }
}
