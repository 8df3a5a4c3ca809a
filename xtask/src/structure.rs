//! What progenitor cannot take, found before it runs: it would otherwise stop
//! with an error naming no operation, or panic. Each finding is a
//! [`Blocker`] naming the operation, with an overlay action where one fits.
//!
//! Checked (progenitor 0.15): OpenAPI 3.0.x; path items that are objects, not
//! `$ref`s; parameters with a `name`, an `in` of path/query/header and a
//! `schema`; every `{name}` of a path template declared as a path parameter,
//! every path parameter in its template and `required`; request bodies with
//! one media type progenitor can send (JSON, form, octet-stream, text) and a
//! schema; JSON responses with a schema; local `$ref`s that resolve.

use serde_json::{Value, json};

use crate::blockers::{Blocker, action};
use crate::openapi::{self, Op};

/// The generator the checks describe (`generate::PROGENITOR_VERSION` is its
/// version; not imported, so that this module does not depend on `generate`).
const PROGENITOR: &str = "progenitor 0.15";

/// Every structural blocker of `doc`, in document order.
pub fn check(doc: &Value) -> Vec<Blocker> {
    let mut out = Vec::new();
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        out.push(Blocker::new(
            None,
            "/openapi",
            format!(
                "the spec declares `openapi: {}`, but {PROGENITOR} only reads OpenAPI \
                 3.0.x",
                if version.is_empty() {
                    "<missing>"
                } else {
                    version
                }
            ),
            "vendor the upstream 3.0 document, or convert this one to 3.0 first",
        ));
    }
    match doc.get("paths").and_then(Value::as_object) {
        None => out.push(Blocker::new(
            None,
            "/paths",
            "the spec has no `paths` object",
            "vendor a complete OpenAPI document",
        )),
        Some(paths) => {
            for (path, item) in paths {
                if !item.is_object() || item.get("$ref").is_some() {
                    out.push(Blocker::new(
                        None,
                        openapi::pointer(&["paths", path]),
                        format!("path item `{path}` is a reference or not an object"),
                        "progenitor only reads inline path items: inline it with an overlay",
                    ));
                }
            }
        }
    }
    for op in openapi::operations(doc) {
        parameters(doc, &op, &mut out);
        request_body(doc, &op, &mut out);
        responses(doc, &op, &mut out);
    }
    dangling_refs(doc, doc, &mut Vec::new(), &mut out);
    out
}

/// The operation's parameters (path item's, then its own), `$ref`s followed,
/// each with the JSONPath of the list it is in and its index there.
fn parameter_list<'a>(doc: &'a Value, op: &Op<'a>) -> Vec<(String, usize, &'a Value)> {
    let mut list = Vec::new();
    let item_target = format!("$.paths[{}]", openapi::quote(op.path));
    for (owner, target) in [(op.item, item_target), (op.operation, op.target())] {
        let params = owner.get("parameters").and_then(Value::as_array);
        for (index, param) in params.into_iter().flatten().enumerate() {
            if let Some(param) = openapi::resolve(doc, param) {
                list.push((format!("{target}.parameters"), index, param));
            }
        }
    }
    list
}

