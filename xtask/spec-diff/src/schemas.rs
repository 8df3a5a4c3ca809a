//! Recursive comparison of two schemas in a direction (request or response).
//!
//! Both schemas are resolved (`$ref`s followed) before they are compared, so a change
//! inside a component schema is reported at every place that uses it. The walk
//! descends into `properties`, `items`, `additionalProperties` (when both sides are
//! schemas) and `allOf` / `oneOf` / `anyOf` (members compared by position).
//!
//! A pair of schemas already being compared higher up the walk (a recursive schema)
//! is not compared again, and the walk stops at [`MAX_DEPTH`].
//!
//! At every node the walk compares deprecation, nullability, the type (type, format,
//! enum-ness: when it changed nothing below is compared), enum values, the validation
//! keywords listed in [`crate::constraints`] (tighter or looser, judged by direction)
//! and `discriminator.propertyName`. A validation keyword or discriminator change is
//! located at the keyword (`.../properties/name/maxLength`), so that several keywords
//! changing at one node are each reported. On properties it also compares presence,
//! `required`, and the flag that takes a property out of its direction: `readOnly` in
//! requests, `writeOnly` in responses (the other flag changes nothing there). In
//! requests a `readOnly` property counts as not required, since clients do not send it.
//!
//! Not compared: `required` names without a matching property, boolean
//! `additionalProperties`, `discriminator.mapping`, `not`, `default`, `example`, the
//! JSON Schema 2019 numeric form of `exclusiveMinimum`/`exclusiveMaximum`, and
//! `readOnly`/`writeOnly` on anything but a property.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::constraints::{self, Shift};
use crate::context::{Ctx, OpRef, empty_map};
use crate::resolve::escape;

/// How deep the walk goes before giving up.
pub(crate) const MAX_DEPTH: usize = 64;

/// Where a schema is used; decides the direction and the rule-id prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    /// The schema of a request parameter (request direction).
    Parameter,
    /// The schema of a request body (request direction).
    RequestBody,
    /// The schema of a response body (response direction).
    Response,
}

impl Area {
    fn is_request(self) -> bool {
        matches!(self, Area::Parameter | Area::RequestBody)
    }

    /// The prefix of node rules (type, enum, nullable, deprecation, composition).
    fn node_prefix(self, root: bool) -> &'static str {
        match (self, root) {
            (Area::Parameter, _) => "request-parameter",
            (Area::RequestBody, true) => "request-body",
            (Area::RequestBody, false) => "request-property",
            (Area::Response, true) => "response-body",
            (Area::Response, false) => "response-property",
        }
    }

    /// The prefix of property rules (added, removed, required).
    fn property_prefix(self) -> &'static str {
        if self.is_request() {
            "request-property"
        } else {
            "response-property"
        }
    }
}

/// Compares the schema `old` with the schema `new`, used at `loc` inside the operation
/// `op`; `subject` names the schema in messages (e.g. "the request body").
pub(crate) fn compare<'a>(
    ctx: &mut Ctx<'a>,
    op: &OpRef,
    area: Area,
    old: &'a Value,
    new: &'a Value,
    loc: &str,
    subject: &str,
) {
    let mut walker = Walker {
        ctx,
        op,
        area,
        stack: Vec::new(),
    };
    walker.node(old, new, loc, subject, true, 0);
}

struct Walker<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    op: &'c OpRef,
    area: Area,
    /// The pairs of (resolved) schemas being compared, outermost first.
    stack: Vec<(*const Value, *const Value)>,
}

/// The parts of a schema that make up its generated Rust type.
#[derive(Debug, PartialEq, Eq)]
struct TypeDesc {
    ty: Option<String>,
    format: Option<String>,
    is_enum: bool,
}

