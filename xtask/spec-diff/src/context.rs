//! The state shared by every comparison: both documents and the changes found so far.

use serde_json::Value;

use crate::model::{Change, Report, Severity};
use crate::resolve::Resolver;
use crate::rules;

/// Both documents and the changes collected so far.
pub(crate) struct Ctx<'a> {
    /// Resolves references in the old document.
    pub(crate) old: Resolver<'a>,
    /// Resolves references in the new document.
    pub(crate) new: Resolver<'a>,
    changes: Vec<Change>,
}

impl<'a> Ctx<'a> {
    /// A context comparing `old` with `new`.
    pub(crate) fn new(old: &'a Value, new: &'a Value) -> Self {
        Ctx {
            old: Resolver::new(old),
            new: Resolver::new(new),
            changes: Vec::new(),
        }
    }

    /// Records a change of rule `id`, with the rule's catalogue severity, and returns it
    /// so that the caller can attach an SDK note.
    pub(crate) fn emit(
        &mut self,
        id: &str,
        operation: Option<&str>,
        path: String,
        message: String,
    ) -> &mut Change {
        let severity = rules::rule(id).map_or(Severity::Info, |r| r.severity);
        self.changes.push(Change::new(
            id,
            severity,
            operation.map(str::to_owned),
            path,
            message,
        ));
        let last = self.changes.len() - 1;
        &mut self.changes[last]
    }

    /// The sorted, deduplicated report.
    pub(crate) fn finish(self) -> Report {
        Report::new(self.changes)
    }
}

/// The operation a change belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpRef {
    /// The operationId, or `METHOD /path` when there is none.
    pub(crate) label: String,
    /// `METHOD /path`.
    pub(crate) location: String,
}

impl OpRef {
    /// The change path of a location inside the operation (`""` is the operation itself).
    pub(crate) fn at(&self, inner: &str) -> String {
        if inner.is_empty() {
            self.location.clone()
        } else {
            format!("{} {inner}", self.location)
        }
    }

    /// The operation label as the `operation` of a change.
    pub(crate) fn label(&self) -> Option<&str> {
        Some(&self.label)
    }
}

/// Whether `value[key]` is the boolean `true`.
pub(crate) fn is_true(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// An empty JSON object that lives for the whole program, to stand in for a missing map.
pub(crate) fn empty_map() -> &'static serde_json::Map<String, Value> {
    static EMPTY: std::sync::LazyLock<serde_json::Map<String, Value>> =
        std::sync::LazyLock::new(serde_json::Map::new);
    &EMPTY
}
