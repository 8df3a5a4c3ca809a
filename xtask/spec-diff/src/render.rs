//! Rendering a [`Report`]: JSON for machines, text for people.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::model::{Change, Report, Severity};

impl Change {
    /// The change as JSON: `{"id", "severity", "operation", "path", "message"}`, plus
    /// `"sdk_note"` only when there is one. `operation` is `null` when there is none.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut value = json!({
            "id": self.id,
            "severity": self.severity.as_str(),
            "operation": self.operation,
            "path": self.path,
            "message": self.message,
        });
        if let (Some(note), Some(map)) = (&self.sdk_note, value.as_object_mut()) {
            map.insert("sdk_note".to_owned(), Value::String(note.clone()));
        }
        value
    }

    /// The change on one line: `id [operation] path: message (SDK: note)`.
    #[must_use]
    pub fn render_line(&self) -> String {
        let mut line = self.id.clone();
        if let Some(operation) = &self.operation {
            let _ = write!(line, " [{operation}]");
        }
        let _ = write!(line, " {}: {}", self.path, self.message);
        if let Some(note) = &self.sdk_note {
            let _ = write!(line, " (SDK: {note})");
        }
        line
    }
}

impl Report {
    /// The report as JSON: exactly `{"changes": [...]}`, each change as in
    /// [`Change::to_json`], in report order.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({ "changes": self.changes.iter().map(Change::to_json).collect::<Vec<_>>() })
    }

    /// The report for people: one section per severity present (breaking first), one
    /// line per change (see [`Change::render_line`]), then a summary line of counts.
    /// An empty report renders as `no changes`. There is no trailing newline.
    ///
    /// ```text
    /// Breaking changes (1):
    ///   operation-removed [deleteDatabase] DELETE /v1/databases/{name}: operation `deleteDatabase` was removed
    ///
    /// Info (1):
    ///   component-schema-added [Group] components/schemas/Group: component schema `Group` was added
    ///
    /// 1 breaking, 0 non-breaking, 1 info
    /// ```
    #[must_use]
    pub fn render_text(&self) -> String {
        if self.changes.is_empty() {
            return "no changes".to_owned();
        }
        let mut out = String::new();
        for severity in Severity::ALL {
            let changes: Vec<&Change> = self
                .changes
                .iter()
                .filter(|c| c.severity == severity)
                .collect();
            if changes.is_empty() {
                continue;
            }
            let title = match severity {
                Severity::Breaking => "Breaking changes",
                Severity::NonBreaking => "Non-breaking changes",
                Severity::Info => "Info",
            };
            let _ = writeln!(out, "{title} ({}):", changes.len());
            for change in changes {
                let _ = writeln!(out, "  {}", change.render_line());
            }
            out.push('\n');
        }
        let _ = write!(
            out,
            "{} breaking, {} non-breaking, {} info",
            self.count(Severity::Breaking),
            self.count(Severity::NonBreaking),
            self.count(Severity::Info)
        );
        out
    }
}
