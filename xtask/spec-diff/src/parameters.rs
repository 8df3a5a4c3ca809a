//! Parameters of a matched operation: added, removed, required-ness, deprecation,
//! schema changes, path parameters renamed in place, and path parameters that the
//! URL template named all along but the old document did not declare (declaring
//! them adds nothing to requests).
//!
//! The effective parameters of an operation are those of its path item overridden
//! by its own (same `in` and `name`), with `$ref`s resolved. Parameters are matched by
//! `in` and `name`; path parameters renamed in place (see [`renamed_path_parameters`])
//! are matched under their new name. Path parameters are always required.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::context::{Ctx, OpRef, is_true};
use crate::resolve::{Resolver, escape};
use crate::schemas::{self, Area};

/// One side of a matched operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpSide<'a> {
    /// The path template, e.g. `/v1/organizations/{organizationSlug}`.
    pub(crate) path: &'a str,
    /// The (resolved) path item.
    pub(crate) item: &'a Value,
    /// The operation object.
    pub(crate) operation: &'a Value,
}

/// The shape of a path template: every `{name}` becomes `{}`.
pub(crate) fn path_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        shape.push_str(&rest[..open]);
        shape.push_str("{}");
        rest = &rest[open + close + 1..];
    }
    shape.push_str(rest);
    shape
}

/// The parameter names of a path template, in order.
pub(crate) fn path_names(path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    names
}

/// For two templates of the same shape, the path parameters renamed in place:
/// old name to new name.
pub(crate) fn renamed_path_parameters(old: &str, new: &str) -> BTreeMap<String, String> {
    if path_shape(old) != path_shape(new) {
        return BTreeMap::new();
    }
    path_names(old)
        .into_iter()
        .zip(path_names(new))
        .filter(|(o, n)| o != n)
        .map(|(o, n)| (o.to_owned(), n.to_owned()))
        .collect()
}

/// The effective parameters of an operation, keyed by (`in`, `name`).
fn effective<'a>(
    resolver: Resolver<'a>,
    side: OpSide<'a>,
) -> BTreeMap<(String, String), &'a Value> {
    let mut params = BTreeMap::new();
    for list in [
        side.item.get("parameters"),
        side.operation.get("parameters"),
    ] {
        for param in list.and_then(Value::as_array).into_iter().flatten() {
            let Ok(param) = resolver.resolve(param) else {
                continue;
            };
            let name = param.get("name").and_then(Value::as_str);
            let location = param.get("in").and_then(Value::as_str);
            if let (Some(name), Some(location)) = (name, location) {
                params.insert((location.to_owned(), name.to_owned()), param);
            }
        }
    }
    params
}

fn is_required(location: &str, param: &Value) -> bool {
    location == "path" || is_true(param, "required")
}

/// The schema of a parameter: `schema`, or the schema of its (only) `content` entry.
fn schema_of(param: &Value) -> Option<&Value> {
    param.get("schema").or_else(|| {
        param
            .get("content")?
            .as_object()?
            .values()
            .find_map(|media| media.get("schema"))
    })
}

