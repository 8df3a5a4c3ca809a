//! Component schemas added or removed.
//!
//! These are informational: a component matters through its uses, and changes inside
//! a component schema are reported at every operation that uses it.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::context::{Ctx, empty_map};
use crate::resolve::escape;

fn schemas(doc: &Value) -> Option<&Map<String, Value>> {
    doc.get("components")?.get("schemas")?.as_object()
}

/// Reports component schemas present on one side only.
pub(crate) fn compare(ctx: &mut Ctx<'_>) {
    let empty = empty_map();
    let old = schemas(ctx.old.root()).unwrap_or(empty);
    let new = schemas(ctx.new.root()).unwrap_or(empty);
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        let path = format!("components/schemas/{}", escape(name));
        match (old.contains_key(name), new.contains_key(name)) {
            (false, true) => {
                ctx.emit(
                    "component-schema-added",
                    Some(name),
                    path,
                    format!("component schema `{name}` was added"),
                );
            }
            (true, false) => {
                ctx.emit(
                    "component-schema-removed",
                    Some(name),
                    path,
                    format!("component schema `{name}` was removed"),
                );
            }
            _ => {}
        }
    }
}
