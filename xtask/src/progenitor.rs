//! progenitor, asked about a whole spec and, when it fails, about each part
//! alone: what the operations share, then every operation by itself. What it
//! says is the report, by operation, with an overlay action it accepts.

use quote::quote;
use serde_json::{Value, json};

use crate::blockers::{Blocker, action};
use crate::openapi::{self, Op};
use crate::patches::Action;

/// progenitor's client for `doc`, or what it said: why it cannot read the
/// document, its error, or its panic (it panics on some inputs instead of
/// returning an error).
pub fn generate(doc: &Value) -> std::result::Result<proc_macro2::TokenStream, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| format!("progenitor cannot read it as OpenAPI 3.0: {e}"))?;
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_inner_type(quote!(sdk_runtime::Transport))
        .with_hooks(progenitor::HooksMode::Expected);
    let mut generator = progenitor::Generator::new(&settings);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&spec)
    })) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!(
            "progenitor panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into())
        )),
    }
}

/// What progenitor fails on in `doc` (which failed as a whole with `whole`),
/// asked part by part: what every operation shares (the OpenAPI version,
/// components) with no operation; `$ref`s that do not resolve, which
/// progenitor reports with a bare `unwrap`; then each operation alone. A failing
/// operation gets the first candidate repair that progenitor accepts (see
/// `repairs`), else the action that leaves it out of the client.
pub fn diagnose(doc: &Value, whole: &str) -> Vec<Blocker> {
    let mut out = Vec::new();
    let mut shared = doc.clone();
    if let Some(paths) = shared.get_mut("paths") {
        *paths = json!({});
    }
    let shared_fails = generate(&shared).err();
    if let Some(message) = &shared_fails {
        out.push(Blocker::new(
            None,
            "/",
            format!("the generator fails on what the operations share (version, components): {message}"),
            "correct it with an overlay (progenitor 0.15 reads OpenAPI 3.0.x), or vendor a 3.0 document",
        ));
    }
    let mut skip = Vec::new();
    for (at, reference, why) in spec_diff::unresolved_refs(doc) {
        let op = match at.as_slice() {
            [paths, path, method, ..] if paths == "paths" => openapi::find(doc, path, method),
            _ => None,
        };
        skip.extend(op.map(|op| op.pointer(&[])));
        let segments: Vec<&str> = at.iter().map(String::as_str).collect();
        out.push(Blocker::new(
            op.map(|op| op.label()),
            openapi::pointer(&segments),
            format!("`$ref: {reference}` cannot be resolved ({why})"),
            "add what it refers to, or point it at an existing component, with an overlay",
        ));
    }
    if shared_fails.is_none() {
        for op in openapi::operations(doc) {
            if skip.contains(&op.pointer(&[])) {
                continue;
            }
            let alone = alone(doc, &op);
            if let Err(message) = generate(&alone) {
                out.push(operation_blocker(&op, &alone, &message));
            }
        }
    }
    if out.is_empty() {
        out.push(Blocker::new(
            None,
            "/components",
            format!("the generator fails on the spec, but on no part alone: {whole}"),
            "the defect is in how the operations combine (a name used twice?): correct it with an overlay",
        ));
    }
    out
}

/// `doc` with `op` as its only operation (its path item's other keys kept).
fn alone(doc: &Value, op: &Op) -> Value {
    let item: serde_json::Map<String, Value> = op
        .item
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| key.as_str() == op.method || !openapi::METHODS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let mut alone = doc.clone();
    alone["paths"] = json!({ op.path: item });
    alone
}

/// The blocker of an operation progenitor fails on alone (`doc`, saying
/// `message`): the first repair it accepts, else leaving the operation out.
fn operation_blocker(op: &Op, doc: &Value, message: &str) -> Blocker {
    let problem = format!("the generator fails on this operation: {message}");
    let repaired = repairs(doc, op).into_iter().find(|repair| {
        let mut fixed = doc.clone();
        repair.apply(&mut fixed).is_ok() && generate(&fixed).is_ok()
    });
    let blocker = Blocker::new(Some(op.label()), op.pointer(&[]), problem, "");
    match repaired {
        Some(repair) => Blocker {
            fix: "apply the proposed action (progenitor generates the operation with it)".into(),
            ..blocker
        }
        .with_new_action(repair),
        None => Blocker {
            fix: "correct the operation with an overlay, or leave it out of the generated client \
                  (the proposed action) and write it by hand in the facade"
                .into(),
            ..blocker
        }
        .with_new_action(action(
            op.target(),
            format!(
                "Defect: progenitor cannot generate {}: {message}",
                op.method_path()
            ),
            None,
        )),
    }
}

