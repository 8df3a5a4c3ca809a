//! `$ref`s that cannot be resolved, in either document (`unresolved-ref`, info).
//!
//! The comparison skips whatever such a reference points to, so each one is reported
//! once here, at its location, rather than wherever the walk meets it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::context::Ctx;
use crate::resolve::{BrokenRef, broken_refs, escape};

/// Where a broken reference is, as a change path and operation.
fn place(doc: &Value, location: &[String]) -> (String, Option<String>) {
    let escaped = |segments: &[String]| {
        segments
            .iter()
            .map(|s| escape(s).into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    match location {
        [paths, path, method, rest @ ..]
            if paths == "paths"
                && [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ]
                .contains(&method.as_str()) =>
        {
            let label = doc
                .get("paths")
                .and_then(|p| p.get(path))
                .and_then(|item| item.get(method))
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
                .map_or_else(
                    || format!("{} {path}", method.to_ascii_uppercase()),
                    str::to_owned,
                );
            let location = format!("{} {path}", method.to_ascii_uppercase());
            let path = if rest.is_empty() {
                location
            } else {
                format!("{location} {}", escaped(rest))
            };
            (path, Some(label))
        }
        [components, schemas, name, ..] if components == "components" && schemas == "schemas" => {
            (escaped(location), Some(name.clone()))
        }
        _ => (escaped(location), None),
    }
}

/// What is known about the broken reference(s) at one place.
#[derive(Default)]
struct Found {
    reference: String,
    reason: &'static str,
    in_old: bool,
    in_new: bool,
}

/// Reports the broken references of both documents.
pub(crate) fn report(ctx: &mut Ctx<'_>) {
    let mut found: BTreeMap<(String, Option<String>), Found> = BTreeMap::new();
    for (doc, is_new) in [(ctx.old.root(), false), (ctx.new.root(), true)] {
        for BrokenRef {
            location,
            reference,
            error,
        } in broken_refs(doc)
        {
            let entry = found.entry(place(doc, &location)).or_default();
            // The new document's reference wins when both are broken at one place.
            entry.reference = reference;
            entry.reason = error.describe();
            if is_new {
                entry.in_new = true;
            } else {
                entry.in_old = true;
            }
        }
    }
    for ((path, operation), found) in found {
        let side = match (found.in_old, found.in_new) {
            (true, true) => "both documents",
            (true, false) => "the old document",
            _ => "the new document",
        };
        ctx.emit(
            "unresolved-ref",
            operation.as_deref(),
            path,
            format!(
                "`{}` cannot be resolved in {side} ({}); not compared",
                found.reference, found.reason
            ),
        );
    }
}
