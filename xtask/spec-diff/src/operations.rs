//! Operations: matching the old ones with the new ones, and operation-level rules.
//!
//! Operations are matched in three passes, each only among those still unmatched:
//!
//! 1. same method and same path template;
//! 2. same method and same path *shape* (parameter names ignored), when exactly one
//!    operation on each side has it: a path parameter was renamed in place;
//! 3. same operationId, when it is unique in both documents: the operation moved
//!    (`operation-path-changed` and/or `operation-method-changed`).
//!
//! What remains is `operation-removed` (old side) or `operation-added` (new side).
//! Matched operations are then compared in depth: operationId, deprecation, security,
//! parameters, request body and responses.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::bodies;
use crate::context::{Ctx, OpRef, is_true};
use crate::parameters::{self, OpSide, path_shape};
use crate::resolve::Resolver;
use crate::security;

/// The HTTP methods a path item can hold, in OpenAPI order.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a document.
#[derive(Debug, Clone)]
struct Operation<'a> {
    method: &'static str,
    side: OpSide<'a>,
    shape: String,
    id: Option<&'a str>,
}

impl Operation<'_> {
    /// `METHOD /path`.
    fn location(&self) -> String {
        format!("{} {}", self.method.to_ascii_uppercase(), self.side.path)
    }

    /// The operationId, or `METHOD /path`.
    fn label(&self) -> String {
        self.id.map_or_else(|| self.location(), str::to_owned)
    }
}

/// Every operation of a document, in path then method order.
fn collect(resolver: Resolver<'_>) -> Vec<Operation<'_>> {
    let Some(paths) = resolver.root().get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = paths.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    let mut operations = Vec::new();
    for (path, item) in paths {
        let Ok(item) = resolver.resolve(item) else {
            continue;
        };
        for method in METHODS {
            let Some(operation) = item.get(method).filter(|o| o.is_object()) else {
                continue;
            };
            operations.push(Operation {
                method,
                side: OpSide {
                    path,
                    item,
                    operation,
                },
                shape: path_shape(path),
                id: operation.get("operationId").and_then(Value::as_str),
            });
        }
    }
    operations
}

/// How a pair of operations was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    /// Same method and path template or shape.
    InPlace,
    /// Same operationId, different method or shape.
    Moved,
}

/// Matches old operations with new ones: (old index, new index, how).
fn match_operations(old: &[Operation<'_>], new: &[Operation<'_>]) -> Vec<(usize, usize, Match)> {
    let mut old_taken = vec![false; old.len()];
    let mut new_taken = vec![false; new.len()];
    let mut pairs = Vec::new();

    // 1. Same method and path template.
    let by_path: HashMap<(&str, &str), usize> = new
        .iter()
        .enumerate()
        .map(|(i, op)| ((op.method, op.side.path), i))
        .collect();
    for (i, op) in old.iter().enumerate() {
        if let Some(&j) = by_path.get(&(op.method, op.side.path)) {
            old_taken[i] = true;
            new_taken[j] = true;
            pairs.push((i, j, Match::InPlace));
        }
    }

    // 2. Same method and path shape, unique on both sides.
    let unique_by = |ops: &[Operation<'_>], taken: &[bool]| {
        let mut seen: BTreeMap<(&'static str, String), Option<usize>> = BTreeMap::new();
        for (i, op) in ops.iter().enumerate().filter(|(i, _)| !taken[*i]) {
            seen.entry((op.method, op.shape.clone()))
                .and_modify(|slot| *slot = None)
                .or_insert(Some(i));
        }
        seen
    };
    let old_shapes = unique_by(old, &old_taken);
    let new_shapes = unique_by(new, &new_taken);
    for (key, i) in &old_shapes {
        if let (Some(i), Some(Some(j))) = (i, new_shapes.get(key)) {
            old_taken[*i] = true;
            new_taken[*j] = true;
            pairs.push((*i, *j, Match::InPlace));
        }
    }

    // 3. Same operationId, unique in each document.
    let ids = |ops: &[Operation<'_>]| {
        let mut ids: HashMap<String, Option<usize>> = HashMap::new();
        for (i, op) in ops.iter().enumerate() {
            if let Some(id) = op.id {
                ids.entry(id.to_owned())
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(i));
            }
        }
        ids
    };
    let new_ids = ids(new);
    for (id, i) in ids(old) {
        if let (Some(i), Some(Some(j))) = (i, new_ids.get(&id))
            && !old_taken[i]
            && !new_taken[*j]
        {
            old_taken[i] = true;
            new_taken[*j] = true;
            pairs.push((i, *j, Match::Moved));
        }
    }

    pairs
        .into_iter()
        .chain(
            old_taken
                .iter()
                .enumerate()
                .filter(|(_, taken)| !**taken)
                .map(|(i, _)| (i, usize::MAX, Match::InPlace)),
        )
        .chain(
            new_taken
                .iter()
                .enumerate()
                .filter(|(_, taken)| !**taken)
                .map(|(j, _)| (usize::MAX, j, Match::InPlace)),
        )
        .collect()
}

