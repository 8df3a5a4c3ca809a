//! Validation keywords of one schema node, old against new: which constraints got
//! tighter (fewer values valid) and which got looser (more values valid).
//!
//! Compared: `pattern`, `minLength`/`maxLength`, `minimum`/`maximum` (qualified by the
//! OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`), `multipleOf`,
//! `minItems`/`maxItems`, `uniqueItems` and `minProperties`/`maxProperties`.
//!
//! A keyword that is added is tighter, one that is removed is looser, and a bound that
//! moves is ordered by its side (raising a lower bound is tighter, raising an upper
//! bound is looser). A changed `pattern` or `multipleOf` cannot be ordered (neither
//! language contains the other in general): it is [`Shift::Unordered`], and the caller
//! reports it with the stricter severity of its direction.
//!
//! A keyword whose value has the wrong JSON type on either side (`maxLength: "64"`) is
//! not compared, rather than guessed at. The JSON Schema 2019 numeric form of
//! `exclusiveMinimum`/`exclusiveMaximum` (OpenAPI 3.1) is not read: only `true` counts.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// How a change moves the set of values a schema accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shift {
    /// Fewer values are valid.
    Tighter,
    /// More values are valid.
    Looser,
    /// Some values became valid and others invalid (a changed `pattern`).
    Unordered,
}

/// One validation keyword that changed between the two sides of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConstraintChange {
    /// The keyword, as spelled in the schema (`maxLength`).
    pub(crate) keyword: &'static str,
    /// Which way the change goes.
    pub(crate) shift: Shift,
    /// What happened, to follow "`keyword` of subject" in a message
    /// (`lowered from 64 to 32`).
    pub(crate) detail: String,
}

/// Which end of a range a bound limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Lower,
    Upper,
}

/// The bound keywords: (keyword, side, the boolean that makes it exclusive).
const BOUNDS: [(&str, Side, Option<&str>); 8] = [
    ("minLength", Side::Lower, None),
    ("maxLength", Side::Upper, None),
    ("minimum", Side::Lower, Some("exclusiveMinimum")),
    ("maximum", Side::Upper, Some("exclusiveMaximum")),
    ("minItems", Side::Lower, None),
    ("maxItems", Side::Upper, None),
    ("minProperties", Side::Lower, None),
    ("maxProperties", Side::Upper, None),
];

/// A bound as written: its value (compared as a number, shown as written) and whether
/// it excludes the value itself.
#[derive(Debug, Clone, PartialEq)]
struct Bound {
    value: f64,
    shown: String,
    exclusive: bool,
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)?;
        if self.exclusive {
            f.write_str(" (exclusive)")?;
        }
        Ok(())
    }
}

/// A keyword read from one side: `Err` when it is present with the wrong JSON type.
type Read<T> = Result<Option<T>, ()>;

/// Every validation keyword that differs between `old` and `new`, in a fixed order.
pub(crate) fn changes(old: &Map<String, Value>, new: &Map<String, Value>) -> Vec<ConstraintChange> {
    let mut out = Vec::new();
    if let Some(change) = pattern(old, new) {
        out.push(change);
    }
    for (keyword, side, exclusive_key) in BOUNDS {
        let (Ok(o), Ok(n)) = (
            bound(old, keyword, exclusive_key),
            bound(new, keyword, exclusive_key),
        ) else {
            continue;
        };
        if let Some(shift) = bound_shift(side, o.as_ref(), n.as_ref()) {
            out.push(ConstraintChange {
                keyword,
                shift,
                detail: bound_detail(o.as_ref(), n.as_ref()),
            });
        }
    }
    if let Some(change) = multiple_of(old, new) {
        out.push(change);
    }
    if let Some(change) = unique_items(old, new) {
        out.push(change);
    }
    out
}

/// Reads a bound keyword; `exclusive_key` names its OpenAPI 3.0 boolean qualifier.
fn bound(schema: &Map<String, Value>, keyword: &str, exclusive_key: Option<&str>) -> Read<Bound> {
    let Some(raw) = schema.get(keyword) else {
        return Ok(None);
    };
    let value = raw.as_f64().ok_or(())?;
    let exclusive = exclusive_key
        .and_then(|k| schema.get(k))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(Some(Bound {
        value,
        shown: raw.to_string(),
        exclusive,
    }))
}

/// How a bound on `side` moved, or `None` when it limits the same values.
fn bound_shift(side: Side, old: Option<&Bound>, new: Option<&Bound>) -> Option<Shift> {
    let (old, new) = match (old, new) {
        (None, None) => return None,
        (None, Some(_)) => return Some(Shift::Tighter),
        (Some(_), None) => return Some(Shift::Looser),
        (Some(old), Some(new)) => (old, new),
    };
    // At the same value, an exclusive bound admits one value fewer.
    let ordering = match new.value.partial_cmp(&old.value) {
        Some(Ordering::Equal) => new.exclusive.cmp(&old.exclusive),
        Some(ordering) if side == Side::Lower => ordering,
        Some(ordering) => ordering.reverse(),
        None => return Some(Shift::Unordered),
    };
    match ordering {
        Ordering::Greater => Some(Shift::Tighter),
        Ordering::Less => Some(Shift::Looser),
        Ordering::Equal => None,
    }
}