fn parameters(doc: &Value, op: &Op, out: &mut Vec<Blocker>) {
    let list = parameter_list(doc, op);
    let template = openapi::path_names(op.path);
    let declared = |name: &str| {
        list.iter().any(|(_, _, p)| {
            p.get("in").and_then(Value::as_str) == Some("path")
                && p.get("name").and_then(Value::as_str) == Some(name)
        })
    };
    let undeclared: Vec<&str> = template.iter().copied().filter(|n| !declared(n)).collect();
    let at = |list_target: &str, index: usize| format!("{list_target}[{index}]");

    for (list_target, index, param) in &list {
        let name = param.get("name").and_then(Value::as_str).unwrap_or("");
        let location = param.get("in").and_then(Value::as_str).unwrap_or("");
        let target = at(list_target, *index);
        if name.trim().is_empty() {
            let mut blocker = Blocker::new(
                Some(op.label()),
                target.clone(),
                format!("a `{location}` parameter has no name"),
                "name it after what it is, or remove it",
            );
            // A nameless path parameter next to one unnamed `{x}`: it is `x`.
            if let ([only], "path") = (undeclared.as_slice(), location) {
                blocker.fix = format!("name it `{only}`, the template name nothing declares");
                blocker = blocker.with_new_action(action(
                    target,
                    format!("Defect: {} declares a path parameter without a name; the path names `{{{only}}}`.", op.method_path()),
                    Some(json!({"name": only})),
                ));
            }
            out.push(blocker);
            continue;
        }
        match location {
            "query" | "header" => {}
            "path" => {
                if !template.contains(&name) {
                    out.push(Blocker::new(
                        Some(op.label()),
                        target.clone(),
                        format!("path parameter `{name}` is not in the path template"),
                        match undeclared.as_slice() {
                            [only] => format!("the template names `{{{only}}}`: rename the parameter to `{only}`"),
                            _ => "remove it, or correct the path".to_string(),
                        },
                    ).with_new_action(match undeclared.as_slice() {
                        [only] => action(
                            target.clone(),
                            format!("Defect: path parameter `{name}` of {} is called `{only}` in the path.", op.method_path()),
                            Some(json!({"name": only})),
                        ),
                        _ => action(
                            target.clone(),
                            format!("Defect: path parameter `{name}` of {} is not in the path.", op.method_path()),
                            None,
                        ),
                    }));
                } else if param.get("required").and_then(Value::as_bool) != Some(true) {
                    out.push(Blocker::new(
                        Some(op.label()),
                        target.clone(),
                        format!("path parameter `{name}` is not marked `required: true` (progenitor asserts it)"),
                        "mark it required, as OpenAPI demands of path parameters",
                    ).with_new_action(action(
                        target.clone(),
                        format!("Defect: path parameter `{name}` of {} is not marked required.", op.method_path()),
                        Some(json!({"required": true})),
                    )));
                }
            }
            other => out.push(
                Blocker::new(
                    Some(op.label()),
                    target.clone(),
                    format!(
                        "parameter `{name}` is in `{other}`; {PROGENITOR} sends only \
                         path, query and header parameters"
                    ),
                    "leave it out of the generated client (set it by hand where it is needed)",
                )
                .with_new_action(action(
                    target.clone(),
                    format!("Defect: {} has a `{other}` parameter `{name}`, which the generated client cannot send.", op.method_path()),
                    None,
                )),
            ),
        }
        if param.get("schema").is_none() {
            out.push(Blocker::new(
                Some(op.label()),
                target,
                format!("parameter `{name}` has no `schema` (progenitor does not read `content` parameters)"),
                "give it a `schema` with an overlay",
            ));
        }
    }

    // Template names nothing declares (unless a nameless or misnamed path
    // parameter above already proposes to be it).
    let misnamed = list.iter().any(|(_, _, p)| {
        p.get("in").and_then(Value::as_str) == Some("path")
            && !template.contains(&p.get("name").and_then(Value::as_str).unwrap_or(""))
    });
    if undeclared.len() == 1 && misnamed {
        return;
    }
    for name in undeclared {
        let param =
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
        let description = format!(
            "Defect: the path of {} names `{{{name}}}`, but no parameter declares it.",
            op.method_path()
        );
        let proposal = if op.operation.get("parameters").is_some() {
            action(
                format!("{}.parameters", op.target()),
                description,
                Some(json!([param])),
            )
        } else {
            action(
                op.target(),
                description,
                Some(json!({"parameters": [param]})),
            )
        };
        out.push(
            Blocker::new(
                Some(op.label()),
                op.pointer(&[]),
                format!(
                    "the path names `{{{name}}}`, but no parameter declares it (progenitor panics)"
                ),
                format!("declare path parameter `{name}` (a string, required)"),
            )
            .with_new_action(proposal),
        );
    }
}

/// The media types progenitor can send as a request body.
fn sendable(media_type: &str) -> bool {
    let base = media_type.split(';').next().unwrap_or("").trim();
    matches!(
        base,
        "application/json"
            | "application/x-www-form-urlencoded"
            | "application/octet-stream"
            | "text/plain"
            | "text/x-markdown"
    )
}