/// Compares the parameters of a matched operation.
pub(crate) fn compare<'a>(
    ctx: &mut Ctx<'a>,
    op: &OpRef,
    old: OpSide<'a>,
    new: OpSide<'a>,
    renames: &BTreeMap<String, String>,
) {
    for (old_name, new_name) in renames {
        let path = op.at(&format!("parameters/path/{}", escape(new_name)));
        ctx.emit(
            "path-parameter-renamed",
            op.label(),
            path,
            format!("path parameter `{old_name}` was renamed to `{new_name}`"),
        )
        .sdk_note = Some(format!(
            "the wire request is unchanged (same URL shape), but the generated builder method \
             for this parameter is renamed (`{old_name}` -> `{new_name}`)"
        ));
    }

    let old_params: BTreeMap<(String, String), &Value> = effective(ctx.old, old)
        .into_iter()
        .map(|((location, name), param)| {
            let name = match renames.get(&name) {
                Some(renamed) if location == "path" => renamed.clone(),
                _ => name,
            };
            ((location, name), param)
        })
        .collect();
    let new_params = effective(ctx.new, new);
    // The old template's names, under their new names where renamed in place.
    let old_template_names: std::collections::BTreeSet<String> = path_names(old.path)
        .into_iter()
        .map(|name| {
            renames
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.to_owned())
        })
        .collect();

    let keys: std::collections::BTreeSet<&(String, String)> =
        old_params.keys().chain(new_params.keys()).collect();
    for key in keys {
        let (location, name) = key;
        let loc = format!("parameters/{}/{}", escape(location), escape(name));
        let path = op.at(&loc);
        let subject = format!("{location} parameter `{name}`");
        match (old_params.get(key), new_params.get(key)) {
            (None, Some(param)) => {
                if location == "path" && old_template_names.contains(name.as_str()) {
                    // Upstream only declared what the URL already said.
                    ctx.emit(
                        "path-parameter-declared",
                        op.label(),
                        path,
                        format!(
                            "path parameter `{name}`, already in the URL template, is now declared"
                        ),
                    );
                } else if is_required(location, param) {
                    ctx.emit(
                        "request-parameter-added-required",
                        op.label(),
                        path,
                        format!("required {subject} was added"),
                    );
                } else {
                    ctx.emit(
                        "request-parameter-added-optional",
                        op.label(),
                        path,
                        format!("optional {subject} was added"),
                    );
                }
            }
            (Some(_), None) => {
                ctx.emit(
                    "request-parameter-removed",
                    op.label(),
                    path,
                    format!("{subject} was removed"),
                );
            }
            (Some(old_param), Some(new_param)) => {
                match (
                    is_required(location, old_param),
                    is_required(location, new_param),
                ) {
                    (false, true) => {
                        ctx.emit(
                            "request-parameter-became-required",
                            op.label(),
                            path.clone(),
                            format!("{subject} became required"),
                        );
                    }
                    (true, false) => {
                        ctx.emit(
                            "request-parameter-became-optional",
                            op.label(),
                            path.clone(),
                            format!("{subject} became optional"),
                        );
                    }
                    _ => {}
                }
                match (
                    is_true(old_param, "deprecated"),
                    is_true(new_param, "deprecated"),
                ) {
                    (false, true) => {
                        ctx.emit(
                            "request-parameter-deprecated",
                            op.label(),
                            path,
                            format!("{subject} is now deprecated"),
                        );
                    }
                    (true, false) => {
                        ctx.emit(
                            "request-parameter-deprecation-removed",
                            op.label(),
                            path,
                            format!("{subject} is no longer deprecated"),
                        );
                    }
                    _ => {}
                }
                if let (Some(old_schema), Some(new_schema)) =
                    (schema_of(old_param), schema_of(new_param))
                {
                    schemas::compare(
                        ctx,
                        op,
                        Area::Parameter,
                        old_schema,
                        new_schema,
                        &format!("{loc}/schema"),
                        &subject,
                    );
                }
            }
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_names() {
        assert_eq!(path_shape("/v1/o/{org}/db/{name}"), "/v1/o/{}/db/{}");
        assert_eq!(path_shape("/broken/{x"), "/broken/{x");
        assert_eq!(path_names("/v1/o/{org}/db/{name}"), ["org", "name"]);
        assert!(path_names("/v1/{").is_empty());
        let renames = renamed_path_parameters(
            "/o/{organizationName}/d/{db}",
            "/o/{organizationSlug}/d/{db}",
        );
        assert_eq!(renames.len(), 1);
        assert_eq!(renames["organizationName"], "organizationSlug");
        assert!(renamed_path_parameters("/a/{x}", "/b/{y}").is_empty());
    }
}
