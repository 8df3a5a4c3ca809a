//! Names across upstream versions: the operationIds progenitor needs, and the
//! patch targets that follow renamed paths and operationIds.
//!
//! progenitor names each generated method after the operationId in
//! snake_case and refuses a document where one is missing or used twice; two
//! ids that snake_case the same (`getDB`, `getDb`) it accepts, giving two
//! methods of one name. Each is a defect fixed by an overlay action that sets
//! the operationId: the proposed name is the one the operation had in the
//! spec the SDK was generated from (matched by method and path, or by path
//! shape when a path parameter was renamed), so the generated methods keep
//! their names; otherwise a name derived from method and path.
//!
//! A patch action that matches nothing may have lost its target to such a
//! rename (same URL shape, same operationId elsewhere): [`moved`] rewrites the
//! target with the renames found and tries it; when it applies, the target
//! moved and the re-targeted action is the fix, otherwise the defect is taken
//! to be gone upstream.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::blockers::{Blocker, action};
use crate::openapi::{self, Op};
use crate::patches::Action;

/// `GET /v1/organizations/{organizationSlug}/databases` → `getV1OrganizationsByOrganizationSlugDatabases`.
pub fn derived_operation_id(method: &str, path: &str) -> String {
    use heck::ToUpperCamelCase;
    let mut id = method.to_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            id.push_str("By");
            id.push_str(&param.to_upper_camel_case());
        } else {
            id.push_str(&segment.to_upper_camel_case());
        }
    }
    id
}

/// The name progenitor gives the generated method (its `sanitize` in snake
/// case, closely enough to tell collisions).
pub fn method_name(id: &str) -> String {
    use heck::ToSnakeCase;
    id.replace('\'', "")
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
        .to_snake_case()
}

/// The operationId the operation at `op` had in `old`: same method and path,
/// else the same method on the only path of the same shape.
fn previous_id<'a>(old: Option<&'a Value>, op: &Op) -> Option<&'a str> {
    let old_ops = openapi::operations(old?);
    if let Some(same) = old_ops
        .iter()
        .find(|o| o.path == op.path && o.method == op.method)
    {
        return same.id();
    }
    let shape = openapi::path_shape(op.path);
    let mut alike = old_ops
        .iter()
        .filter(|o| o.method == op.method && openapi::path_shape(o.path) == shape);
    match (alike.next(), alike.next()) {
        (Some(only), None) => only.id(),
        _ => None,
    }
}

