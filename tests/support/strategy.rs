//! proptest strategies that generate JSON values from an OpenAPI 3.0 schema
//! of the effective spec: any value they produce is valid for that schema.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::schema::{properties, required_of, resolve};

/// Values valid for `schema` (optional properties present or not, nullable
/// values sometimes null, enums from their values).
pub fn value_for(spec: &Value, schema: &Value) -> BoxedStrategy<Value> {
    strategy(spec, schema, 0)
}

fn strategy(spec: &Value, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    let schema = resolve(spec, schema).clone();
    let inner = non_null(spec, &schema, depth);
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        prop_oneof![1 => Just(Value::Null), 4 => inner].boxed()
    } else {
        inner
    }
}

fn non_null(spec: &Value, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return proptest::sample::select(values.clone()).boxed();
    }
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        let options: Vec<BoxedStrategy<Value>> = variants
            .iter()
            .map(|v| strategy(spec, v, depth + 1))
            .collect();
        return proptest::strategy::Union::new(options).boxed();
    }
    let props = properties(spec, schema);
    if !props.is_empty() && depth < 8 {
        let required = required_of(schema);
        let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = props
            .into_iter()
            .map(|(name, prop)| {
                let name = name.clone();
                let value = strategy(spec, prop, depth + 1);
                if required.contains(&name) {
                    value.prop_map(move |v| Some((name.clone(), v))).boxed()
                } else {
                    proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
                }
            })
            .collect();
        return fields
            .prop_map(|fields| {
                Value::Object(fields.into_iter().flatten().collect::<Map<String, Value>>())
            })
            .boxed();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") if depth < 8 => {
            let items = schema
                .get("items")
                .cloned()
                .unwrap_or(Value::Object(Map::new()));
            proptest::collection::vec(strategy(spec, &items, depth + 1), 0..4)
                .prop_map(Value::Array)
                .boxed()
        }
        Some("object") => match schema.get("additionalProperties").filter(|a| a.is_object()) {
            Some(extra) => proptest::collection::btree_map(
                "[a-z-]{1,12}",
                strategy(spec, extra, depth + 1),
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect()))
            .boxed(),
            None => Just(Value::Object(Map::new())).boxed(),
        },
        Some("integer") => any::<i64>().prop_map(Value::from).boxed(),
        Some("number") => (-1e9f64..1e9).prop_map(Value::from).boxed(),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => (0i64..4_102_444_800)
                .prop_map(|secs| {
                    let t = chrono::DateTime::from_timestamp(secs, 0).expect("in range");
                    Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                })
                .boxed(),
            _ => ".{0,24}".prop_map(Value::String).boxed(),
        },
        _ => Just(Value::Null).boxed(),
    }
}