/// Candidate repairs of what progenitor commonly cannot take in an
/// operation; [`operation_blocker`] keeps the first that makes it generate.
/// Path parameters: each template name declared once by that name and
/// required, none that progenitor cannot send (cookies). Request bodies: the
/// JSON one when several are offered, no `encoding`. JSON answers: a schema.
fn repairs(doc: &Value, op: &Op) -> Vec<Action> {
    let what = op.method_path();
    let mut out = Vec::new();
    let template = openapi::path_names(op.path);
    let params = parameter_list(doc, op);
    let location = |p: &Value| {
        p.get("in")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let name = |p: &Value| {
        p.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let undeclared: Vec<&str> = template
        .iter()
        .copied()
        .filter(|n| {
            !params
                .iter()
                .any(|(_, p)| location(p) == "path" && name(p) == *n)
        })
        .collect();
    for (target, p) in &params {
        let (name, location) = (name(p), location(p));
        match location.as_str() {
            "path" if !template.contains(&name.as_str()) => match undeclared.as_slice() {
                [only] => out.push(action(
                    target.clone(),
                    format!("Defect: path parameter `{name}` of {what} is called `{only}` in the path."),
                    Some(json!({"name": only})),
                )),
                _ => out.push(action(
                    target.clone(),
                    format!("Defect: path parameter `{name}` of {what} is not in the path."),
                    None,
                )),
            },
            "path" if p.get("required").and_then(Value::as_bool) != Some(true) => out.push(action(
                target.clone(),
                format!("Defect: path parameter `{name}` of {what} is not marked required."),
                Some(json!({"required": true})),
            )),
            "path" | "query" | "header" => {}
            other => out.push(action(
                target.clone(),
                format!("Defect: {what} has a `{other}` parameter `{name}`, which the generated client cannot send."),
                None,
            )),
        }
    }
    if !undeclared.is_empty() {
        let declared: Vec<Value> = undeclared
            .iter()
            .map(|n| json!({"name": n, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let description = format!(
            "Defect: the path of {what} names {}, but no parameter declares it.",
            undeclared
                .iter()
                .map(|n| format!("`{{{n}}}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        out.push(match op.operation.get("parameters") {
            Some(_) => action(
                format!("{}.parameters", op.target()),
                description,
                Some(json!(declared)),
            ),
            None => action(
                op.target(),
                description,
                Some(json!({"parameters": declared})),
            ),
        });
    }
    // A body defined in components is changed there.
    let raw = op.operation.get("requestBody");
    let body_target = match raw.and_then(|b| b.get("$ref")).and_then(Value::as_str) {
        Some(reference) => format!(
            "$.components.requestBodies[{}]",
            openapi::quote(reference.rsplit('/').next().unwrap_or(reference))
        ),
        None => format!("{}.requestBody", op.target()),
    };
    let content = raw
        .and_then(|b| openapi::resolve(doc, b))
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object);
    for (media_type, media) in content.into_iter().flatten() {
        let at = format!("{body_target}.content[{}]", openapi::quote(media_type));
        if media_type != "application/json"
            && content.is_some_and(|c| c.contains_key("application/json"))
        {
            out.push(action(
                at.clone(),
                format!("Defect: {what} also accepts `{media_type}`, which the generated client cannot send; it sends JSON."),
                None,
            ));
        }
        if media.get("encoding").is_some() {
            out.push(action(
                format!("{at}.encoding"),
                format!("Defect: the body of {what} has an `encoding` progenitor cannot generate."),
                None,
            ));
        }
    }
    let responses = op.operation.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        let content = response.get("content").and_then(Value::as_object);
        for (media_type, media) in content.into_iter().flatten() {
            if media_type.starts_with("application/json") && media.get("schema").is_none() {
                out.push(action(
                    format!(
                        "{}.responses[{}].content[{}]",
                        op.target(),
                        openapi::quote(status),
                        openapi::quote(media_type)
                    ),
                    format!("Defect: the `{status}` answer of {what} is JSON without a schema."),
                    Some(json!({"schema": {}})),
                ));
            }
        }
    }
    out
}

/// The operation's parameters (path item's, then its own), `$ref`s followed,
/// each with the JSONPath of its place in the list.
fn parameter_list<'a>(doc: &'a Value, op: &Op<'a>) -> Vec<(String, &'a Value)> {
    let mut list = Vec::new();
    let item_target = format!("$.paths[{}]", openapi::quote(op.path));
    for (owner, target) in [(op.item, item_target), (op.operation, op.target())] {
        let params = owner.get("parameters").and_then(Value::as_array);
        for (index, param) in params.into_iter().flatten().enumerate() {
            if let Some(param) = openapi::resolve(doc, param) {
                list.push((format!("{target}.parameters[{index}]"), param));
            }
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(paths: Value) -> Value {
        json!({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    fn check(doc: &Value) -> Vec<Blocker> {
        let whole = generate(doc).expect_err("the document fails as a whole");
        diagnose(doc, &whole)
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
        assert!(
            blockers[0].problem.contains("multipart/form-data"),
            "{blockers:#?}"
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
        assert!(found[0].contains("invalid version: 3.1.0"), "{found:#?}");
        assert!(found[1].contains("#/components/responses/Missing"));
        d.as_object_mut().unwrap().shift_remove("paths");
        d["openapi"] = json!("3.0.1");
        assert!(problems(&d)[0].contains("missing field `paths`"));
    }
}
