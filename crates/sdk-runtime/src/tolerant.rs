//! Tolerant decoding of an answer that its generated type refused.
//!
//! The generated types are the contract (a change of the spec changes them
//! and breaks the facade's build), so an answer is always decoded into them.
//! When the strict decode fails, [`decode`] repairs the JSON one value at a
//! time, where `serde_path_to_error` says the failure is, and decodes again:
//!
//! - a value of an unexpected type (or a `null` where the type has none) is
//!   removed, so its field reads as absent (`None`, or the type's default);
//! - an object that lacks a required field — an identity field, since the
//!   spec patches require nothing else — cannot be identified: inside a list
//!   the item is skipped, elsewhere its own field is removed in turn, and at
//!   the top the answer fails with the message of the first missing or
//!   malformed identity field (`database: missing field `Name``);
//! - a list item of an unexpected type (a string where an object belongs) is
//!   skipped;
//! - but the list of a listing (a top-level array) of another type than an
//!   array or `null` fails the answer: read as empty, it would say there is
//!   nothing.
//!
//! Every repair is reported with `tracing::warn!` (serde's message, tokens
//! redacted). A strict decode that
//! succeeds costs nothing more; repairs are bounded by [`MAX_REPAIRS`], and
//! by [`DECODE_BUDGET`] bytes decoded in all, so that a hostile server's huge
//! answer full of odd values cannot keep the client decoding it for minutes.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::redact_tokens;

/// The most values one answer may lose before it is refused outright (each
/// repair decodes the answer again).
pub const MAX_REPAIRS: usize = 1000;

/// How many bytes of answer the repairs may decode in all: a 10 MB answer
/// may lose about 100 values, a 256 MB one 4 (each repair decodes it again).
pub const DECODE_BUDGET: usize = 1 << 30;

/// One step into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Decodes `body` into `T`, dropping what cannot be read (see the
/// [module docs](self)). The error, if any, names the JSON path and the
/// field that made the answer unidentifiable.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    decode_within(body, DECODE_BUDGET)
}

/// [`decode`], with at most `budget` bytes decoded by the repairs.
fn decode_within<T: DeserializeOwned>(body: &[u8], budget: usize) -> Result<T, serde_json::Error> {
    let repairs = MAX_REPAIRS.min(budget / body.len().max(1));
    let mut value: Value = serde_json::from_slice(body)?;
    // Fields removed so far, with the failure that removed them: when the
    // removal leaves their object without a required field, that first
    // failure is the one worth reporting.
    let mut removed: Vec<(Vec<Step>, String)> = Vec::new();
    for _ in 0..=repairs {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(decoded) => return Ok(decoded),
            Err(err) => err,
        };
        let Some(path) = steps(err.path()) else {
            return Err(err.into_inner());
        };
        let message = err.inner().to_string();
        // A listing whose list is not a list is not a listing: read as empty,
        // it would tell the user there is nothing. (`null` is Go's empty
        // list, and reads as one.)
        if path.len() == 1
            && message.ends_with("expected a sequence")
            && !message.starts_with("invalid type: null")
        {
            return Err(serde::de::Error::custom(describe(&path, &message)));
        }
        let cause = origin(&path, &message, &removed).unwrap_or_else(|| describe(&path, &message));
        match path.last() {
            None => return Err(serde::de::Error::custom(cause)),
            Some(Step::Index(_)) => {
                tracing::warn!(path = %dotted(&path), error = %redact_tokens(&cause), "skipped a list item that cannot be read");
                removed.retain(|(p, _)| !p.starts_with(&path));
            }
            Some(Step::Key(_)) => {
                tracing::warn!(path = %dotted(&path), error = %redact_tokens(&cause), "ignored a value that cannot be read");
                removed.push((path.clone(), cause));
            }
        }
        if !remove(&mut value, &path) {
            return Err(err.into_inner());
        }
    }
    Err(serde::de::Error::custom(format!(
        "more than {repairs} values of the answer cannot be read"
    )))
}

/// The path as steps, or `None` where it leaves JSON objects and arrays.
fn steps(path: &serde_path_to_error::Path) -> Option<Vec<Step>> {
    path.iter()
        .map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(Step::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(Step::Key(key.clone())),
            _ => None,
        })
        .collect()
}

