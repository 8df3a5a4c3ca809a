//! Structural normalisations that an overlay cannot express generically.
//!
//! Each is a named step listed in `spec/apis.toml`. Like an overlay action, a
//! step that finds nothing to do is an error: it means upstream changed, and
//! the step should be reviewed and removed.

use serde_json::Value;

use crate::{Error, Result};

/// A normalisation: changes the document and says how many places it changed.
pub type Step = fn(&mut Value) -> std::result::Result<usize, String>;

/// Every known normalisation, by the name used in the manifest.
pub const STEPS: &[(&str, Step)] = &[("inline-property-refs", inline_property_refs)];

/// Runs the named step on `doc`.
pub fn run(name: &str, doc: &mut Value) -> Result<()> {
    let (_, step) = STEPS
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| Error::Patch {
            patch: name.to_string(),
            step: "normalisation".into(),
            message: format!(
                "unknown normalisation; known: {}",
                STEPS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ),
        })?;
    match step(doc) {
        Ok(0) => Err(Error::Patch {
            patch: name.to_string(),
            step: "normalisation".into(),
            message: "found nothing to normalise: upstream may have fixed this; remove the step \
                      from spec/apis.toml"
                .into(),
        }),
        Ok(_) => Ok(()),
        Err(message) => Err(Error::Patch {
            patch: name.to_string(),
            step: "normalisation".into(),
            message,
        }),
    }
}

/// Replaces every `$ref` that points inside another schema's `properties`
/// (`#/components/schemas/Database/properties/Name`) by a copy of what it
/// points at. progenitor/typify only follows references to whole components
/// and panics on these. Sibling keys of the `$ref` (a local `description`)
/// are kept on top of the copy. Returns how many references were inlined.
pub fn inline_property_refs(doc: &mut Value) -> std::result::Result<usize, String> {
    let original = doc.clone();
    let mut count = 0;
    inline_in(doc, &original, &mut count)?;
    Ok(count)
}

fn inline_in(node: &mut Value, root: &Value, count: &mut usize) -> std::result::Result<(), String> {
    match node {
        Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(Value::as_str)
                .filter(|r| r.starts_with("#/components/schemas/") && r.contains("/properties/"))
                .map(str::to_string);
            if let Some(reference) = target {
                let pointer = reference.trim_start_matches('#');
                let mut replacement = root
                    .pointer(pointer)
                    .cloned()
                    .ok_or_else(|| format!("`{reference}` points at nothing"))?;
                if let Value::Object(inlined) = &mut replacement {
                    for (k, v) in map.iter().filter(|(k, _)| *k != "$ref") {
                        inlined.insert(k.clone(), v.clone());
                    }
                }
                *node = replacement;
                *count += 1;
                // The copy may itself hold such references.
                return inline_in(node, root, count);
            }
            for value in map.values_mut() {
                inline_in(value, root, count)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| inline_in(v, root, count)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inlines_property_refs_keeping_local_siblings() {
        let mut doc = json!({"components": {"schemas": {
            "A": {"properties": {"id": {"type": "string", "example": "x"}}},
            "B": {"properties": {"id": {"$ref": "#/components/schemas/A/properties/id", "description": "local"}}},
            "C": {"$ref": "#/components/schemas/A"}
        }}});
        assert_eq!(inline_property_refs(&mut doc).unwrap(), 1);
        assert_eq!(
            doc["components"]["schemas"]["B"]["properties"]["id"],
            json!({"type": "string", "example": "x", "description": "local"})
        );
        assert_eq!(
            doc["components"]["schemas"]["C"],
            json!({"$ref": "#/components/schemas/A"})
        );
    }

    #[test]
    fn a_step_with_nothing_to_do_fails_loudly() {
        let err = run("inline-property-refs", &mut json!({"paths": {}}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("found nothing to normalise"), "{err}");
    }

    #[test]
    fn a_dangling_reference_is_reported() {
        let mut doc = json!({"x": {"$ref": "#/components/schemas/A/properties/missing"}});
        let err = inline_property_refs(&mut doc).unwrap_err();
        assert!(err.contains("points at nothing"), "{err}");
    }
}
