//! Checks one HTTP exchange against the effective spec, in both directions.
//!
//! An exchange is matched to an operation by method and path (templates are
//! compared segment by segment, literal segments winning over parameters);
//! then the query parameters (declared names, integers that parse, enum values
//! in their enum), the request body, the response status, its content type and
//! its body are checked. Bodies are checked with the emulator's compiled
//! schemas ([`turso_platform_emulator::validate::Spec`]), which turn OpenAPI
//! 3.0 into JSON Schema; everything else is read here from the same spec text.
//!
//! Every violation reads `"<operationId> <request|response> <json path>: <message>"`.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;
use turso_platform_emulator::validate::Spec;

/// One query parameter an operation declares.
#[derive(Debug, Clone)]
struct QueryParam {
    kind: Option<String>,
    allowed: Option<Vec<Value>>,
}

/// What the validator knows about one operation beyond its schemas.
#[derive(Debug, Clone)]
struct OperationInfo {
    id: String,
    method: String,
    segments: Vec<String>,
    query: BTreeMap<String, QueryParam>,
    /// Documented statuses and whether each documents a JSON body.
    statuses: BTreeMap<u16, bool>,
}

/// The effective spec, ready to check exchanges.
pub struct ExchangeValidator {
    spec: Spec,
    operations: Vec<OperationInfo>,
}

/// One exchange as it went over the wire.
#[derive(Debug, Clone)]
pub struct Exchange<'a> {
    /// Upper-case method.
    pub method: &'a str,
    /// The raw path and query, exactly as received (still percent-encoded).
    pub target: &'a str,
    /// The request body.
    pub request_body: &'a [u8],
    /// The response status.
    pub status: u16,
    /// The response `Content-Type`, if any.
    pub content_type: Option<&'a str>,
    /// The response body.
    pub response_body: &'a [u8],
}

/// The validator for the effective spec, built once per process.
pub fn shared() -> Arc<ExchangeValidator> {
    static V: OnceLock<Arc<ExchangeValidator>> = OnceLock::new();
    V.get_or_init(|| {
        Arc::new(ExchangeValidator::load(
            turso_platform_generated::EFFECTIVE_SPEC_JSON,
        ))
    })
    .clone()
}

impl ExchangeValidator {
    /// Compile the spec given as JSON text.
    pub fn load(text: &str) -> ExchangeValidator {
        let spec = Spec::load(text).expect("the effective spec compiles");
        let root: Value = serde_json::from_str(text).expect("the effective spec is JSON");
        let mut operations = Vec::new();
        for (path, item) in root["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let mut query = BTreeMap::new();
                let params = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .chain(op.get("parameters").and_then(Value::as_array))
                    .flatten();
                for p in params {
                    let p = crate::schema::resolve(&root, p);
                    if p.get("in").and_then(Value::as_str) != Some("query") {
                        continue;
                    }
                    let schema = crate::schema::resolve(&root, &p["schema"]);
                    query.insert(
                        p["name"].as_str().unwrap_or_default().to_string(),
                        QueryParam {
                            kind: schema.get("type").and_then(Value::as_str).map(String::from),
                            allowed: schema.get("enum").and_then(Value::as_array).cloned(),
                        },
                    );
                }
                let mut statuses = BTreeMap::new();
                for (status, resp) in op["responses"].as_object().into_iter().flatten() {
                    if let Ok(code) = status.parse::<u16>() {
                        let resp = crate::schema::resolve(&root, resp);
                        let json = resp.pointer("/content/application~1json").is_some();
                        statuses.insert(code, json);
                    }
                }
                operations.push(OperationInfo {
                    id: id.to_string(),
                    method: method.to_ascii_uppercase(),
                    segments: path.split('/').map(String::from).collect(),
                    query,
                    statuses,
                });
            }
        }
        ExchangeValidator { spec, operations }
    }

    /// Every operationId of the spec.
    pub fn operation_ids(&self) -> Vec<String> {
        self.operations.iter().map(|o| o.id.clone()).collect()
    }

    /// The operation `method` + `path` (no query) belongs to, if any.
    pub fn operation_for(&self, method: &str, path: &str) -> Option<&str> {
        self.find(method, path).map(|o| o.id.as_str())
    }

    fn find(&self, method: &str, path: &str) -> Option<&OperationInfo> {
        let segments: Vec<&str> = path.split('/').collect();
        self.operations
            .iter()
            .filter(|o| o.method == method && o.segments.len() == segments.len())
            .filter(|o| {
                o.segments.iter().zip(&segments).all(|(t, s)| {
                    if t.starts_with('{') {
                        !s.is_empty()
                    } else {
                        t == s
                    }
                })
            })
            // The most literal template wins.
            .max_by_key(|o| o.segments.iter().filter(|t| !t.starts_with('{')).count())
    }

    /// Check one exchange: the operation it belongs to (if any) and every violation.
    pub fn check(&self, ex: &Exchange<'_>) -> (Option<String>, Vec<String>) {
        let (path, query) = match ex.target.split_once('?') {
            Some((p, q)) => (p, q),
            None => (ex.target, ""),
        };
        let Some(op) = self.find(ex.method, path) else {
            return (
                None,
                vec![format!(
                    "{} {path} request $: matches no operation of the spec",
                    ex.method
                )],
            );
        };
        let id = op.id.as_str();
        let mut out = Vec::new();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match op.query.get(name.as_ref()) {
                None => out.push(format!(
                    "{id} request ?{name}: query parameter not declared by the operation"
                )),
                Some(p) => {
                    if p.kind.as_deref() == Some("integer") && value.parse::<i64>().is_err() {
                        out.push(format!("{id} request ?{name}: {value:?} is not an integer"));
                    }
                    if let Some(allowed) = &p.allowed
                        && !allowed.contains(&Value::String(value.to_string()))
                    {
                        out.push(format!(
                            "{id} request ?{name}: {value:?} is not one of {allowed:?}"
                        ));
                    }
                }
            }
        }
        if let Err(e) = self.spec.check_request(id, ex.request_body) {
            out.push(format!("{id} request {e}"));
        }
        let documented = op.statuses.get(&ex.status).copied();
        // Every status an operation really answers is documented (the
        // error-statuses patch), except those any HTTP service may send on
        // any path: 429 (rate limits), the server errors, and the HTTP
        // layer's own refusals of a request too large to route.
        let undocumented_error = documented.is_none()
            && ex.status >= 400
            && !matches!(ex.status, 413 | 414 | 429 | 431)
            && ex.status < 500;
        if documented.is_none() && (ex.status < 400 || undocumented_error) {
            out.push(format!(
                "{id} response $: status {} is not documented",
                ex.status
            ));
            return (Some(id.to_string()), out);
        }
        let blank = ex.response_body.iter().all(u8::is_ascii_whitespace);
        let json_type = ex.content_type.is_some_and(|c| {
            c.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
        if documented == Some(true) && !json_type {
            out.push(format!(
                "{id} response $: content type {:?}, expected application/json",
                ex.content_type
            ));
        }
        let body = if blank {
            None
        } else {
            match serde_json::from_slice::<Value>(ex.response_body) {
                Ok(v) => Some(v),
                Err(e) => {
                    out.push(format!("{id} response $: not valid JSON: {e}"));
                    return (Some(id.to_string()), out);
                }
            }
        };
        if let Err(e) = self.spec.check_response(id, ex.status, body.as_ref()) {
            out.push(format!("{id} response {e}"));
        }
        (Some(id.to_string()), out)
    }
}
