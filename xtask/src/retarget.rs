//! Is a patch action that matches nothing obsolete, or did its target move?
//!
//! A patch selects what it corrects by path (`$.paths['/v1/...']`) and often
//! by operationId. When upstream renames a path parameter (same URL shape) or
//! an operationId, or moves an operation (same operationId, another path), the
//! defect is still there, under another name. This module rewrites the
//! action's target with the renames found between the spec the SDK was
//! generated from and the new one, and tries it: when the re-targeted action
//! applies, the target moved (and the re-targeted action is the fix);
//! otherwise the defect is taken to be gone upstream.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::openapi;
use crate::overlay::Action;

/// A re-targeted action that applies to the new spec, and the JSON pointers
/// of what it selects there.
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// The action with its target rewritten.
    pub action: Action,
    /// Where the defect now is.
    pub at: Vec<String>,
}

/// Paths and operationIds renamed from `old` to `new`: old → new.
#[derive(Debug, Default)]
struct Renames {
    paths: BTreeMap<String, String>,
    ids: BTreeMap<String, String>,
}

fn renames(old: &Value, new: &Value) -> Renames {
    let mut found = Renames::default();
    let old_ops = openapi::operations(old);
    let new_ops = openapi::operations(new);
    let has_path = |doc: &Value, path: &str| doc.get("paths").and_then(|p| p.get(path)).is_some();
    for op in &old_ops {
        if has_path(new, op.path) || found.paths.contains_key(op.path) {
            continue;
        }
        // Same operationId elsewhere, else the only new path of the same shape.
        let by_id = op.id().and_then(|id| {
            new_ops
                .iter()
                .find(|n| n.id() == Some(id) && !has_path(old, n.path))
        });
        let shape = openapi::path_shape(op.path);
        let mut alike = new_ops
            .iter()
            .filter(|n| openapi::path_shape(n.path) == shape && !has_path(old, n.path))
            .map(|n| n.path)
            .collect::<Vec<_>>();
        alike.dedup();
        let to = by_id.map(|n| n.path).or(if alike.len() == 1 {
            Some(alike[0])
        } else {
            None
        });
        if let Some(to) = to {
            found.paths.insert(op.path.to_string(), to.to_string());
        }
    }
    for op in &old_ops {
        let (Some(id), path) = (
            op.id(),
            found.paths.get(op.path).map_or(op.path, String::as_str),
        ) else {
            continue;
        };
        if let Some(now) = openapi::find(new, path, op.method).and_then(|n| n.id())
            && now != id
        {
            found.ids.insert(id.to_string(), now.to_string());
        }
    }
    found
}

/// Replaces each quoted occurrence (`'x'` or `"x"`) of a key of `map` in `target`.
fn substitute(target: &str, map: &BTreeMap<String, String>) -> String {
    let mut out = target.to_string();
    for (from, to) in map {
        out = out
            .replace(&openapi::quote(from), &openapi::quote(to))
            .replace(&format!("\"{from}\""), &format!("\"{to}\""));
    }
    out
}

/// For an action whose target matches nothing in `doc` (the new spec as
/// patched so far), the re-targeted action that applies there, given `old`,
/// the effective spec the SDK was generated from. `None`: no moved target
/// was found, so the defect looks fixed upstream.
pub fn moved(action: &Action, doc: &Value, old: &Value) -> Option<Moved> {
    let found = renames(old, doc);
    let target = substitute(&substitute(&action.target, &found.paths), &found.ids);
    if target == action.target {
        return None;
    }
    let candidate = Action {
        target,
        ..action.clone()
    };
    let at = candidate.selected(doc);
    candidate.apply(&mut doc.clone()).ok()?;
    Some(Moved {
        action: candidate,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn action(target: &str) -> Action {
        Action {
            target: target.into(),
            description: Some("Defect: email is not a property.".into()),
            update: None,
            remove: true,
        }
    }

    fn members(path: &str, id: &str, required: Value) -> Value {
        json!({"paths": {path: {"post": {"operationId": id,
            "requestBody": {"content": {"application/json": {"schema": {"required": required}}}}}}}})
    }

    #[test]
    fn a_renamed_path_parameter_moves_the_target() {
        let old = members(
            "/v1/o/{organizationSlug}/members",
            "addMember",
            json!(["email"]),
        );
        let new = members(
            "/v1/o/{organizationName}/members",
            "addMember",
            json!(["email"]),
        );
        let patch = action(
            "$.paths['/v1/o/{organizationSlug}/members'].post.requestBody.content['application/json'].schema.required[?@ == 'email']",
        );
        let moved = moved(&patch, &new, &old).unwrap();
        assert_eq!(
            moved.action.target,
            "$.paths['/v1/o/{organizationName}/members'].post.requestBody.content['application/json'].schema.required[?@ == 'email']"
        );
        assert_eq!(
            moved.at,
            [
                "/paths/~1v1~1o~1{organizationName}~1members/post/requestBody/content/application~1json/schema/required/0"
            ]
        );
    }

    #[test]
    fn a_renamed_operation_id_moves_the_target() {
        let old = members("/v1/members", "addMember", json!(["email"]));
        let new = members("/v1/members", "addOrganizationMember", json!(["email"]));
        let patch = action("$.paths['/v1/members'][?@.operationId == 'addMember'].requestBody");
        let moved = moved(&patch, &new, &old).unwrap();
        assert!(moved.action.target.contains("'addOrganizationMember'"));
    }

    #[test]
    fn a_fixed_defect_has_not_moved() {
        let old = members(
            "/v1/o/{organizationSlug}/members",
            "addMember",
            json!(["email"]),
        );
        let new = members(
            "/v1/o/{organizationName}/members",
            "addMember",
            json!(["username"]),
        );
        let patch = action(
            "$.paths['/v1/o/{organizationSlug}/members'].post.requestBody.content['application/json'].schema.required[?@ == 'email']",
        );
        assert_eq!(moved(&patch, &new, &old), None);
        assert_eq!(moved(&patch, &old, &old), None, "nothing renamed");
    }
}