fn request_body(doc: &Value, op: &Op, out: &mut Vec<Blocker>) {
    let Some(raw) = op.operation.get("requestBody") else {
        return;
    };
    // A body defined in components is changed there.
    let (body, target) = match raw.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            (
                openapi::resolve(doc, raw),
                format!("$.components.requestBodies[{}]", openapi::quote(name)),
            )
        }
        None => (Some(raw), format!("{}.requestBody", op.target())),
    };
    let Some(content) = body
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
    else {
        return;
    };
    let at = op.pointer(&["requestBody", "content"]);
    let has_json = content.keys().any(|m| m == "application/json");
    for (media_type, media) in content {
        let unsupported = !sendable(media_type);
        if unsupported || (content.len() > 1 && media_type != "application/json") {
            let problem = if unsupported {
                format!("the request body is `{media_type}`, which {PROGENITOR} cannot send")
            } else {
                format!(
                    "the request body offers {} media types; progenitor takes exactly one",
                    content.len()
                )
            };
            let blocker = if has_json {
                Blocker::new(
                    Some(op.label()),
                    format!("{at}/{}", media_type.replace('~', "~0").replace('/', "~1")),
                    problem,
                    format!("keep the JSON body: drop `{media_type}` from the spec the client is generated from"),
                )
                .with_new_action(action(
                    format!("{target}.content[{}]", openapi::quote(media_type)),
                    format!("Defect: {} also accepts `{media_type}`, which the generated client cannot send; it sends JSON.", op.method_path()),
                    None,
                ))
            } else {
                Blocker::new(
                    Some(op.label()),
                    format!("{at}/{}", media_type.replace('~', "~0").replace('/', "~1")),
                    problem,
                    "leave the operation out of the generated client and write it by hand in the \
                     facade (progenitor cannot build this body)",
                )
                .with_new_action(action(
                    op.target(),
                    format!("Defect: {} takes a `{media_type}` body, which progenitor cannot generate; the facade sends it by hand.", op.method_path()),
                    None,
                ))
            };
            out.push(blocker);
            if !has_json {
                // One removal of the operation covers all its media types.
                return;
            }
            continue;
        }
        if media.get("schema").is_none() {
            out.push(Blocker::new(
                Some(op.label()),
                op.pointer(&["requestBody", "content", media_type]),
                format!("the `{media_type}` request body has no schema"),
                "give it a schema with an overlay",
            ));
        } else if media
            .get("encoding")
            .and_then(Value::as_object)
            .is_some_and(|e| !e.is_empty())
        {
            out.push(
                Blocker::new(
                    Some(op.label()),
                    op.pointer(&["requestBody", "content", media_type, "encoding"]),
                    format!("the `{media_type}` request body has an `encoding`, which progenitor does not support"),
                    "remove the `encoding` with an overlay",
                )
                .with_new_action(action(
                    format!("{target}.content[{}].encoding", openapi::quote(media_type)),
                    format!("Defect: the body of {} has an `encoding` progenitor cannot generate.", op.method_path()),
                    None,
                )),
            );
        }
    }
}

fn responses(doc: &Value, op: &Op, out: &mut Vec<Blocker>) {
    let Some(responses) = op.operation.get("responses").and_then(Value::as_object) else {
        return;
    };
    for (status, response) in responses {
        if response.get("$ref").is_some() {
            // Shared responses are checked where they are used, once resolved.
            let Some(resolved) = openapi::resolve(doc, response) else {
                continue;
            };
            if resolved.get("$ref").is_some() {
                continue;
            }
        }
        let Some(resolved) = openapi::resolve(doc, response) else {
            continue;
        };
        let content = resolved.get("content").and_then(Value::as_object);
        for (media_type, media) in content.into_iter().flatten() {
            let json =
                media_type == "application/json" || media_type.starts_with("application/json;");
            if json && media.get("schema").is_none() {
                let mut blocker = Blocker::new(
                    Some(op.label()),
                    op.pointer(&["responses", status, "content", media_type]),
                    format!(
                        "the `{status}` response is `{media_type}` without a schema (progenitor panics)"
                    ),
                    "give it a schema (`{}` accepts any JSON)",
                );
                if response.get("$ref").is_none() {
                    blocker = blocker.with_new_action(action(
                        format!(
                            "{}.responses[{}].content[{}]",
                            op.target(),
                            openapi::quote(status),
                            openapi::quote(media_type)
                        ),
                        format!(
                            "Defect: the `{status}` answer of {} is JSON without a schema.",
                            op.method_path()
                        ),
                        Some(json!({"schema": {}})),
                    ));
                }
                out.push(blocker);
            }
        }
    }
}

