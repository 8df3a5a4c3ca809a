//! The data model of a diff: [`Severity`], [`Change`], [`Report`] and [`FailOn`].
//!
//! Rendering ([`Report::to_json`], [`Report::render_text`]) lives in `render.rs`.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How much a change matters.
///
/// The severity is the one seen by users of the generated Rust SDK; when the
/// wire-level impact differs, the [`Change::sdk_note`] says how.
/// Variants are ordered from most to least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Existing clients or existing code using the SDK can stop working
    /// (serialised as `"breaking"`).
    Breaking,
    /// A visible change that existing clients tolerate (serialised as `"non-breaking"`).
    NonBreaking,
    /// Worth knowing, no compatibility impact (serialised as `"info"`).
    Info,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 3] = [Severity::Breaking, Severity::NonBreaking, Severity::Info];

    /// The serialised name: `"breaking"`, `"non-breaking"` or `"info"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Breaking => "breaking",
            Severity::NonBreaking => "non-breaking",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One classified difference between the old and the new document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Change {
    /// Stable rule id in kebab-case, e.g. `"operation-removed"`; see [`crate::RULES`].
    pub id: String,
    /// How much the change matters (the SDK user's view).
    pub severity: Severity,
    /// The operation the change concerns: its operationId, or `"METHOD /path"` when it
    /// has none; for component-level changes the component name; `None` for
    /// document-level changes.
    pub operation: Option<String>,
    /// Where the change is: `"METHOD /path"` followed, after a space, by a
    /// JSON-pointer-like location inside the operation such as
    /// `responses/200/content/application~1json/schema/properties/name`;
    /// or a document location such as `components/schemas/Database` or `security`.
    pub path: String,
    /// A one-line human-readable description.
    pub message: String,
    /// Set when the breaking-ness for users of the generated Rust SDK differs from the
    /// wire-level breaking-ness; explains the difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_note: Option<String>,
}

impl Change {
    /// Builds a change without an SDK note. Line breaks in `message` become spaces.
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        severity: Severity,
        operation: Option<String>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Change {
            id: id.into(),
            severity,
            operation,
            path: path.into(),
            message: one_line(message.into()),
            sdk_note: None,
        }
    }

    /// Returns the change with `note` as its [`Change::sdk_note`].
    #[must_use]
    pub fn with_sdk_note(mut self, note: impl Into<String>) -> Self {
        self.sdk_note = Some(one_line(note.into()));
        self
    }
}

/// Replaces line breaks so that a message stays on one line.
pub(crate) fn one_line(text: String) -> String {
    if text.contains(['\n', '\r']) {
        text.replace("\r\n", " ").replace(['\n', '\r'], " ")
    } else {
        text
    }
}

/// The result of [`crate::diff`]: every change, sorted by path then id, without
/// duplicate `(id, operation, path)` triples.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The changes, in deterministic order.
    pub changes: Vec<Change>,
}

impl Report {
    /// Builds a report from changes in any order: sorts them by path, then id (then
    /// operation, severity, message and note, so the order is total) and keeps only
    /// the first change of each `(id, operation, path)` triple.
    #[must_use]
    pub fn new(mut changes: Vec<Change>) -> Self {
        changes.sort_by(|a, b| {
            (
                &a.path,
                &a.id,
                &a.operation,
                a.severity,
                &a.message,
                &a.sdk_note,
            )
                .cmp(&(
                    &b.path,
                    &b.id,
                    &b.operation,
                    b.severity,
                    &b.message,
                    &b.sdk_note,
                ))
        });
        let mut seen = HashSet::new();
        changes.retain(|c| seen.insert((c.id.clone(), c.operation.clone(), c.path.clone())));
        Report { changes }
    }

    /// Whether there is no change at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes have the given severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.changes
            .iter()
            .filter(|c| c.severity == severity)
            .count()
    }

    /// Whether at least one change is [`Severity::Breaking`].
    #[must_use]
    pub fn has_breaking(&self) -> bool {
        self.count(Severity::Breaking) > 0
    }

    /// Whether a run with this `--fail-on` policy should fail (exit non-zero).
    #[must_use]
    pub fn should_fail(&self, fail_on: FailOn) -> bool {
        match fail_on {
            FailOn::Breaking => self.has_breaking(),
            FailOn::NonBreaking => self.changes.iter().any(|c| c.severity != Severity::Info),
            FailOn::Never => false,
        }
    }
}

