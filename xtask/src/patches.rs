//! The patches, applied strictly: named normalisations, then OpenAPI
//! Overlay 1.0 documents.
//!
//! A normalisation is a structural step an overlay cannot express generically,
//! listed by name in `spec/apis.toml`. An overlay action selects nodes with an
//! RFC 9535 JSONPath `target` and either merges `update` into them or removes
//! them. Unlike a lenient overlay tool, a step that finds nothing to do, an
//! action whose target matches nothing and an action that changes nothing are
//! errors naming the step or action: our patches correct upstream defects, and
//! a defect fixed upstream must force its patch out rather than let it linger
//! or silently patch something else.
//!
//! Merge rules (Overlay 1.0): an object `update` is merged recursively into an
//! object target (objects merge, other values replace); an update to an array
//! target appends (each element of an array `update`, or the value itself),
//! except elements the array already holds, so that a fix upstream already
//! made shows as an action that changes nothing.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::{Error, Result};

/// A normalisation: changes the document and says how many places it changed.
pub type Step = fn(&mut Value) -> std::result::Result<usize, String>;

/// Every known normalisation, by the name used in the manifest.
pub const STEPS: &[(&str, Step)] = &[("inline-property-refs", inline_property_refs)];

/// Runs the named step on `doc`.
pub fn normalise(name: &str, doc: &mut Value) -> Result<()> {
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

/// An Overlay document.
#[derive(Debug, Clone, Deserialize)]
pub struct Overlay {
    /// The Overlay specification version; must be 1.0.x.
    pub overlay: String,
    /// Title and version of this overlay.
    pub info: OverlayInfo,
    /// The actions, applied in order.
    pub actions: Vec<Action>,
}

/// The `info` object of an overlay.
#[derive(Debug, Clone, Deserialize)]
pub struct OverlayInfo {
    /// What this overlay corrects.
    pub title: String,
    /// The overlay's own version.
    pub version: String,
    /// Why (optional).
    #[serde(default)]
    pub description: Option<String>,
}

/// One action of an overlay (serialised the way it is written in a patch).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Action {
    /// RFC 9535 JSONPath selecting the nodes to change.
    pub target: String,
    /// Which upstream defect this action corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value merged into each selected node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<Value>,
    /// Remove the selected nodes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove: bool,
}

/// Why an action did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The target matches nothing.
    NoMatch,
    /// The target matches, but applying the action changes nothing.
    NoChange,
    /// The action itself is malformed (bad JSONPath, update and remove, ...).
    Invalid(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NoMatch => f.write_str(
                "its target matches nothing: the defect it corrects may be fixed upstream, or \
                 its target moved; check and remove or re-target the action \
                 (`cargo xtask update-spec` tells which)",
            ),
            Failure::NoChange => f.write_str(
                "its target matches, but applying it changes nothing: the defect it corrects \
                 is gone upstream; remove the action",
            ),
            Failure::Invalid(message) => f.write_str(message),
        }
    }
}

impl Overlay {
    /// Reads and validates an overlay document.
    pub fn load(path: &Path) -> Result<Self> {
        let value = crate::spec_file::load_document(path)?;
        let overlay: Overlay = serde_json::from_value(value).map_err(|e| Error::parse(path, e))?;
        if !overlay.overlay.starts_with("1.0") {
            return Err(Error::parse(
                path,
                format!(
                    "overlay version {} is not supported (1.0.x only)",
                    overlay.overlay
                ),
            ));
        }
        Ok(overlay)
    }

    /// Applies every action in order to `doc`, stopping at the first that
    /// fails. `name` identifies the overlay in errors.
    pub fn apply(&self, name: &str, doc: &mut Value) -> Result<()> {
        match self.apply_collecting(name, doc).into_iter().next() {
            Some(first) => Err(first),
            None => Ok(()),
        }
    }