/// The message detail of a bound change that [`bound_shift`] found.
fn bound_detail(old: Option<&Bound>, new: Option<&Bound>) -> String {
    match (old, new) {
        (Some(old), Some(new)) if old.value.partial_cmp(&new.value) == Some(Ordering::Equal) => {
            let became = if new.exclusive {
                "exclusive"
            } else {
                "inclusive"
            };
            format!("became {became} ({})", new.shown)
        }
        (Some(old), Some(new)) => {
            let verb = if new.value > old.value {
                "raised"
            } else {
                "lowered"
            };
            format!("{verb} from {old} to {new}")
        }
        (None, Some(new)) => format!("added ({new})"),
        (Some(old), None) => format!("removed (was {old})"),
        (None, None) => String::new(),
    }
}

fn pattern(old: &Map<String, Value>, new: &Map<String, Value>) -> Option<ConstraintChange> {
    let read = |schema: &Map<String, Value>| -> Read<String> {
        schema
            .get("pattern")
            .map(|p| p.as_str().map(str::to_owned).ok_or(()))
            .transpose()
    };
    let (Ok(o), Ok(n)) = (read(old), read(new)) else {
        return None;
    };
    keyword_change("pattern", o, n, |p| format!("`{p}`"))
}

fn multiple_of(old: &Map<String, Value>, new: &Map<String, Value>) -> Option<ConstraintChange> {
    let read = |schema: &Map<String, Value>| -> Read<Value> {
        match schema.get("multipleOf") {
            None => Ok(None),
            Some(v) if v.is_number() => Ok(Some(v.clone())),
            Some(_) => Err(()),
        }
    };
    let (Ok(o), Ok(n)) = (read(old), read(new)) else {
        return None;
    };
    // `2` and `2.0` are the same divisor.
    let same = |a: &Value, b: &Value| a.as_f64() == b.as_f64();
    if let (Some(a), Some(b)) = (&o, &n)
        && same(a, b)
    {
        return None;
    }
    keyword_change("multipleOf", o, n, Value::to_string)
}

/// A keyword that is either present or not, and not ordered when it changes value:
/// added is tighter, removed is looser, changed is [`Shift::Unordered`].
fn keyword_change<T: PartialEq>(
    keyword: &'static str,
    old: Option<T>,
    new: Option<T>,
    show: impl Fn(&T) -> String,
) -> Option<ConstraintChange> {
    let (shift, detail) = match (&old, &new) {
        (None, None) => return None,
        (Some(o), Some(n)) if o == n => return None,
        (None, Some(n)) => (Shift::Tighter, format!("added ({})", show(n))),
        (Some(o), None) => (Shift::Looser, format!("removed (was {})", show(o))),
        (Some(o), Some(n)) => (
            Shift::Unordered,
            format!("changed from {} to {}", show(o), show(n)),
        ),
    };
    Some(ConstraintChange {
        keyword,
        shift,
        detail,
    })
}

