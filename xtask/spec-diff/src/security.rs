//! Security requirements, at the root and per operation.
//!
//! A `security` list holds alternatives; each alternative names schemes (with scopes)
//! that must all be satisfied. Lists are compared as sets of alternatives:
//!
//! - none before, some now: `security-added` (breaking: anonymous calls now fail);
//! - some before, none now: `security-removed` (non-breaking);
//! - both non-empty and different: `security-changed` (breaking).
//!
//! The root list is compared once (path `security`, no operation). An operation's
//! effective requirements (its own `security`, else the root's) are compared only when
//! it declares `security` on either side; otherwise the root comparison covers it.
//! The security schemes themselves (`components/securitySchemes`) are not compared.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::context::{Ctx, OpRef};

type Requirement = BTreeMap<String, BTreeSet<String>>;

/// A `security` value as a set of alternatives; anything that is not a list is none.
fn requirements(value: Option<&Value>) -> BTreeSet<Requirement> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|alternative| {
            alternative
                .iter()
                .map(|(scheme, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect();
                    (scheme.clone(), scopes)
                })
                .collect()
        })
        .collect()
}

fn describe(requirements: &BTreeSet<Requirement>) -> String {
    let alternatives: Vec<String> = requirements
        .iter()
        .map(|alternative| {
            if alternative.is_empty() {
                return "anonymous".to_owned();
            }
            alternative
                .iter()
                .map(|(scheme, scopes)| {
                    if scopes.is_empty() {
                        scheme.clone()
                    } else {
                        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
                        format!("{scheme}[{}]", scopes.join(","))
                    }
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    alternatives.join(" | ")
}

fn compare_sets(
    ctx: &mut Ctx<'_>,
    operation: Option<&str>,
    path: String,
    old: &BTreeSet<Requirement>,
    new: &BTreeSet<Requirement>,
) {
    if old == new {
        return;
    }
    match (old.is_empty(), new.is_empty()) {
        (true, _) => {
            ctx.emit(
                "security-added",
                operation,
                path,
                format!("security requirements were added: {}", describe(new)),
            );
        }
        (false, true) => {
            ctx.emit(
                "security-removed",
                operation,
                path,
                format!(
                    "security requirements were removed (were: {})",
                    describe(old)
                ),
            );
        }
        (false, false) => {
            ctx.emit(
                "security-changed",
                operation,
                path,
                format!(
                    "security requirements changed from {} to {}",
                    describe(old),
                    describe(new)
                ),
            );
        }
    }
}

/// Compares the root `security` of both documents.
pub(crate) fn compare_root(ctx: &mut Ctx<'_>) {
    let old = requirements(ctx.old.root().get("security"));
    let new = requirements(ctx.new.root().get("security"));
    compare_sets(ctx, None, "security".to_owned(), &old, &new);
}

/// Compares the effective security of a matched operation when it declares its own.
pub(crate) fn compare_operation(ctx: &mut Ctx<'_>, op: &OpRef, old: &Value, new: &Value) {
    let (old_own, new_own) = (old.get("security"), new.get("security"));
    if old_own.is_none() && new_own.is_none() {
        return;
    }
    let old_effective = requirements(old_own.or_else(|| ctx.old.root().get("security")));
    let new_effective = requirements(new_own.or_else(|| ctx.new.root().get("security")));
    compare_sets(
        ctx,
        op.label(),
        op.at("security"),
        &old_effective,
        &new_effective,
    );
}
