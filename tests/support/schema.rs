//! Walking the effective spec's schemas: resolving references, building
//! sample bodies from the spec's own examples, and projecting a value onto
//! the properties a schema declares.

use serde_json::{Map, Value};
pub use xtask::surface::{properties_of as properties, required_of, resolve};

/// A value built only from the `example`s the spec gives for `schema` and
/// everything under it; `None` when nothing under it has an example.
pub fn sample_from_examples(spec: &Value, schema: &Value) -> Option<Value> {
    sample(spec, schema, 0)
}

fn sample(spec: &Value, schema: &Value, depth: usize) -> Option<Value> {
    if depth > 16 {
        return None;
    }
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    let resolved = resolve(spec, schema);
    if !std::ptr::eq(resolved, schema) {
        return sample(spec, resolved, depth + 1);
    }
    let props = properties(spec, schema);
    if !props.is_empty() {
        let required = required_of(schema);
        let mut any_example = false;
        let object: Map<String, Value> = props
            .into_iter()
            .filter_map(|(name, prop)| match sample(spec, prop, depth + 1) {
                Some(v) => {
                    any_example = true;
                    Some((name.clone(), v))
                }
                // Some required properties have no example upstream; a
                // placeholder of the right type keeps the rest checkable.
                None if required.contains(name) => Some((name.clone(), placeholder(spec, prop))),
                None => None,
            })
            .collect();
        return any_example.then_some(Value::Object(object));
    }
    if let Some(items) = schema.get("items") {
        return sample(spec, items, depth + 1).map(|item| Value::Array(vec![item]));
    }
    None
}

fn placeholder(spec: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") | Some("number") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => Value::Object(Map::new()),
        _ => Value::String("placeholder".into()),
    }
}

/// `value` with every object key the schema does not declare removed, at
/// every depth: what a faithful decode-then-encode must give back.
pub fn project(spec: &Value, schema: &Value, value: &Value) -> Value {
    let schema = resolve(spec, schema);
    match value {
        Value::Object(map) => {
            let props = properties(spec, schema);
            if props.is_empty() {
                if let Some(extra) = schema.get("additionalProperties").filter(|e| e.is_object()) {
                    return Value::Object(
                        map.iter()
                            .map(|(k, v)| (k.clone(), project(spec, extra, v)))
                            .collect(),
                    );
                }
                return value.clone();
            }
            Value::Object(
                map.iter()
                    .filter_map(|(k, v)| {
                        let (_, prop) = props.iter().find(|(name, _)| *name == k)?;
                        Some((k.clone(), project(spec, prop, v)))
                    })
                    .collect(),
            )
        }
        Value::Array(items) => match schema.get("items") {
            Some(item_schema) => Value::Array(
                items
                    .iter()
                    .map(|v| project(spec, item_schema, v))
                    .collect(),
            ),
            None => value.clone(),
        },
        _ => value.clone(),
    }
}

/// The success schema and generated type name of every operation:
/// (operationId, schema of the 2xx JSON body, Rust type name without `types::`).
pub fn success_bodies(spec: &Value) -> Vec<(String, Value, String)> {
    let source = std::fs::read_to_string(
        crate::workspace_root().join("crates/turso-platform-generated/src/generated.rs"),
    )
    .expect("generated.rs is committed");
    let surface = xtask::surface::describe(spec, &source);
    surface
        .operations
        .iter()
        .filter_map(|op| {
            let responses =
                spec["paths"][&op.path][op.method.to_lowercase()]["responses"].as_object()?;
            let (_, ok) = responses
                .iter()
                .find(|(status, _)| status.starts_with('2'))?;
            let media = ok.pointer("/content/application~1json")?;
            let ty = op.success_type.strip_prefix("types::")?.to_string();
            let mut schema = media.get("schema")?.clone();
            if let Some(example) = media.get("example") {
                // A media-type example documents the whole body.
                schema["x-media-example"] = example.clone();
            }
            Some((op.operation_id.clone(), schema, ty))
        })
        .collect()
}

/// `value` with object entries that are `null`, `[]` or `{}` (after the
/// same treatment) dropped, at every depth. The generated types encode
/// "absent", `null` and "empty" the same way, so a round trip is compared
/// modulo this.
pub fn without_empty(value: &Value) -> Value {
    let is_empty = |v: &Value| {
        v.is_null()
            || v.as_array().is_some_and(Vec::is_empty)
            || v.as_object().is_some_and(Map::is_empty)
    };
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), without_empty(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_empty).collect()),
        other => other.clone(),
    }
}