/// Compares the operations of both documents.
pub(crate) fn compare(ctx: &mut Ctx<'_>) {
    let old = collect(ctx.old);
    let new = collect(ctx.new);
    for (i, j, how) in match_operations(&old, &new) {
        match (old.get(i), new.get(j)) {
            (Some(old_op), Some(new_op)) => compare_matched(ctx, old_op, new_op, how),
            (Some(old_op), None) => {
                let label = old_op.label();
                ctx.emit(
                    "operation-removed",
                    Some(&label),
                    old_op.location(),
                    format!("operation `{label}` was removed"),
                );
            }
            (None, Some(new_op)) => {
                let label = new_op.label();
                ctx.emit(
                    "operation-added",
                    Some(&label),
                    new_op.location(),
                    format!("operation `{label}` was added"),
                );
            }
            (None, None) => {}
        }
    }
}

fn compare_matched<'a>(ctx: &mut Ctx<'a>, old: &Operation<'a>, new: &Operation<'a>, how: Match) {
    let op = OpRef {
        label: new
            .id
            .or(old.id)
            .map_or_else(|| new.location(), str::to_owned),
        location: new.location(),
    };

    if how == Match::Moved {
        if old.shape != new.shape {
            ctx.emit(
                "operation-path-changed",
                op.label(),
                op.at(""),
                format!(
                    "operation `{}` moved from `{}` to `{}`",
                    op.label, old.side.path, new.side.path
                ),
            );
        }
        if old.method != new.method {
            ctx.emit(
                "operation-method-changed",
                op.label(),
                op.at(""),
                format!(
                    "operation `{}` changed method from {} to {}",
                    op.label,
                    old.method.to_ascii_uppercase(),
                    new.method.to_ascii_uppercase()
                ),
            );
        }
    }

    if old.id != new.id {
        let (message, note) = match (old.id, new.id) {
            (Some(o), Some(n)) => (
                format!("operationId changed from `{o}` to `{n}`"),
                format!(
                    "the wire request is unchanged, but the generated client method is renamed \
                     (`{o}` -> `{n}`)"
                ),
            ),
            (None, Some(n)) => (
                format!("operationId `{n}` was added"),
                format!(
                    "the wire request is unchanged, but the generated client method is now \
                     named after `{n}`"
                ),
            ),
            (Some(o), None) => (
                format!("operationId `{o}` was removed"),
                format!(
                    "the wire request is unchanged, but the generated client method `{o}` is \
                     renamed or no longer generated"
                ),
            ),
            (None, None) => (String::new(), String::new()),
        };
        ctx.emit("operation-id-changed", op.label(), op.at(""), message)
            .sdk_note = Some(note);
    }

    match (
        is_true(old.side.operation, "deprecated"),
        is_true(new.side.operation, "deprecated"),
    ) {
        (false, true) => {
            ctx.emit(
                "operation-deprecated",
                op.label(),
                op.at(""),
                format!("operation `{}` is now deprecated", op.label),
            );
        }
        (true, false) => {
            ctx.emit(
                "operation-deprecation-removed",
                op.label(),
                op.at(""),
                format!("operation `{}` is no longer deprecated", op.label),
            );
        }
        _ => {}
    }

    security::compare_operation(ctx, &op, old.side.operation, new.side.operation);

    let renames = parameters::renamed_path_parameters(old.side.path, new.side.path);
    parameters::compare(ctx, &op, old.side, new.side, &renames);
    bodies::compare_request(ctx, &op, old.side, new.side);
    bodies::compare_responses(ctx, &op, old.side, new.side);
}
