//! `$ref` resolution inside one OpenAPI document.
//!
//! Only local references (`#/...`) are followed. The fragment is a JSON pointer
//! (RFC 6901, `~0`/`~1` escapes) and may be percent-encoded, so references into
//! `components/*` and into another schema's properties
//! (`#/components/schemas/Database/properties/Name`) both work. Chains of references
//! are followed; a chain that comes back to a reference it already followed is a
//! cycle and fails instead of looping.
//!
//! As in OpenAPI 3.0, the siblings of a `$ref` are ignored.

use std::borrow::Cow;

use serde_json::Value;

/// Why a `$ref` could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefError {
    /// The reference points into another document.
    External,
    /// The pointer does not name anything in the document.
    Missing,
    /// Following the chain of references comes back to a reference already followed.
    Cycle,
}

impl RefError {
    /// A short human-readable reason.
    pub(crate) const fn describe(self) -> &'static str {
        match self {
            RefError::External => "external references are not followed",
            RefError::Missing => "no such target",
            RefError::Cycle => "the references form a cycle",
        }
    }
}

/// Resolves `$ref`s against the root of one document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolver<'a> {
    root: &'a Value,
}

impl<'a> Resolver<'a> {
    /// A resolver for the document `root`.
    pub(crate) const fn new(root: &'a Value) -> Self {
        Resolver { root }
    }

    /// The document.
    pub(crate) const fn root(&self) -> &'a Value {
        self.root
    }

    /// Follows `$ref`s from `value` until a value that is not a reference.
    ///
    /// A value without a string `$ref` is returned unchanged.
    pub(crate) fn resolve(&self, value: &'a Value) -> Result<&'a Value, RefError> {
        let mut current = value;
        let mut followed: Vec<&str> = Vec::new();
        while let Some(reference) = ref_of(current) {
            if followed.contains(&reference) {
                return Err(RefError::Cycle);
            }
            followed.push(reference);
            current = self.target(reference)?;
        }
        Ok(current)
    }

    /// The value a single reference points to (without following further references).
    fn target(&self, reference: &str) -> Result<&'a Value, RefError> {
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(RefError::External);
        };
        let fragment = percent_decode(fragment);
        if fragment.is_empty() {
            return Ok(self.root);
        }
        if !fragment.starts_with('/') {
            return Err(RefError::Missing);
        }
        self.root.pointer(&fragment).ok_or(RefError::Missing)
    }
}

/// The `$ref` string of a value, if it is a reference.
pub(crate) fn ref_of(value: &Value) -> Option<&str> {
    value.as_object()?.get("$ref")?.as_str()
}