    /// Applies every action that applies, in order, and returns one error per
    /// action that does not (so `update-spec` can report them all at once).
    pub fn apply_collecting(&self, name: &str, doc: &mut Value) -> Vec<Error> {
        let mut errors = Vec::new();
        for (index, action) in self.actions.iter().enumerate() {
            if let Err(failure) = action.apply(doc) {
                errors.push(Error::Patch {
                    patch: name.to_string(),
                    step: action.label(index),
                    message: failure.to_string(),
                });
            }
        }
        errors
    }
}

impl Action {
    /// "action 2 (Defect: ...)" for error messages; `index` counts from 0.
    pub fn label(&self, index: usize) -> String {
        match &self.description {
            Some(d) => format!("action {} ({})", index + 1, d.trim()),
            None => format!("action {}", index + 1),
        }
    }

    /// Applies this action to `doc`. On failure `doc` is left unchanged.
    pub fn apply(&self, doc: &mut Value) -> std::result::Result<(), Failure> {
        let path = JsonPath::parse(&self.target).map_err(|e| {
            Failure::Invalid(format!(
                "target `{}` is not valid JSONPath: {e}",
                self.target
            ))
        })?;
        let mut pointers: Vec<Vec<Segment>> = path
            .query_located(doc)
            .locations()
            .map(|loc| {
                loc.iter()
                    .map(|el| match el {
                        serde_json_path::PathElement::Name(n) => Segment::Name(n.to_string()),
                        serde_json_path::PathElement::Index(i) => Segment::Index(*i),
                    })
                    .collect()
            })
            .collect();
        if pointers.is_empty() {
            return Err(Failure::NoMatch);
        }
        match (&self.update, self.remove) {
            (Some(_), true) => Err(Failure::Invalid(
                "an action may not both update and remove".to_string(),
            )),
            (None, false) => Err(Failure::Invalid(
                "an action must either update or remove".to_string(),
            )),
            (None, true) => {
                // Remove from the end so earlier array indices stay valid.
                pointers.sort();
                let mut changed = doc.clone();
                for location in pointers.iter().rev() {
                    remove_at(&mut changed, location).map_err(Failure::Invalid)?;
                }
                *doc = changed;
                Ok(())
            }
            (Some(update), false) => {
                let mut changed = doc.clone();
                let mut any = false;
                for location in &pointers {
                    let node = node_mut(&mut changed, location).ok_or_else(|| {
                        Failure::Invalid(format!("selected node {location:?} vanished"))
                    })?;
                    let before = node.clone();
                    merge_update(node, update).map_err(Failure::Invalid)?;
                    any |= *node != before;
                }
                if !any {
                    return Err(Failure::NoChange);
                }
                *doc = changed;
                Ok(())
            }
        }
    }

    /// The JSON pointers (RFC 6901) of the nodes the target selects in `doc`;
    /// empty when it selects nothing or is not valid JSONPath.
    pub fn selected(&self, doc: &Value) -> Vec<String> {
        let Ok(path) = JsonPath::parse(&self.target) else {
            return Vec::new();
        };
        path.query_located(doc)
            .locations()
            .map(|loc| loc.to_json_pointer())
            .collect()
    }
}

/// One step of a located path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Name(String),
    Index(usize),
}

fn node_mut<'a>(doc: &'a mut Value, location: &[Segment]) -> Option<&'a mut Value> {
    location.iter().try_fold(doc, |node, seg| match seg {
        Segment::Name(n) => node.get_mut(n.as_str()),
        Segment::Index(i) => node.get_mut(*i),
    })
}

fn remove_at(doc: &mut Value, location: &[Segment]) -> std::result::Result<(), String> {
    let Some((last, parent)) = location.split_last() else {
        return Err("the document root cannot be removed".to_string());
    };
    let parent = node_mut(doc, parent).ok_or_else(|| format!("parent of {location:?} vanished"))?;
    match (parent, last) {
        (Value::Object(map), Segment::Name(n)) => {
            map.shift_remove(n);
            Ok(())
        }
        (Value::Array(items), Segment::Index(i)) if *i < items.len() => {
            items.remove(*i);
            Ok(())
        }
        _ => Err(format!("cannot remove {location:?}")),
    }
}

