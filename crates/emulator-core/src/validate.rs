//! Validation of request and response bodies against an OpenAPI 3.0 document
//! (an API's effective spec).
//!
//! The spec is OpenAPI 3.0, which `jsonschema` does not know: refs point into
//! `#/components/...` (sometimes into another schema's properties) and
//! `nullable: true` stands for "or null". So each schema is first rewritten
//! into a self-contained JSON Schema (refs inlined, `nullable` turned into a
//! null-admitting type), then compiled once at startup.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use jsonschema::Validator;
use serde_json::{Map, Value};

/// One operation of the spec: where it lives and what it exchanges.
#[derive(Debug)]
pub struct Operation {
    /// The operationId.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, e.g. `/v1/organizations/{organizationSlug}`.
    pub path: String,
    request: Option<Validator>,
    request_required: bool,
    /// Documented statuses; `None` means "no body".
    responses: HashMap<u16, Option<Validator>>,
}

/// The compiled spec: every operation plus the schema of undocumented error
/// answers.
#[derive(Debug)]
pub struct Spec {
    /// Every operation of the spec, in spec order.
    pub operations: Vec<Operation>,
    by_id: HashMap<String, usize>,
    error: Validator,
}

/// A spec compiled once per process, on first use: tests start many
/// emulators, and compiling a spec's schemas takes a while.
#[derive(Debug, Default)]
pub struct SpecOnce(OnceLock<Result<Arc<Spec>, String>>);

impl SpecOnce {
    /// Not compiled yet.
    pub const fn new() -> SpecOnce {
        SpecOnce(OnceLock::new())
    }

    /// The spec of `text` with undocumented errors checked against
    /// `#/components/schemas/<error_schema>` (see
    /// [`Spec::load_with_error_schema`]), compiled the first time.
    pub fn get(&self, text: &str, error_schema: &str) -> Result<Arc<Spec>, String> {
        self.0
            .get_or_init(|| Spec::load_with_error_schema(text, error_schema).map(Arc::new))
            .clone()
    }
}

/// Maximum `$ref` nesting; the spec has no recursive schemas, so this only
/// guards against a malformed document looping forever.
const MAX_DEPTH: usize = 64;

/// Resolve a local `#/...` JSON pointer inside the document.
fn resolve<'a>(root: &'a Value, reference: &str) -> Result<&'a Value, String> {
    let pointer = reference
        .strip_prefix('#')
        .ok_or_else(|| format!("only local refs are supported, got {reference}"))?;
    root.pointer(pointer)
        .ok_or_else(|| format!("unresolvable ref {reference}"))
}

/// Turn an OpenAPI 3.0 schema into a self-contained JSON Schema: inline refs,
/// rewrite `nullable`.
pub fn to_json_schema(root: &Value, schema: &Value, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err("ref nesting too deep".into());
    }
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                // OpenAPI 3.0 ignores siblings of `$ref`, so the target replaces it.
                return to_json_schema(root, resolve(root, r)?, depth + 1);
            }
            let mut out = Map::new();
            for (k, v) in map {
                match k.as_str() {
                    // Annotations only; `example` values could contain `$ref`-like keys.
                    "example" | "examples" | "description" | "deprecated" | "nullable" | "xml"
                    | "externalDocs" => {}
                    // A map whose values are schemas.
                    "properties" => {
                        let mut props = Map::new();
                        if let Value::Object(p) = v {
                            for (name, s) in p {
                                props.insert(name.clone(), to_json_schema(root, s, depth + 1)?);
                            }
                        }
                        out.insert(k.clone(), Value::Object(props));
                    }
                    "items" | "additionalProperties" | "not" => {
                        out.insert(k.clone(), to_json_schema(root, v, depth + 1)?);
                    }
                    "allOf" | "anyOf" | "oneOf" => {
                        let list = v
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .map(|s| to_json_schema(root, s, depth + 1))
                                    .collect::<Result<Vec<_>, _>>()
                            })
                            .transpose()?
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Array(list));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                return Ok(make_nullable(out));
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

/// Let a schema also accept `null`.
fn make_nullable(mut schema: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match schema.get("type").cloned() {
        Some(Value::String(t)) => {
            schema.insert(
                "type".into(),
                Value::Array(vec![Value::String(t), "null".into()]),
            );
            Value::Object(schema)
        }
        Some(Value::Array(mut types)) => {
            if !types.contains(&Value::from("null")) {
                types.push("null".into());
            }
            schema.insert("type".into(), Value::Array(types));
            Value::Object(schema)
        }
        // No `type` (e.g. a composition): wrap it.
        _ => serde_json::json!({"anyOf": [Value::Object(schema), {"type": "null"}]}),
    }
}

fn compile(root: &Value, schema: &Value) -> Result<Validator, String> {
    let json_schema = to_json_schema(root, schema, 0)?;
    jsonschema::validator_for(&json_schema).map_err(|e| format!("schema does not compile: {e}"))
}