impl TypeDesc {
    fn of(schema: &Map<String, Value>) -> Self {
        let ty = match schema.get("type") {
            Some(Value::String(ty)) => Some(ty.clone()),
            Some(other) => Some(other.to_string()),
            None if schema.contains_key("properties")
                || schema.contains_key("additionalProperties") =>
            {
                Some("object".to_owned())
            }
            None if schema.contains_key("items") => Some("array".to_owned()),
            None => None,
        };
        let format = schema.get("format").map(|f| match f {
            Value::String(f) => f.clone(),
            other => other.to_string(),
        });
        TypeDesc {
            ty,
            format,
            is_enum: schema.get("enum").is_some_and(Value::is_array),
        }
    }
}

impl std::fmt::Display for TypeDesc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ty.as_deref().unwrap_or("any"))?;
        if let Some(format) = &self.format {
            write!(f, " ({format})")?;
        }
        if self.is_enum {
            f.write_str(" enum")?;
        }
        Ok(())
    }
}

/// Whether the schema is a composition (`allOf`/`oneOf`/`anyOf`) without its own type:
/// its type is then that of its members and is compared through them.
fn is_untyped_composition(schema: &Map<String, Value>, desc: &TypeDesc) -> bool {
    desc.ty.is_none()
        && ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| schema.contains_key(*k))
}

fn required_names(schema: &Map<String, Value>) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// Enum values as sortable, displayable strings.
fn enum_values(schema: &Map<String, Value>) -> Option<BTreeSet<String>> {
    let values = schema.get("enum")?.as_array()?;
    Some(values.iter().map(Value::to_string).collect())
}