fn merge_update(node: &mut Value, update: &Value) -> std::result::Result<(), String> {
    match (node, update) {
        (Value::Object(target), Value::Object(patch)) => {
            deep_merge(target, patch);
            Ok(())
        }
        (Value::Array(items), Value::Array(more)) => {
            for one in more {
                if !items.contains(one) {
                    items.push(one.clone());
                }
            }
            Ok(())
        }
        (Value::Array(items), one) => {
            if !items.contains(one) {
                items.push(one.clone());
            }
            Ok(())
        }
        (other, _) => Err(format!(
            "an update can only be merged into an object or array, not into {other}"
        )),
    }
}

fn deep_merge(target: &mut serde_json::Map<String, Value>, patch: &serde_json::Map<String, Value>) {
    for (key, value) in patch {
        match (target.get_mut(key), value) {
            (Some(Value::Object(inner)), Value::Object(more)) => deep_merge(inner, more),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // ---- normalise
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
        let err = normalise("inline-property-refs", &mut json!({"paths": {}}))
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

    // ---- overlay
    fn action(target: &str, update: Option<Value>, remove: bool) -> Action {
        Action {
            target: target.into(),
            description: Some("test".into()),
            update,
            remove,
        }
    }

    #[test]
    fn update_merges_objects_and_appends_to_arrays() {
        let mut doc = json!({"a": {"b": 1, "c": {"d": 2}}, "list": [1]});
        action("$.a", Some(json!({"c": {"e": 3}, "b": 9})), false)
            .apply(&mut doc)
            .unwrap();
        action("$.list", Some(json!([2, 3])), false)
            .apply(&mut doc)
            .unwrap();
        assert_eq!(
            doc,
            json!({"a": {"b": 9, "c": {"d": 2, "e": 3}}, "list": [1, 2, 3]})
        );
    }

    #[test]
    fn remove_deletes_every_match_including_array_elements() {
        let mut doc = json!({"r": ["x", "y", "x", "z"], "o": {"k": 1, "j": 2}});
        action("$.r[?@ == 'x']", None, true)
            .apply(&mut doc)
            .unwrap();
        action("$.o.k", None, true).apply(&mut doc).unwrap();
        assert_eq!(doc, json!({"r": ["y", "z"], "o": {"j": 2}}));
    }

    #[test]
    fn a_target_matching_nothing_is_an_error_naming_the_action() {
        let overlay = Overlay {
            overlay: "1.0.0".into(),
            info: OverlayInfo {
                title: "t".into(),
                version: "1".into(),
                description: None,
            },
            actions: vec![action("$.missing", None, true)],
        };
        let err = overlay
            .apply("patches/x.yaml", &mut json!({}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("patches/x.yaml"), "{err}");
        assert!(err.contains("action 1 (test)"), "{err}");
        assert!(err.contains("matches nothing"), "{err}");
    }

    #[test]
    fn updating_a_scalar_is_refused() {
        let err = action("$.a", Some(json!({})), false)
            .apply(&mut json!({"a": 1}))
            .unwrap_err();
        assert!(err.to_string().contains("only be merged"), "{err}");
    }

    #[test]
    fn an_action_that_changes_nothing_fails_and_leaves_the_document_alone() {
        let mut doc = json!({"op": {"operationId": "listThings"}, "required": ["name"], "n": 1});
        let same_id = action("$.op", Some(json!({"operationId": "listThings"})), false);
        assert_eq!(same_id.apply(&mut doc), Err(Failure::NoChange));
        let present = action("$.required", Some(json!("name")), false);
        assert_eq!(present.apply(&mut doc), Err(Failure::NoChange));
        let before = doc.clone();
        // Two nodes change, the scalar fails: nothing is applied.
        let half = action("$.*", Some(json!({"x": 1})), false);
        assert!(matches!(half.apply(&mut doc), Err(Failure::Invalid(_))));
        assert_eq!(doc, before);
        assert_eq!(
            action("$.op", None, true).selected(&doc),
            vec!["/op".to_string()]
        );
    }
}