/// Which changes make the diff fail (the `--fail-on` option of `cargo xtask diff`).
///
/// Parsed from `"breaking"`, `"non-breaking"` or `"never"` (ASCII case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    /// Fail when there is any breaking change (the default).
    #[default]
    Breaking,
    /// Fail when there is any breaking or non-breaking change (info changes never fail).
    NonBreaking,
    /// Never fail.
    Never,
}

impl FailOn {
    /// The name accepted by [`FromStr`]: `"breaking"`, `"non-breaking"` or `"never"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            FailOn::Breaking => "breaking",
            FailOn::NonBreaking => "non-breaking",
            FailOn::Never => "never",
        }
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FailOn {
    type Err = ParseFailOnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "breaking" => Ok(FailOn::Breaking),
            "non-breaking" => Ok(FailOn::NonBreaking),
            "never" => Ok(FailOn::Never),
            _ => Err(ParseFailOnError {
                input: s.to_owned(),
            }),
        }
    }
}

/// The error of parsing a [`FailOn`] from an unknown name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailOnError {
    input: String,
}

impl fmt::Display for ParseFailOnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown fail-on value `{}`: expected `breaking`, `non-breaking` or `never`",
            self.input
        )
    }
}

impl std::error::Error for ParseFailOnError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, severity: Severity, path: &str, message: &str) -> Change {
        Change::new(id, severity, Some("op".into()), path, message)
    }

    #[test]
    fn report_sorts_by_path_then_id_and_deduplicates_triples() {
        let report = Report::new(vec![
            change("b-rule", Severity::Info, "GET /b", "x"),
            change("z-rule", Severity::Breaking, "GET /a", "second message"),
            change("a-rule", Severity::NonBreaking, "GET /b", "y"),
            change("z-rule", Severity::Breaking, "GET /a", "first message"),
        ]);
        let order: Vec<_> = report
            .changes
            .iter()
            .map(|c| (c.path.as_str(), c.id.as_str(), c.message.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("GET /a", "z-rule", "first message"),
                ("GET /b", "a-rule", "y"),
                ("GET /b", "b-rule", "x"),
            ]
        );
    }

    #[test]
    fn counts_and_fail_policies() {
        let empty = Report::default();
        assert!(!empty.has_breaking());
        assert!(!empty.should_fail(FailOn::NonBreaking));

        let info = Report::new(vec![change("i", Severity::Info, "p", "m")]);
        assert!(!info.should_fail(FailOn::NonBreaking));

        let non_breaking = Report::new(vec![change("n", Severity::NonBreaking, "p", "m")]);
        assert!(!non_breaking.should_fail(FailOn::Breaking));
        assert!(non_breaking.should_fail(FailOn::NonBreaking));

        let breaking = Report::new(vec![change("b", Severity::Breaking, "p", "m")]);
        assert!(breaking.has_breaking());
        assert!(breaking.should_fail(FailOn::Breaking));
        assert!(breaking.should_fail(FailOn::NonBreaking));
        assert!(!breaking.should_fail(FailOn::Never));
        assert_eq!(breaking.count(Severity::Breaking), 1);
    }

    #[test]
    fn fail_on_parses_and_displays() {
        for fail_on in [FailOn::Breaking, FailOn::NonBreaking, FailOn::Never] {
            assert_eq!(fail_on.to_string().parse::<FailOn>(), Ok(fail_on));
        }
        assert_eq!(" Non-Breaking ".parse::<FailOn>(), Ok(FailOn::NonBreaking));
        let err = "sometimes".parse::<FailOn>().unwrap_err();
        assert!(err.to_string().contains("`sometimes`"));
        assert_eq!(FailOn::default(), FailOn::Breaking);
    }

    #[test]
    fn severity_serialises_in_kebab_case() {
        let names: Vec<_> = Severity::ALL
            .iter()
            .map(|s| serde_json::to_value(s).unwrap())
            .collect();
        assert_eq!(names, ["breaking", "non-breaking", "info"]);
        assert_eq!(Severity::NonBreaking.to_string(), "non-breaking");
    }

    #[test]
    fn messages_stay_on_one_line() {
        let c = Change::new("x", Severity::Info, None, "p", "a\nb\r\nc").with_sdk_note("d\re");
        assert_eq!(c.message, "a b c");
        assert_eq!(c.sdk_note.as_deref(), Some("d e"));
    }
}