fn list(values: &BTreeSet<&String>) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Walker<'_, 'a> {
    fn emit(&mut self, id: &str, loc: &str, message: String) -> &mut crate::Change {
        let path = self.op.at(loc);
        self.ctx.emit(id, self.op.label(), path, message)
    }

    fn node(
        &mut self,
        old: &'a Value,
        new: &'a Value,
        loc: &str,
        subject: &str,
        root: bool,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        // Unresolved references are reported once, by the document scan.
        let (Ok(old), Ok(new)) = (self.ctx.old.resolve(old), self.ctx.new.resolve(new)) else {
            return;
        };
        let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
            return;
        };
        let key: (*const Value, *const Value) = (old, new);
        if self.stack.contains(&key) {
            return;
        }
        self.stack.push(key);
        self.object(o, n, loc, subject, root, depth);
        self.stack.pop();
    }

    fn object(
        &mut self,
        o: &'a Map<String, Value>,
        n: &'a Map<String, Value>,
        loc: &str,
        subject: &str,
        root: bool,
        depth: usize,
    ) {
        let prefix = self.area.node_prefix(root);
        let request = self.area.is_request();

        let (old_deprecated, new_deprecated) = (flag(o, "deprecated"), flag(n, "deprecated"));
        if !old_deprecated && new_deprecated {
            self.emit(
                &format!("{prefix}-deprecated"),
                loc,
                format!("{subject} is now deprecated"),
            );
        } else if old_deprecated && !new_deprecated {
            self.emit(
                &format!("{prefix}-deprecation-removed"),
                loc,
                format!("{subject} is no longer deprecated"),
            );
        }

        let (old_nullable, new_nullable) = (flag(o, "nullable"), flag(n, "nullable"));
        if !old_nullable && new_nullable {
            self.emit(
                &format!("{prefix}-became-nullable"),
                loc,
                format!("{subject} became nullable"),
            );
        } else if old_nullable && !new_nullable {
            self.emit(
                &format!("{prefix}-became-not-nullable"),
                loc,
                format!("{subject} is no longer nullable"),
            );
        }

        let (old_type, new_type) = (TypeDesc::of(o), TypeDesc::of(n));
        let comparable =
            !is_untyped_composition(o, &old_type) && !is_untyped_composition(n, &new_type);
        if comparable && old_type != new_type {
            self.emit(
                &format!("{prefix}-type-changed"),
                loc,
                format!("the type of {subject} changed from `{old_type}` to `{new_type}`"),
            );
            // Everything below describes the old type; comparing it would be noise.
            return;
        }

        if let (Some(old_values), Some(new_values)) = (enum_values(o), enum_values(n)) {
            let added: BTreeSet<_> = new_values.difference(&old_values).collect();
            let removed: BTreeSet<_> = old_values.difference(&new_values).collect();
            if !added.is_empty() {
                let change = self.emit(
                    &format!("{prefix}-enum-value-added"),
                    loc,
                    format!("enum values added to {subject}: {}", list(&added)),
                );
                if !request {
                    change.sdk_note = Some(
                        "tolerant clients ignore unknown values, but the generated Rust enum is \
                         exhaustive: a response carrying a new value fails to decode"
                            .to_owned(),
                    );
                }
            }
            if !removed.is_empty() {
                self.emit(
                    &format!("{prefix}-enum-value-removed"),
                    loc,
                    format!("enum values removed from {subject}: {}", list(&removed)),
                );
            }
        }

        self.constraints(o, n, loc, subject, prefix);
        self.discriminator(o, n, loc, subject, prefix);
        self.properties(o, n, loc, depth);

        if let (Some(old_items), Some(new_items)) = (o.get("items"), n.get("items")) {
            self.node(
                old_items,
                new_items,
                &join(loc, "items"),
                &format!("the items of {subject}"),
                false,
                depth + 1,
            );
        }

        if let (Some(old_values @ Value::Object(_)), Some(new_values @ Value::Object(_))) =
            (o.get("additionalProperties"), n.get("additionalProperties"))
        {
            self.node(
                old_values,
                new_values,
                &join(loc, "additionalProperties"),
                &format!("the map values of {subject}"),
                false,
                depth + 1,
            );
        }

        for keyword in ["allOf", "oneOf", "anyOf"] {
            self.composition(keyword, o, n, loc, subject, prefix, depth);
        }
    }

    fn properties(
        &mut self,
        o: &'a Map<String, Value>,
        n: &'a Map<String, Value>,
        loc: &str,
        depth: usize,
    ) {
        let empty = empty_map();
        let old_props = o.get("properties").and_then(Value::as_object);
        let new_props = n.get("properties").and_then(Value::as_object);
        if old_props.is_none() && new_props.is_none() {
            return;
        }
        let old_props = old_props.unwrap_or(empty);
        let new_props = new_props.unwrap_or(empty);
        let (old_required, new_required) = (required_names(o), required_names(n));
        let names: BTreeSet<&String> = old_props.keys().chain(new_props.keys()).collect();
        let prefix = self.area.property_prefix();
        let request = self.area.is_request();

        for name in names {
            let ploc = format!("{}/{}", join(loc, "properties"), escape(name));
            let subject = format!("property `{name}`");
            let was_required = old_required.contains(name.as_str());
            let is_required = new_required.contains(name.as_str());
            // A `readOnly` property is not sent in requests: requiring it
            // asks nothing of clients.
            let was_required =
                was_required && !(request && read_only(&self.ctx.old, old_props.get(name)));
            let is_required =
                is_required && !(request && read_only(&self.ctx.new, new_props.get(name)));
            match (old_props.get(name), new_props.get(name)) {
                (None, Some(_)) => {
                    if request && is_required {
                        self.emit(
                            &format!("{prefix}-added-required"),
                            &ploc,
                            format!("required {subject} was added"),
                        );
                    } else {
                        let kind = if is_required { "required" } else { "optional" };
                        self.emit(
                            &format!("{prefix}-added"),
                            &ploc,
                            format!("{subject} was added ({kind})"),
                        );
                    }
                }
                (Some(_), None) => {
                    self.emit(
                        &format!("{prefix}-removed"),
                        &ploc,
                        format!("{subject} was removed"),
                    );
                }
                (Some(old_schema), Some(new_schema)) => {
                    if !was_required && is_required {
                        let change = self.emit(
                            &format!("{prefix}-became-required"),
                            &ploc,
                            format!("{subject} became required"),
                        );
                        if !request {
                            change.sdk_note = Some(
                                "wire-compatible (the property is now always sent), but the \
                                 generated field changes from Option<T> to T"
                                    .to_owned(),
                            );
                        }
                    } else if was_required && !is_required {
                        let change = self.emit(
                            &format!("{prefix}-became-optional"),
                            &ploc,
                            format!("{subject} became optional"),
                        );
                        if request {
                            change.sdk_note = Some(
                                "wire-compatible (the server accepts more), but the generated \
                                 field changes from T to Option<T> and its builder setter from \
                                 `TryInto<T>` to `TryInto<Option<T>>`: calls passing a value \
                                 that only converts to T (a `&str` for a `String`) stop compiling"
                                    .to_owned(),
                            );
                        }
                    }
                    self.access(old_schema, new_schema, &ploc, &subject);
                    self.node(old_schema, new_schema, &ploc, &subject, false, depth + 1);
                }
                (None, None) => {}
            }
        }
    }

    /// Reports each validation keyword that changed, as tightened or loosened for the
    /// direction of the walk.
    fn constraints(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        loc: &str,
        subject: &str,
        prefix: &str,
    ) {
        let request = self.area.is_request();
        for change in constraints::changes(o, n) {
            let tightened = match change.shift {
                Shift::Tighter => true,
                Shift::Looser => false,
                // Some old values are now refused and some new ones appear: breaking
                // either way, so take the rule that is breaking in this direction.
                Shift::Unordered => request,
            };
            let suffix = if tightened { "tightened" } else { "loosened" };
            let emitted = self.emit(
                &format!("{prefix}-constraint-{suffix}"),
                &join(loc, change.keyword),
                format!("`{}` of {subject} {}", change.keyword, change.detail),
            );
            if !request && !tightened {
                emitted.sdk_note = Some(
                    "tolerant clients accept the new values, but the generated Rust SDK turns \
                     constrained strings and numbers into validating newtypes that refuse, \
                     when decoding, values outside the old constraint"
                        .to_owned(),
                );
            }
        }
    }

    /// Reports a `discriminator.propertyName` that was added, removed or changed: the
    /// property telling `oneOf`/`anyOf` alternatives apart, hence the tagging of the
    /// generated enum.
    fn discriminator(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        loc: &str,
        subject: &str,
        prefix: &str,
    ) {
        let (old, new) = (discriminator_name(o), discriminator_name(n));
        let message = match (old, new) {
            (Some(old), Some(new)) if old != new => {
                format!("`discriminator.propertyName` of {subject} changed from `{old}` to `{new}`")
            }
            (None, Some(new)) => {
                format!("`discriminator.propertyName` `{new}` was added to {subject}")
            }
            (Some(old), None) => {
                format!("`discriminator.propertyName` `{old}` was removed from {subject}")
            }
            _ => return,
        };
        self.emit(
            &format!("{prefix}-discriminator-changed"),
            &join(loc, "discriminator"),
            message,
        );
    }

    /// Reports a property leaving or rejoining the payloads of the walk's direction:
    /// `readOnly` properties are not sent in requests, `writeOnly` ones not received in
    /// responses. The flags are read on the resolved schemas (siblings of a `$ref` are
    /// ignored, as elsewhere).
    fn access(&mut self, old: &'a Value, new: &'a Value, ploc: &str, subject: &str) {
        // Unresolved references are reported once, by the document scan.
        let (Ok(old), Ok(new)) = (self.ctx.old.resolve(old), self.ctx.new.resolve(new)) else {
            return;
        };
        let read = |schema: &Value, key: &str| schema.as_object().is_some_and(|s| flag(s, key));
        let (key, became, became_not, meaning) = if self.area.is_request() {
            (
                "readOnly",
                "request-property-became-read-only",
                "request-property-became-not-read-only",
                "the server no longer accepts it in requests",
            )
        } else {
            (
                "writeOnly",
                "response-property-became-write-only",
                "response-property-became-not-write-only",
                "the server no longer sends it",
            )
        };
        let (was, is) = (read(old, key), read(new, key));
        if !was && is {
            self.emit(became, ploc, format!("{subject} became `{key}`: {meaning}"));
        } else if was && !is {
            self.emit(became_not, ploc, format!("{subject} is no longer `{key}`"));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn composition(
        &mut self,
        keyword: &str,
        o: &'a Map<String, Value>,
        n: &'a Map<String, Value>,
        loc: &str,
        subject: &str,
        prefix: &str,
        depth: usize,
    ) {
        let members = |schema: &'a Map<String, Value>| -> &'a [Value] {
            schema
                .get(keyword)
                .and_then(Value::as_array)
                .map_or(&[], Vec::as_slice)
        };
        let (old_members, new_members) = (members(o), members(n));
        let (added_id, removed_id, what) = if keyword == "allOf" {
            (
                format!("{prefix}-all-of-added"),
                format!("{prefix}-all-of-removed"),
                "allOf member",
            )
        } else {
            (
                format!("{prefix}-variant-added"),
                format!("{prefix}-variant-removed"),
                "alternative",
            )
        };
        for index in 0..old_members.len().max(new_members.len()) {
            let mloc = format!("{}/{index}", join(loc, keyword));
            match (old_members.get(index), new_members.get(index)) {
                (Some(old_member), Some(new_member)) => self.node(
                    old_member,
                    new_member,
                    &mloc,
                    &format!("{what} {index} (`{keyword}`) of {subject}"),
                    false,
                    depth + 1,
                ),
                (None, Some(_)) => {
                    self.emit(
                        &added_id,
                        &mloc,
                        format!("{what} {index} (`{keyword}`) was added to {subject}"),
                    );
                }
                (Some(_), None) => {
                    self.emit(
                        &removed_id,
                        &mloc,
                        format!("{what} {index} (`{keyword}`) was removed from {subject}"),
                    );
                }
                (None, None) => {}
            }
        }
    }
}

/// The `propertyName` of the schema's `discriminator`, when it has one.
fn discriminator_name(schema: &Map<String, Value>) -> Option<&str> {
    schema.get("discriminator")?.get("propertyName")?.as_str()
}

/// Whether a property schema is `readOnly`, its `$ref` followed with `doc`.
fn read_only<'a>(doc: &crate::resolve::Resolver<'a>, schema: Option<&'a Value>) -> bool {
    schema
        .and_then(|schema| doc.resolve(schema).ok())
        .and_then(Value::as_object)
        .is_some_and(|schema| flag(schema, "readOnly"))
}

