//! What stops a spec from generating a working client, said so that a
//! maintainer can act without reading the xtask: which operation, where in the
//! spec (a JSON pointer, or a patch and its action), the fix, and, where one
//! fits, the overlay action that makes it.
//!
//! Every check reports all it finds; [`render`] prints them together with one
//! ready overlay document holding every proposed new action.

use serde_json::Value;

use crate::patches::Action;

/// One problem to fix before the spec can be vendored or generated.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    /// The operation concerned, `listDatabases (GET /v1/...)`, when there is one.
    pub operation: Option<String>,
    /// Where: a JSON pointer into the patched spec, or `patches/x.yaml action 2`.
    pub at: String,
    /// What is wrong.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
    /// The overlay action that fixes it, when one fits.
    pub proposal: Option<Proposal>,
}

/// An overlay action proposed as the fix of a blocker.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The action.
    pub action: Action,
    /// `Some((patch, index))` when it replaces action `index` (from 0) of an
    /// existing overlay; `None` when it belongs in a new overlay.
    pub replaces: Option<(String, usize)>,
}

impl Blocker {
    /// A blocker without a proposed action.
    pub fn new(
        operation: Option<String>,
        at: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Blocker {
            operation,
            at: at.into(),
            problem: problem.into(),
            fix: fix.into(),
            proposal: None,
        }
    }

    /// The blocker with `action` proposed for a new overlay.
    pub fn with_new_action(mut self, action: Action) -> Self {
        self.proposal = Some(Proposal {
            action,
            replaces: None,
        });
        self
    }
}

/// A new overlay action: `target`, a `description` naming the defect, and
/// either an `update` or a removal.
pub fn action(target: String, description: String, update: Option<Value>) -> Action {
    Action {
        target,
        description: Some(description),
        remove: update.is_none(),
        update,
    }
}

/// Renders an action as the YAML list item it is in an overlay file.
pub fn action_yaml(action: &Action) -> String {
    let list = yaml_serde::to_string(&[action]).unwrap_or_else(|e| format!("# {e}\n"));
    list.trim_end().to_string()
}

/// The overlay document holding every proposed action that belongs in a new
/// overlay, in order; `None` when there is none.
pub fn proposed_overlay(blockers: &[Blocker]) -> Option<String> {
    let actions: Vec<&Action> = blockers
        .iter()
        .filter_map(|b| b.proposal.as_ref())
        .filter(|p| p.replaces.is_none())
        .map(|p| &p.action)
        .collect();
    if actions.is_empty() {
        return None;
    }
    let mut text = String::from(
        "overlay: 1.0.0\ninfo:\n  title: Corrections for the new upstream version\n  version: 1.0.0\nactions:\n",
    );
    for action in actions {
        text.push_str(&action_yaml(action));
        text.push('\n');
    }
    Some(text)
}

/// Renders every blocker, numbered, then the proposed overlay.
pub fn render(blockers: &[Blocker]) -> String {
    let mut out = format!(
        "{} blocker(s); nothing was changed. Fix them all, then run the same command again.\n",
        blockers.len()
    );
    for (n, b) in blockers.iter().enumerate() {
        out.push_str(&format!("\n[{}] {}\n", n + 1, b.problem));
        if let Some(op) = &b.operation {
            out.push_str(&format!("    operation: {op}\n"));
        }
        out.push_str(&format!("    at:        {}\n", b.at));
        out.push_str(&format!("    fix:       {}\n", b.fix));
        if let Some(p) = &b.proposal {
            let heading = match &p.replaces {
                Some((patch, index)) => {
                    format!("    replace action {} of spec/{patch} with:", index + 1)
                }
                None => "    action (in the proposed overlay below):".to_string(),
            };
            out.push_str(&heading);
            out.push('\n');
            for line in action_yaml(&p.action).lines() {
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    if let Some(overlay) = proposed_overlay(blockers) {
        out.push_str(
            "\nProposed overlay: save it as spec/patches/<name>.overlay.yaml, review each \
             action's description, and list it FIRST in `overlays` in spec/apis.toml (other \
             patches select operations by the operationIds it gives):\n\n",
        );
        out.push_str(&overlay);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_every_blocker_and_one_overlay_of_new_actions() {
        let new = Blocker::new(
            Some("GET /v1/x".into()),
            "/paths/~1v1~1x/get",
            "no operationId",
            "name it",
        )
        .with_new_action(action(
            "$.paths['/v1/x'].get".into(),
            "Defect: unnamed.".into(),
            Some(json!({"operationId": "getX"})),
        ));
        let mut moved = Blocker::new(None, "patches/a.yaml action 1", "moved", "re-target it");
        moved.proposal = Some(Proposal {
            action: action("$.b".into(), "d".into(), None),
            replaces: Some(("patches/a.yaml".into(), 0)),
        });
        let text = render(&[new, moved]);
        assert!(
            text.starts_with("2 blocker(s); nothing was changed."),
            "{text}"
        );
        assert!(text.contains("[1] no operationId"), "{text}");
        assert!(
            text.contains("replace action 1 of spec/patches/a.yaml with:"),
            "{text}"
        );
        let overlay = text.split("FIRST in `overlays`").nth(1).unwrap();
        let parsed: Value = yaml_serde::from_str(overlay.split_once("\n\n").unwrap().1).unwrap();
        assert_eq!(parsed["actions"].as_array().unwrap().len(), 1, "{text}");
        assert_eq!(parsed["actions"][0]["update"]["operationId"], "getX");
        assert!(parsed["actions"][0].get("remove").is_none());
    }
}