/// For "missing field `k`" in the object at `path`, the failure that removed
/// `path.k` earlier, if one did.
fn origin(path: &[Step], message: &str, removed: &[(Vec<Step>, String)]) -> Option<String> {
    let field = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    let mut full = path.to_vec();
    full.push(Step::Key(field.to_string()));
    removed
        .iter()
        .find(|(p, _)| *p == full)
        .map(|(_, cause)| cause.clone())
}

fn describe(path: &[Step], message: &str) -> String {
    if path.is_empty() {
        message.to_string()
    } else {
        format!("{}: {message}", dotted(path))
    }
}

fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Removes the value at `path` (non-empty); false when there is none.
fn remove(value: &mut Value, path: &[Step]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut parent = value;
    for step in parents {
        let next = match (step, parent) {
            (Step::Key(k), Value::Object(map)) => map.get_mut(k),
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => parent = v,
            None => return false,
        }
    }
    match (last, parent) {
        (Step::Key(k), Value::Object(map)) => map.remove(k).is_some(),
        (Step::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        #[serde(rename = "Name")]
        name: String,
        #[serde(default)]
        group: Option<String>,
        #[serde(default)]
        regions: Vec<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct List {
        // As typify generates an optional array.
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct One {
        item: Item,
    }

    fn item(name: &str, group: Option<&str>) -> Item {
        Item {
            name: name.into(),
            group: group.map(Into::into),
            regions: vec![],
        }
    }

    #[test]
    fn a_wrong_type_in_a_plain_field_reads_as_absent() {
        let body = br#"{"items":[{"Name":"a","group":5,"regions":"x"},{"Name":"b","group":"g"}]}"#;
        let list: List = decode(body).unwrap();
        assert_eq!(list.items, vec![item("a", None), item("b", Some("g"))]);
    }

    #[test]
    fn an_item_without_its_identity_is_skipped_and_the_others_stay() {
        let body = br#"{"items":[{"group":"g"},"text",{"Name":7},{"Name":"b"},null]}"#;
        let list: List = decode(body).unwrap();
        assert_eq!(list.items, vec![item("b", None)]);
    }

    #[test]
    fn a_missing_identity_outside_a_list_names_the_field() {
        let e = decode::<One>(br#"{"item":{"group":"g"}}"#).unwrap_err();
        assert_eq!(e.to_string(), "item: missing field `Name`");
        let e = decode::<One>(br#"{"item":{"Name":null}}"#).unwrap_err();
        assert!(
            e.to_string().starts_with("item.Name: invalid type: null"),
            "{e}"
        );
        let e = decode::<One>(br#"{}"#).unwrap_err();
        assert_eq!(e.to_string(), "missing field `item`");
        assert!(decode::<One>(b"not json").is_err());
    }

    #[test]
    fn a_listing_whose_list_is_not_a_list_fails() {
        let e = decode::<List>(br#"{"items":5}"#).unwrap_err();
        assert!(
            e.to_string().starts_with("items: invalid type: integer"),
            "{e}"
        );
        assert_eq!(decode::<List>(br#"{"items":null}"#).unwrap().items, vec![]);
    }

    #[test]
    fn repairs_are_bounded() {
        let bad = vec![r#"{"group":"g"}"#; MAX_REPAIRS + 1].join(",");
        let body = format!(r#"{{"items":[{bad}]}}"#);
        assert!(decode::<List>(body.as_bytes()).is_err());
        let bad = [r#"{"group":"g"}"#; 10].join(",");
        let body = format!(r#"{{"items":[{bad},{{"Name":"z"}}]}}"#);
        assert_eq!(
            decode::<List>(body.as_bytes()).unwrap().items,
            vec![item("z", None)]
        );
        // The larger the answer, the fewer repairs: a budget of four times
        // the answer's size allows four, and a fifth odd item fails it.
        let bad = [r#"{"group":"g"}"#; 4].join(",");
        let ok = format!(r#"{{"items":[{bad},{{"Name":"z"}}]}}"#);
        let items = decode_within::<List>(ok.as_bytes(), ok.len() * 4)
            .unwrap()
            .items;
        assert_eq!(items.len(), 1);
        let bad = [r#"{"group":"g"}"#; 5].join(",");
        let fails = format!(r#"{{"items":[{bad},{{"Name":"z"}}]}}"#);
        let e = decode_within::<List>(fails.as_bytes(), fails.len() * 4).unwrap_err();
        assert!(
            e.to_string()
                .contains("values of the answer cannot be read"),
            "{e}"
        );
    }
}
