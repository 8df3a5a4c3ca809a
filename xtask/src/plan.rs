//! The whole check of a spec, as patched, before anything is written: every
//! blocker at once.
//!
//! The normalisations and overlays run first, each action judged on its own
//! (one that no longer applies is classified: its target moved, or its defect
//! is gone upstream); then the operationIds are checked on the result, since
//! a patch may be what fixes them. What progenitor itself cannot take is
//! found by generating (the `generate` module asks progenitor).
//!
//! Operations without a usable operationId get a second pass: patches often
//! select operations by operationId, so the pass applies the proposed names
//! first and checks the other patches on the spec as it will be once the
//! maintainer has added them. A patch is then reported only when it has a
//! problem of its own.

use serde_json::Value;

use crate::blockers::{Blocker, Proposal};
use crate::manifest::{Api, Workspace};
use crate::patches::{Action, Failure, Overlay, normalise};
use crate::{Result, names};

/// The new spec as patched, and what stops it from generating.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The patched document (with the proposed operationIds, if any).
    pub document: Value,
    /// Every blocker, patches first, then names.
    pub blockers: Vec<Blocker>,
    /// Patch actions that select operations by the operationIds they lack
    /// and apply once the proposed names are in place (not blockers).
    pub notes: Vec<String>,
}

/// Checks `raw` (an upstream document) as `api`'s patches leave it. `old` is
/// the effective spec the SDK was generated from: it supplies the names to
/// propose and the renames that tell a moved patch target from a fixed defect.
pub fn check(ws: &Workspace, api: &Api, raw: &Value, old: Option<&Value>) -> Result<Plan> {
    let first = patch(ws, api, raw, &[], old)?;
    let names = names::check(&first.0, old);
    let proposed: Vec<Action> = names
        .iter()
        .filter_map(|b| b.proposal.as_ref().map(|p| p.action.clone()))
        .collect();
    let mut notes = Vec::new();
    let (document, mut blockers) = if proposed.is_empty() {
        first
    } else {
        let second = patch(ws, api, raw, &proposed, old)?;
        for before in &first.1 {
            if !second.1.iter().any(|b| b.at == before.at) {
                notes.push(format!(
                    "{} applies again once the operations are named as proposed (it selects \
                     them by operationId)",
                    before.at
                ));
            }
        }
        second
    };
    for blocker in names.iter().chain(&names::check(&document, old)) {
        if !blockers.iter().any(|b| b.at == blocker.at) {
            blockers.push(blocker.clone());
        }
    }
    Ok(Plan {
        document,
        blockers,
        notes,
    })
}

/// Applies `first` (proposed actions, silently), then `api`'s normalisations
/// and overlays to a copy of `raw`; returns the result and a blocker for each
/// step or action that does not apply.
fn patch(
    ws: &Workspace,
    api: &Api,
    raw: &Value,
    first: &[Action],
    old: Option<&Value>,
) -> Result<(Value, Vec<Blocker>)> {
    let mut doc = raw.clone();
    for action in first {
        // Judged by the checks afterwards; nothing to report here.
        let _ = action.apply(&mut doc);
    }
    let mut blockers = Vec::new();
    for step in &api.normalisations {
        if let Err(e) = normalise(step, &mut doc) {
            blockers.push(Blocker::new(
                None,
                format!("spec/apis.toml, normalisation `{step}`"),
                e.to_string(),
                "when upstream fixed the defect, remove the step from `normalisations` in \
                 spec/apis.toml; otherwise adapt it in xtask/src/patches.rs",
            ));
        }
    }
    for path in api.overlay_paths(ws) {
        let overlay = Overlay::load(&path)?;
        let name = path
            .strip_prefix(ws.spec_dir())
            .unwrap_or(&path)
            .display()
            .to_string();
        for (index, action) in overlay.actions.iter().enumerate() {
            let Err(failure) = action.apply(&mut doc) else {
                continue;
            };
            blockers.push(classify(&name, index, action, failure, &mut doc, old));
        }
    }
    Ok((doc, blockers))
}

/// The blocker for action `index` of overlay `name`, which failed on `doc`.
/// A moved action is applied re-targeted, so that later checks see the spec
/// as it will be once the maintainer has accepted the proposal.
fn classify(
    name: &str,
    index: usize,
    action: &Action,
    failure: Failure,
    doc: &mut Value,
    old: Option<&Value>,
) -> Blocker {
    let at = format!(
        "spec/{name}, action {}: target `{}`",
        index + 1,
        action.target
    );
    let defect = action
        .description
        .as_deref()
        .map(|d| format!(" ({})", d.trim()))
        .unwrap_or_default();
    match failure {
        Failure::NoMatch => {
            if let Some(moved) = old.and_then(|old| names::moved(action, doc, old)) {
                // It applied on a copy; it applies here.
                let _ = moved.action.apply(doc);
                let mut blocker = Blocker::new(
                    None,
                    at,
                    format!(
                        "patch action {} of spec/{name} matches nothing, but its defect{defect} \
                         is still there under renamed paths or operationIds: its target moved \
                         to {}",
                        index + 1,
                        moved.at.join(", ")
                    ),
                    "re-target the action as proposed",
                );
                blocker.proposal = Some(Proposal {
                    action: moved.action,
                    replaces: Some((name.to_string(), index)),
                });
                blocker
            } else {
                let why = match missing_path(&action.target, doc) {
                    Some(path) => format!(
                        "the path `{path}` it selects is gone upstream, and no renamed path \
                         leads to it"
                    ),
                    None => format!(
                        "no renamed path or operationId leads to its defect{defect}: upstream \
                         fixed it"
                    ),
                };
                Blocker::new(
                    None,
                    at,
                    format!(
                        "patch action {} of spec/{name} matches nothing, and {why}",
                        index + 1
                    ),
                    format!(
                        "check the new spec and remove action {} from spec/{name} (the file and \
                         its line in spec/apis.toml when no action is left)",
                        index + 1
                    ),
                )
            }
        }
        Failure::NoChange => Blocker::new(
            None,
            at,
            format!(
                "patch action {} of spec/{name} changes nothing: upstream already has what it \
                 sets, so its defect{defect} is gone",
                index + 1
            ),
            format!(
                "remove action {} from spec/{name} (the file and its line in spec/apis.toml \
                 when no action is left)",
                index + 1
            ),
        ),
        Failure::Invalid(message) => Blocker::new(
            None,
            at,
            format!(
                "patch action {} of spec/{name} is invalid: {message}",
                index + 1
            ),
            "correct the action",
        ),
    }
}

/// A path named in `target` (`$.paths['/v1/x']...`) that `doc` does not have.
fn missing_path(target: &str, doc: &Value) -> Option<String> {
    let paths = doc.get("paths")?;
    target
        .split(['\'', '"'])
        .skip(1)
        .step_by(2)
        .find(|quoted| quoted.starts_with('/') && paths.get(*quoted).is_none())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_path_a_target_selects_when_it_is_gone() {
        let doc = json!({"paths": {"/v1/a": {}}});
        assert_eq!(missing_path("$.paths['/v1/a'].get", &doc), None);
        assert_eq!(
            missing_path("$.paths[\"/v1/b\"].get[?@ == 'x']", &doc).as_deref(),
            Some("/v1/b")
        );
    }
}