/// Local `$ref`s that point at nothing: progenitor panics on them.
fn dangling_refs(root: &Value, node: &Value, at: &mut Vec<String>, out: &mut Vec<Blocker>) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let resolves = reference
                    .strip_prefix('#')
                    .is_some_and(|p| root.pointer(p).is_some());
                if reference.starts_with('#') && !resolves {
                    let segments: Vec<&str> = at.iter().map(String::as_str).collect();
                    out.push(Blocker::new(
                        None,
                        openapi::pointer(&segments),
                        format!("`$ref: {reference}` points at nothing"),
                        "add what it refers to, or point it at an existing component, with an overlay",
                    ));
                }
            }
            for (key, value) in map {
                at.push(key.clone());
                dangling_refs(root, value, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                at.push(index.to_string());
                dangling_refs(root, value, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    fn problems(doc: &Value) -> Vec<String> {
        check(doc).into_iter().map(|b| b.problem).collect()
    }

    #[test]
    fn a_multipart_body_proposes_leaving_the_operation_out() {
        let d = doc(json!({"/v1/dumps": {"post": {"operationId": "uploadDump",
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}}}}));
        let blockers = check(&d);
        assert_eq!(blockers.len(), 1, "{blockers:#?}");
        assert_eq!(
            blockers[0].operation.as_deref(),
            Some("uploadDump (POST /v1/dumps)")
        );
        let proposal = blockers[0].proposal.as_ref().unwrap();
        assert_eq!(proposal.action.target, "$.paths['/v1/dumps'].post");
        assert!(proposal.action.remove);
    }

    #[test]
    fn a_second_media_type_next_to_json_is_dropped() {
        let d = doc(json!({"/v1/x": {"post": {"operationId": "x",
            "requestBody": {"content": {
                "application/json": {"schema": {"type": "object"}},
                "multipart/form-data": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}}}}}));
        let blockers = check(&d);
        assert_eq!(blockers.len(), 1, "{blockers:#?}");
        assert_eq!(
            blockers[0].proposal.as_ref().unwrap().action.target,
            "$.paths['/v1/x'].post.requestBody.content['multipart/form-data']"
        );
    }

    #[test]
    fn path_parameters_must_be_declared_named_and_required() {
        let d = doc(json!({
            "/v1/a/{db}": {"get": {"operationId": "a", "responses": {}}},
            "/v1/b/{db}": {"get": {"operationId": "b", "responses": {},
                "parameters": [{"name": "database", "in": "path", "required": true, "schema": {}}]}},
            "/v1/c/{db}": {"get": {"operationId": "c", "responses": {},
                "parameters": [{"name": "db", "in": "path", "schema": {}}]}},
            "/v1/d/{db}": {"get": {"operationId": "d", "responses": {},
                "parameters": [{"in": "path", "required": true, "schema": {}}]}}
        }));
        let blockers = check(&d);
        assert_eq!(blockers.len(), 4, "{blockers:#?}");
        let a = blockers[0].proposal.as_ref().unwrap();
        assert_eq!(a.action.target, "$.paths['/v1/a/{db}'].get");
        assert_eq!(
            a.action.update.as_ref().unwrap()["parameters"][0]["name"],
            "db"
        );
        let b = blockers[1].proposal.as_ref().unwrap();
        assert_eq!(b.action.update, Some(json!({"name": "db"})));
        assert_eq!(b.action.target, "$.paths['/v1/b/{db}'].get.parameters[0]");
        assert_eq!(
            blockers[2].proposal.as_ref().unwrap().action.update,
            Some(json!({"required": true}))
        );
        assert_eq!(
            blockers[3].proposal.as_ref().unwrap().action.update,
            Some(json!({"name": "db"}))
        );
    }

    #[test]
    fn version_paths_and_references() {
        let mut d = doc(json!({"/v1/x": {"get": {"operationId": "x",
            "responses": {"200": {"$ref": "#/components/responses/Missing"}}}}}));
        d["openapi"] = json!("3.1.0");
        let found = problems(&d);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].contains("`openapi: 3.1.0`"));
        assert!(found[1].contains("#/components/responses/Missing"));
        assert!(problems(&json!({"openapi": "3.0.1"}))[0].contains("no `paths`"));
    }
}