/// Decodes `%XX` escapes; returns the input unchanged when there are none or when the
/// result would not be UTF-8.
fn percent_decode(input: &str) -> Cow<'_, str> {
    if !input.contains('%') {
        return Cow::Borrowed(input);
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        if let Some(byte) = decoded {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_or(Cow::Borrowed(input), Cow::Owned)
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Escapes one JSON-pointer segment (`~` becomes `~0`, `/` becomes `~1`).
pub(crate) fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// A `$ref` that does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokenRef {
    /// The unescaped segments of the location of the object holding the `$ref`.
    pub(crate) location: Vec<String>,
    /// The reference string.
    pub(crate) reference: String,
    /// Why it does not resolve.
    pub(crate) error: RefError,
}

/// Every `$ref` of the document that does not resolve, in document order.
///
/// Literal data (`example`, `default`, `enum` values and `x-` extensions) is not
/// searched, except where such a key is a property name.
pub(crate) fn broken_refs(doc: &Value) -> Vec<BrokenRef> {
    let resolver = Resolver::new(doc);
    let mut broken = Vec::new();
    // (value, location, whether value is a `properties` map whose keys are names)
    let mut stack: Vec<(&Value, Vec<String>, bool)> = vec![(doc, Vec::new(), false)];
    while let Some((value, location, names)) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(reference) = ref_of(value)
                    && let Err(error) = resolver.resolve(value)
                {
                    broken.push(BrokenRef {
                        location: location.clone(),
                        reference: reference.to_owned(),
                        error,
                    });
                }
                for (key, child) in map.iter().rev() {
                    if !names
                        && (matches!(key.as_str(), "example" | "default" | "enum")
                            || key.starts_with("x-"))
                    {
                        continue;
                    }
                    let mut child_location = location.clone();
                    child_location.push(key.clone());
                    stack.push((child, child_location, !names && key == "properties"));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate().rev() {
                    let mut child_location = location.clone();
                    child_location.push(index.to_string());
                    stack.push((child, child_location, false));
                }
            }
            _ => {}
        }
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_components_chains_and_property_pointers() {
        let doc = json!({
            "components": {
                "schemas": {
                    "Database": {"type": "object", "properties": {"Name": {"type": "string"}}},
                    "Alias": {"$ref": "#/components/schemas/Database"},
                    "a/b": {"type": "integer"}
                }
            }
        });
        let r = Resolver::new(&doc);
        let alias = json!({"$ref": "#/components/schemas/Alias"});
        assert_eq!(r.resolve(&alias).unwrap()["type"], "object");
        let name = json!({"$ref": "#/components/schemas/Database/properties/Name"});
        assert_eq!(r.resolve(&name).unwrap()["type"], "string");
        let escaped = json!({"$ref": "#/components/schemas/a~1b"});
        assert_eq!(r.resolve(&escaped).unwrap()["type"], "integer");
        let encoded = json!({"$ref": "#/components/schemas/a%7E1b"});
        assert_eq!(r.resolve(&encoded).unwrap()["type"], "integer");
        let plain = json!({"type": "boolean"});
        assert_eq!(r.resolve(&plain).unwrap(), &plain);
        assert_eq!(r.root(), &doc);
    }

    #[test]
    fn reports_missing_external_and_cyclic_refs() {
        let doc = json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
                "Self": {"$ref": "#/components/schemas/Self"}
            }},
            "paths": {"/x": {"get": {"responses": {"200": {"$ref": "other.yaml#/R"}}}}}
        });
        let r = Resolver::new(&doc);
        assert_eq!(
            r.resolve(&json!({"$ref": "#/components/schemas/A"})),
            Err(RefError::Cycle)
        );
        assert_eq!(
            r.resolve(&json!({"$ref": "#/components/schemas/Nope"})),
            Err(RefError::Missing)
        );
        assert_eq!(r.resolve(&json!({"$ref": "#nope"})), Err(RefError::Missing));
        assert_eq!(
            r.resolve(&json!({"$ref": "x.yaml#/a"})),
            Err(RefError::External)
        );
        let broken = broken_refs(&doc);
        let found: Vec<_> = broken
            .iter()
            .map(|b| (b.location.join("/"), b.error))
            .collect();
        assert_eq!(
            found,
            [
                ("components/schemas/A".to_owned(), RefError::Cycle),
                ("components/schemas/B".to_owned(), RefError::Cycle),
                ("components/schemas/Self".to_owned(), RefError::Cycle),
                ("paths//x/get/responses/200".to_owned(), RefError::External),
            ]
        );
    }

    #[test]
    fn literal_data_is_not_searched_but_property_names_are() {
        let doc = json!({
            "example": {"$ref": "#/nope"},
            "x-extra": {"$ref": "#/nope"},
            "properties": {"example": {"$ref": "#/nope"}}
        });
        let broken = broken_refs(&doc);
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].location, ["properties", "example"]);
        assert_eq!(broken[0].reference, "#/nope");
    }

    #[test]
    fn escapes_pointer_segments() {
        assert_eq!(escape("application/json"), "application~1json");
        assert_eq!(escape("a~b"), "a~0b");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
