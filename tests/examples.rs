//! Every `example` in the effective spec (schemas, properties, responses)
//! decodes into its generated type and survives a round trip.

use serde_json::Value;
use turso_platform_contract_tests::effective_spec;
use turso_platform_contract_tests::schema::{
    project, sample_from_examples, success_bodies, without_empty,
};
use turso_platform_generated::round_trip;

/// Decodes `value` as `type_name`, encodes it again, and checks nothing the
/// schema declares was lost or changed.
fn assert_round_trip(spec: &Value, schema: &Value, type_name: &str, value: Value, what: &str) {
    let back = round_trip(type_name, value.clone())
        .unwrap_or_else(|| panic!("{what}: no generated type named {type_name}"))
        .unwrap_or_else(|e| {
            panic!("{what}: example does not decode into {type_name}: {e}\n{value:#}")
        });
    let expected = project(spec, schema, &value);
    assert_eq!(
        without_empty(&back),
        without_empty(&expected),
        "{what}: {type_name} round trip changed the example"
    );
}

#[test]
fn component_schema_and_property_examples_round_trip() {
    let spec = effective_spec();
    let mut checked = 0;
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        // `Extensions` is a oneOf without examples of its own; nothing to check.
        let Some(sample) = sample_from_examples(&spec, schema) else {
            continue;
        };
        // typify names types in UpperCamelCase (`APIToken` becomes `ApiToken`).
        let type_name = heck::ToUpperCamelCase::to_upper_camel_case(name.as_str());
        assert_round_trip(
            &spec,
            schema,
            &type_name,
            sample,
            &format!("components.schemas.{name}"),
        );
        checked += 1;
    }
    assert!(
        checked >= 15,
        "only {checked} component schemas carry examples"
    );
}

#[test]
fn response_examples_round_trip_through_each_operations_success_type() {
    let spec = effective_spec();
    let mut checked = 0;
    for (operation, schema, type_name) in success_bodies(&spec) {
        if let Some(example) = schema.get("x-media-example") {
            assert_round_trip(
                &spec,
                &schema,
                &type_name,
                example.clone(),
                &format!("{operation} response example"),
            );
            checked += 1;
        }
        if let Some(sample) = sample_from_examples(&spec, &schema) {
            assert_round_trip(
                &spec,
                &schema,
                &type_name,
                sample,
                &format!("{operation} property examples"),
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 40,
        "only {checked} response bodies carry examples"
    );
}

#[test]
fn the_error_example_decodes_as_the_shared_error_type() {
    let spec = effective_spec();
    let schema = &spec["components"]["schemas"]["ErrorResponse"];
    let example = serde_json::json!({"error": schema["properties"]["error"]["example"]});
    assert_round_trip(&spec, schema, "ErrorResponse", example, "ErrorResponse");
}