/// Render a JSON pointer as a `$.a[0].b` path for error messages.
pub fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            out.push('.');
            out.push_str(&seg);
        }
    }
    out
}

/// Validate `instance`; on failure, `"<json path>: <message>"` of the first error.
pub fn check(validator: &Validator, instance: &Value) -> Result<(), String> {
    match validator.iter_errors(instance).next() {
        None => Ok(()),
        Some(e) => Err(format!("{}: {}", json_path(e.instance_path().as_str()), e)),
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

impl Spec {
    /// Load and compile the spec from its JSON text. An error status the
    /// spec does not document for an operation must carry the body every
    /// emulator sends, `{"error": "<string>"}`.
    pub fn load(text: &str) -> Result<Spec, String> {
        Spec::load_with_error(text, None)
    }

    /// Like [`Spec::load`], with undocumented error statuses checked against
    /// the spec's own schema `#/components/schemas/<error_schema>`.
    pub fn load_with_error_schema(text: &str, error_schema: &str) -> Result<Spec, String> {
        Spec::load_with_error(text, Some(error_schema))
    }

    fn load_with_error(text: &str, error_schema: Option<&str>) -> Result<Spec, String> {
        let root: Value =
            serde_json::from_str(text).map_err(|e| format!("spec is not JSON: {e}"))?;
        let error = match error_schema {
            Some(name) => serde_json::json!({"$ref": format!("#/components/schemas/{name}")}),
            None => serde_json::json!({
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}}
            }),
        };
        let error = compile(&root, &error)?;
        let paths = root
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("spec has no paths")?;
        let mut operations = Vec::new();
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{method} {path} has no operationId"))?
                    .to_string();
                let body = match op.get("requestBody") {
                    Some(Value::Object(b)) if b.contains_key("$ref") => {
                        resolve(&root, b["$ref"].as_str().unwrap_or_default())?
                    }
                    Some(b) => b,
                    None => &Value::Null,
                };
                let request_required = body.get("required") == Some(&Value::Bool(true));
                let request = match body.pointer("/content/application~1json/schema") {
                    Some(s) => Some(compile(&root, s).map_err(|e| format!("{id} request: {e}"))?),
                    None => None,
                };
                let mut responses = HashMap::new();
                if let Some(Value::Object(rs)) = op.get("responses") {
                    for (status, resp) in rs {
                        let Ok(code) = status.parse::<u16>() else {
                            continue;
                        };
                        let resp = match resp.get("$ref").and_then(Value::as_str) {
                            Some(r) => resolve(&root, r)?,
                            None => resp,
                        };
                        let validator = match resp.pointer("/content/application~1json/schema") {
                            Some(s) => {
                                Some(compile(&root, s).map_err(|e| format!("{id} {code}: {e}"))?)
                            }
                            None => None,
                        };
                        responses.insert(code, validator);
                    }
                }
                operations.push(Operation {
                    id,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    request,
                    request_required,
                    responses,
                });
            }
        }
        let by_id = operations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        Ok(Spec {
            operations,
            by_id,
            error,
        })
    }

    fn op(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).map(|&i| &self.operations[i])
    }

    /// Check a request body. `Ok(None)` when there is (validly) no body.
    pub fn check_request(&self, id: &str, body: &[u8]) -> Result<Option<Value>, String> {
        let Some(op) = self.op(id) else {
            return Ok(None);
        };
        let blank = body.iter().all(u8::is_ascii_whitespace);
        if blank {
            if op.request_required && op.request.is_some() {
                return Err("$: a JSON body is required".into());
            }
            return Ok(None);
        }
        let Some(validator) = &op.request else {
            // The operation takes no body: whatever was sent is ignored, as a server would.
            return Ok(None);
        };
        let value: Value =
            serde_json::from_slice(body).map_err(|e| format!("$: not valid JSON: {e}"))?;
        check(validator, &value)?;
        Ok(Some(value))
    }

    /// Check a response about to be sent.
    pub fn check_response(
        &self,
        id: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let Some(op) = self.op(id) else {
            return Ok(());
        };
        match op.responses.get(&status) {
            Some(Some(validator)) => match body {
                Some(b) => check(validator, b),
                None => Err("$: the spec documents a JSON body but none was sent".into()),
            },
            Some(None) => match body {
                None => Ok(()),
                Some(_) => Err("$: the spec documents no body but one was sent".into()),
            },
            None if status < 400 => Err(format!("$: status {status} is not documented")),
            // Undocumented error statuses (401, 403, 429, ...) still use the error shape.
            None => match body {
                Some(b) => check(&self.error, b),
                None => Err("$: error responses must carry {\"error\": ...}".into()),
            },
        }
    }
}

#[cfg(test)]
mod tests;