/// Every missing, blank or clashing operationId of `doc`, each with the
/// overlay action that names the operation; `old` is the effective spec the
/// SDK was generated from, to propose the names it had.
pub fn check(doc: &Value, old: Option<&Value>) -> Vec<Blocker> {
    let ops = openapi::operations(doc);
    let mut by_method: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, op) in ops.iter().enumerate() {
        if let Some(id) = op.id() {
            by_method.entry(method_name(id)).or_default().push(index);
        }
    }
    let mut taken: BTreeSet<String> = by_method.keys().cloned().collect();
    // A name for an operation that does not clash with any other.
    let mut choose = |op: &Op, avoid: Option<&str>| -> String {
        let previous = previous_id(old, op)
            .filter(|id| Some(*id) != avoid && !taken.contains(&method_name(id)));
        let mut name = previous
            .map(str::to_string)
            .unwrap_or_else(|| derived_operation_id(op.method, op.path));
        while taken.contains(&method_name(&name)) {
            name.push('2');
        }
        taken.insert(method_name(&name));
        name
    };

    let mut out = Vec::new();
    for op in &ops {
        if op.id().is_some() {
            continue;
        }
        let name = choose(op, None);
        let previously = if previous_id(old, op) == Some(name.as_str()) {
            "its name in the spec the SDK was generated from"
        } else {
            "a name derived from method and path; choose a better one if you like"
        };
        out.push(
            Blocker::new(
                Some(op.method_path()),
                op.pointer(&["operationId"]),
                "the operation has no operationId, which progenitor needs to name its method",
                format!("name it `{name}` ({previously})"),
            )
            .with_new_action(action(
                op.target(),
                format!("Defect: {} has no operationId.", op.method_path()),
                Some(json!({ "operationId": name })),
            )),
        );
    }
    for indices in by_method.values().filter(|v| v.len() > 1) {
        // Keep the id where the old spec had it; rename the others.
        let keeper = indices
            .iter()
            .copied()
            .find(|i| previous_id(old, &ops[*i]) == ops[*i].id())
            .unwrap_or(indices[0]);
        let all: Vec<String> = indices.iter().map(|i| ops[*i].method_path()).collect();
        for &index in indices.iter().filter(|i| **i != keeper) {
            let op = &ops[index];
            let id = op.id().unwrap_or_default();
            let name = choose(op, Some(id));
            out.push(
                Blocker::new(
                    Some(op.label()),
                    op.pointer(&["operationId"]),
                    format!(
                        "operationId `{id}` names {} operations ({}): progenitor needs one \
                         method name per operation",
                        all.len(),
                        all.join(", ")
                    ),
                    format!(
                        "rename this one `{name}`, keeping `{id}` for {}",
                        ops[keeper].method_path()
                    ),
                )
                .with_new_action(action(
                    op.target(),
                    format!(
                        "Defect: operationId `{id}` is also used by {}.",
                        ops[keeper].method_path()
                    ),
                    Some(json!({ "operationId": name })),
                )),
            );
        }
    }
    out
}

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

    // ---- operation_ids
    fn ok() -> Value {
        json!({"200": {"description": "ok"}})
    }

    #[test]
    fn missing_ids_get_their_old_names_or_derived_ones() {
        let old = json!({"paths": {"/v1/o/{orgName}/dbs": {"get": {"operationId": "listDbs"}}}});
        let new = json!({"paths": {
            "/v1/o/{orgSlug}/dbs": {"get": {"responses": ok()}},
            "/v1/widgets": {"post": {"responses": ok()}}
        }});
        let blockers = check(&new, Some(&old));
        assert_eq!(blockers.len(), 2, "{blockers:#?}");
        let names: Vec<&Value> = blockers
            .iter()
            .map(|b| &b.proposal.as_ref().unwrap().action.update.as_ref().unwrap()["operationId"])
            .collect();
        assert_eq!(names, [&json!("listDbs"), &json!("postV1Widgets")]);
        assert_eq!(
            blockers[0].proposal.as_ref().unwrap().action.target,
            "$.paths['/v1/o/{orgSlug}/dbs'].get"
        );
    }

    #[test]
    fn a_duplicate_keeps_its_old_owner_and_the_other_gets_its_old_name() {
        let old = json!({"paths": {
            "/v1/a": {"get": {"operationId": "getA"}},
            "/v1/b": {"get": {"operationId": "getB"}}
        }});
        let new = json!({"paths": {
            "/v1/a": {"get": {"operationId": "getB", "responses": ok()}},
            "/v1/b": {"get": {"operationId": "getB", "responses": ok()}}
        }});
        let blockers = check(&new, Some(&old));
        assert_eq!(blockers.len(), 1, "{blockers:#?}");
        assert!(blockers[0].problem.contains("GET /v1/a, GET /v1/b"));
        let proposal = &blockers[0].proposal.as_ref().unwrap().action;
        assert_eq!(proposal.target, "$.paths['/v1/a'].get");
        assert_eq!(proposal.update, Some(json!({"operationId": "getA"})));
    }

    #[test]
    fn ids_that_snake_case_alike_clash() {
        let new = json!({"paths": {
            "/v1/a": {"get": {"operationId": "getDB"}},
            "/v1/b": {"get": {"operationId": "getDb"}}
        }});
        let blockers = check(&new, None);
        assert_eq!(blockers.len(), 1, "{blockers:#?}");
        assert_eq!(
            blockers[0].proposal.as_ref().unwrap().action.update,
            Some(json!({"operationId": "getV1B"}))
        );
        assert_eq!(
            derived_operation_id(
                "delete",
                "/v1/organizations/{organizationSlug}/api-tokens/{tokenId}"
            ),
            "deleteV1OrganizationsByOrganizationSlugApiTokensByTokenId"
        );
    }

    // ---- retarget
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
