//! Small readers of an OpenAPI 3.0 document as `serde_json::Value`: its
//! operations, where they are (JSON pointer, JSONPath, `METHOD /path`), and
//! the names in a path template. The checks and the patch classification
//! share them, so that every report locates things the same way.

use serde_json::Value;

/// The keys of a path item that are operations.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a document.
#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    /// The path template, e.g. `/v1/organizations/{organizationSlug}`.
    pub path: &'a str,
    /// The lowercase method, e.g. `get`.
    pub method: &'a str,
    /// The path item holding the operation.
    pub item: &'a Value,
    /// The operation object.
    pub operation: &'a Value,
}

impl<'a> Op<'a> {
    /// Its operationId, when it has a non-blank one.
    pub fn id(&self) -> Option<&'a str> {
        self.operation
            .get("operationId")
            .and_then(Value::as_str)
            .filter(|id| !id.trim().is_empty())
    }

    /// `GET /v1/locations`.
    pub fn method_path(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    /// `listLocations (GET /v1/locations)`, or `GET /v1/locations` without an id.
    pub fn label(&self) -> String {
        match self.id() {
            Some(id) => format!("{id} ({})", self.method_path()),
            None => self.method_path(),
        }
    }

    /// The JSON pointer of the operation, followed by `inner` segments.
    pub fn pointer(&self, inner: &[&str]) -> String {
        let mut segments = vec!["paths", self.path, self.method];
        segments.extend_from_slice(inner);
        pointer(&segments)
    }

    /// A JSONPath selecting the operation: `$.paths['/v1/locations'].get`.
    pub fn target(&self) -> String {
        format!("$.paths[{}].{}", quote(self.path), self.method)
    }
}

/// Every operation of `doc`, in document order (path items that are not
/// objects are skipped; the structural checks report them).
pub fn operations(doc: &Value) -> Vec<Op<'_>> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut ops = Vec::new();
    for (path, item) in paths {
        let Some(map) = item.as_object() else {
            continue;
        };
        for (method, operation) in map {
            if let Some(method) = METHODS.iter().find(|m| **m == method)
                && operation.is_object()
            {
                ops.push(Op {
                    path,
                    method,
                    item,
                    operation,
                });
            }
        }
    }
    ops
}

/// The operation at `method` `path`, if there is one.
pub fn find<'a>(doc: &'a Value, path: &str, method: &str) -> Option<Op<'a>> {
    operations(doc)
        .into_iter()
        .find(|op| op.path == path && op.method == method)
}

/// An RFC 6901 JSON pointer made of unescaped segments.
pub fn pointer(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// A JSONPath string literal: `'...'` with `\` and `'` escaped.
pub fn quote(name: &str) -> String {
    format!("'{}'", name.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The parameter names of a path template, in order: `/a/{x}/b/{y}` → `x`, `y`.
pub fn path_names(path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    names
}

/// A path template with every parameter name blanked: `/a/{x}` → `/a/{}`.
pub fn path_shape(path: &str) -> String {
    let mut shape = path.to_string();
    for name in path_names(path) {
        shape = shape.replacen(&format!("{{{name}}}"), "{}", 1);
    }
    shape
}

/// Follows a local `$ref` (`#/components/...`) once; other values as they are.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> Option<&'a Value> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc.pointer(reference.strip_prefix('#')?),
        None => Some(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn locates_operations() {
        let doc = json!({"paths": {"/v1/o/{org}": {
            "parameters": [],
            "get": {"operationId": "getOrg"},
            "post": {"operationId": " "}
        }}});
        let ops = operations(&doc);
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[0].label(), "getOrg (GET /v1/o/{org})");
        assert_eq!(ops[1].label(), "POST /v1/o/{org}", "a blank id is no id");
        assert_eq!(
            ops[0].pointer(&["responses"]),
            "/paths/~1v1~1o~1{org}/get/responses"
        );
        assert_eq!(ops[0].target(), "$.paths['/v1/o/{org}'].get");
        assert_eq!(quote("it's"), r"'it\'s'");
    }

    #[test]
    fn path_templates() {
        assert_eq!(path_names("/a/{x}/b/{y}"), ["x", "y"]);
        assert_eq!(path_shape("/a/{x}/b/{y}"), "/a/{}/b/{}");
        assert!(path_names("/a/{").is_empty());
    }
}