fn unique_items(old: &Map<String, Value>, new: &Map<String, Value>) -> Option<ConstraintChange> {
    // Absent means `false`; a non-boolean is not compared.
    let read = |schema: &Map<String, Value>| -> Read<bool> {
        schema
            .get("uniqueItems")
            .map(|u| u.as_bool().ok_or(()))
            .transpose()
    };
    let (Ok(o), Ok(n)) = (read(old), read(new)) else {
        return None;
    };
    let (o, n) = (o.unwrap_or(false), n.unwrap_or(false));
    let shift = match (o, n) {
        (false, true) => Shift::Tighter,
        (true, false) => Shift::Looser,
        _ => return None,
    };
    Some(ConstraintChange {
        keyword: "uniqueItems",
        shift,
        detail: format!("changed from {o} to {n}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The (keyword, shift, detail) triples between two schemas.
    fn diff(old: Value, new: Value) -> Vec<(&'static str, Shift, String)> {
        let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
            panic!("test schemas are objects");
        };
        changes(o, n)
            .into_iter()
            .map(|c| (c.keyword, c.shift, c.detail))
            .collect()
    }

    fn one(old: Value, new: Value) -> (&'static str, Shift, String) {
        let mut all = diff(old, new);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    #[test]
    fn raising_a_lower_bound_is_tighter_lowering_it_looser() {
        assert_eq!(
            one(json!({"minLength": 1}), json!({"minLength": 3})),
            ("minLength", Shift::Tighter, "raised from 1 to 3".to_owned())
        );
        assert_eq!(
            one(json!({"minItems": 3}), json!({"minItems": 0})),
            ("minItems", Shift::Looser, "lowered from 3 to 0".to_owned())
        );
        assert_eq!(
            one(json!({"minimum": -1.5}), json!({"minimum": 0})).1,
            Shift::Tighter
        );
    }

    #[test]
    fn lowering_an_upper_bound_is_tighter_raising_it_looser() {
        assert_eq!(
            one(json!({"maxLength": 64}), json!({"maxLength": 32})),
            (
                "maxLength",
                Shift::Tighter,
                "lowered from 64 to 32".to_owned()
            )
        );
        assert_eq!(
            one(json!({"maxProperties": 5}), json!({"maxProperties": 10})).1,
            Shift::Looser
        );
    }

    #[test]
    fn adding_a_bound_is_tighter_removing_it_looser() {
        assert_eq!(
            one(json!({}), json!({"maxItems": 10})),
            ("maxItems", Shift::Tighter, "added (10)".to_owned())
        );
        assert_eq!(
            one(json!({"maximum": 100}), json!({})),
            ("maximum", Shift::Looser, "removed (was 100)".to_owned())
        );
        assert_eq!(one(json!({"minProperties": 1}), json!({})).1, Shift::Looser);
    }

    #[test]
    fn exclusive_flags_order_bounds_of_equal_value() {
        assert_eq!(
            one(
                json!({"maximum": 100}),
                json!({"maximum": 100, "exclusiveMaximum": true})
            ),
            (
                "maximum",
                Shift::Tighter,
                "became exclusive (100)".to_owned()
            )
        );
        assert_eq!(
            one(
                json!({"minimum": 0, "exclusiveMinimum": true}),
                json!({"minimum": 0, "exclusiveMinimum": false})
            ),
            ("minimum", Shift::Looser, "became inclusive (0)".to_owned())
        );
        // The value decides when it moves, whatever the flags say.
        assert_eq!(
            one(
                json!({"maximum": 100, "exclusiveMaximum": true}),
                json!({"maximum": 50})
            ),
            (
                "maximum",
                Shift::Tighter,
                "lowered from 100 (exclusive) to 50".to_owned()
            )
        );
        // A flag without its bound limits nothing.
        assert!(diff(json!({}), json!({"exclusiveMaximum": true})).is_empty());
    }

    #[test]
    fn equal_bounds_written_differently_are_unchanged() {
        assert!(diff(json!({"maxLength": 64}), json!({"maxLength": 64.0})).is_empty());
        assert!(diff(json!({"multipleOf": 2}), json!({"multipleOf": 2.0})).is_empty());
        assert!(
            diff(
                json!({"minimum": 1, "exclusiveMinimum": false}),
                json!({"minimum": 1})
            )
            .is_empty()
        );
    }

    #[test]
    fn a_changed_pattern_or_multiple_of_is_unordered() {
        assert_eq!(
            one(
                json!({"pattern": "^[a-z]+$"}),
                json!({"pattern": "^[a-z0-9]+$"})
            ),
            (
                "pattern",
                Shift::Unordered,
                "changed from `^[a-z]+$` to `^[a-z0-9]+$`".to_owned()
            )
        );
        assert_eq!(one(json!({}), json!({"pattern": "^a"})).1, Shift::Tighter);
        assert_eq!(one(json!({"pattern": "^a"}), json!({})).1, Shift::Looser);
        assert_eq!(
            one(json!({"multipleOf": 2}), json!({"multipleOf": 4})),
            (
                "multipleOf",
                Shift::Unordered,
                "changed from 2 to 4".to_owned()
            )
        );
        assert_eq!(one(json!({}), json!({"multipleOf": 0.5})).1, Shift::Tighter);
    }

    #[test]
    fn unique_items_on_is_tighter_absent_means_false() {
        assert_eq!(
            one(json!({}), json!({"uniqueItems": true})),
            (
                "uniqueItems",
                Shift::Tighter,
                "changed from false to true".to_owned()
            )
        );
        assert_eq!(
            one(json!({"uniqueItems": true}), json!({"uniqueItems": false})).1,
            Shift::Looser
        );
        assert!(diff(json!({}), json!({"uniqueItems": false})).is_empty());
    }

    #[test]
    fn every_changed_keyword_is_reported_in_a_fixed_order() {
        let keywords: Vec<_> = diff(
            json!({"minLength": 1, "maxLength": 10, "pattern": "a"}),
            json!({"minLength": 2, "maxLength": 20, "pattern": "b"}),
        )
        .into_iter()
        .map(|(k, s, _)| (k, s))
        .collect();
        assert_eq!(
            keywords,
            [
                ("pattern", Shift::Unordered),
                ("minLength", Shift::Tighter),
                ("maxLength", Shift::Looser),
            ]
        );
    }

    #[test]
    fn values_of_the_wrong_type_are_not_compared() {
        assert!(diff(json!({"maxLength": "64"}), json!({"maxLength": 32})).is_empty());
        assert!(diff(json!({"pattern": 5}), json!({"pattern": "^a"})).is_empty());
        assert!(diff(json!({"multipleOf": []}), json!({})).is_empty());
        assert!(diff(json!({"uniqueItems": "yes"}), json!({"uniqueItems": true})).is_empty());
        // A non-boolean exclusive flag counts as absent.
        assert!(
            diff(
                json!({"maximum": 1, "exclusiveMaximum": 1}),
                json!({"maximum": 1})
            )
            .is_empty()
        );
    }
}