fn flag(schema: &Map<String, Value>, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Appends a segment to a location (`""` is the start).
fn join(loc: &str, segment: &str) -> String {
    if loc.is_empty() {
        segment.to_owned()
    } else {
        format!("{loc}/{segment}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_descriptions_infer_object_and_array() {
        let desc = |v: Value| TypeDesc::of(v.as_object().unwrap()).to_string();
        assert_eq!(desc(json!({"properties": {}})), "object");
        assert_eq!(desc(json!({"items": {}})), "array");
        assert_eq!(desc(json!({})), "any");
        assert_eq!(
            desc(json!({"type": "string", "format": "date-time"})),
            "string (date-time)"
        );
        assert_eq!(
            desc(json!({"type": "string", "enum": ["a"]})),
            "string enum"
        );
        assert_eq!(
            desc(json!({"type": ["string", "null"]})),
            r#"["string","null"]"#
        );
    }

    #[test]
    fn recursive_schemas_terminate() {
        let doc = |leaf: &str| {
            json!({"components": {"schemas": {"Tree": {
                "type": "object",
                "properties": {
                    "leaf": {"type": leaf},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}
                }
            }}}})
        };
        let (old, new) = (doc("string"), doc("integer"));
        let mut ctx = Ctx::new(&old, &new);
        let op = OpRef {
            label: "op".into(),
            location: "GET /t".into(),
        };
        let tree = json!({"$ref": "#/components/schemas/Tree"});
        compare(
            &mut ctx,
            &op,
            Area::Response,
            &tree,
            &tree,
            "s",
            "the response body",
        );
        let report = ctx.finish();
        let paths: Vec<_> = report.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["GET /t s/properties/leaf"]);
    }
}
