//! Compares two OpenAPI 3.0 documents and classifies every change as breaking,
//! non-breaking or informational: the engine behind `cargo xtask diff OLD NEW`.
//!
//! The rules follow oasdiff's and Redocly's breaking-change rules, seen from two
//! angles: the wire (an HTTP client written against the old document) and users of
//! the generated Rust SDK. A change's [`Severity`] is the SDK user's view; when the
//! wire view differs, [`Change::sdk_note`] explains how (for instance a renamed
//! operationId changes nothing on the wire but renames the generated method).
//!
//! ```
//! use serde_json::json;
//!
//! let old = json!({"openapi": "3.0.1", "paths": {"/v1/things": {
//!     "get": {"operationId": "listThings", "responses": {"200": {"description": "ok"}}},
//!     "delete": {"operationId": "deleteThings", "responses": {"200": {"description": "ok"}}}
//! }}});
//! let new = json!({"openapi": "3.0.1", "paths": {"/v1/things": {
//!     "get": {"operationId": "listThings", "responses": {"200": {"description": "ok"}}}
//! }}});
//! let report = spec_diff::diff(&old, &new);
//! assert!(report.has_breaking());
//! assert_eq!(report.changes[0].id, "operation-removed");
//! assert!(report.should_fail("breaking".parse().unwrap()));
//! ```
//!
//! # How documents are compared
//!
//! - `$ref`s (to `components/*`, to other refs, or into another schema such as
//!   `#/components/schemas/Database/properties/Name`) are resolved, so effective
//!   schemas are compared, not reference strings. A reference that does not resolve
//!   (missing target, external document, cycle of references) is reported once as
//!   `unresolved-ref` (info) and what it points to is skipped. A recursive schema is
//!   compared down to the point where the walk would repeat itself. Siblings of a
//!   `$ref` are ignored, as OpenAPI 3.0 says.
//! - Operations are matched by method and path, then by path shape (a path parameter
//!   renamed in place), then by operationId when it is unique on both sides (the
//!   operation moved). Paths in changes use the new document's `METHOD /path`.
//! - Schemas are compared recursively in a direction: what a request accepts or what a
//!   response carries. The same change is therefore breaking in one direction and not
//!   in the other (an enum value added is harmless in a request, breaking in a
//!   response). A change inside a component schema is reported at every operation
//!   using it.
//! - Validation keywords (`pattern`, `minLength`/`maxLength`, `minimum`/`maximum`,
//!   `multipleOf`, `minItems`/`maxItems`, `uniqueItems`, `minProperties`/`maxProperties`)
//!   are judged by whether the constraint got tighter or looser: tighter breaks
//!   requests, looser breaks responses, because the generated SDK decodes constrained
//!   values into validating newtypes. A change that cannot be ordered (a new `pattern`)
//!   is breaking in both directions, as is a changed `discriminator.propertyName`.
//!   A property becoming `readOnly` breaks requests; becoming `writeOnly` breaks
//!   responses.
//! - Output is sorted by path, then rule id; identical `(id, operation, path)`
//!   triples are reported once.
//!
//! The full list of rule ids and severities is [`RULES`].
//!
//! Nothing in this crate panics on odd input: missing fields, values of the wrong
//! JSON type and non-OpenAPI documents are compared as far as they make sense.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bodies;
mod components;
mod constraints;
mod context;
mod model;
mod operations;
mod parameters;
mod render;
mod resolve;
mod rules;
mod schemas;
mod security;
mod unresolved;

pub use model::{Change, FailOn, ParseFailOnError, Report, Severity};
pub use rules::{RULES, Rule, rule};

use serde_json::Value;

/// Compares the OpenAPI 3.0 document `old` with `new` (both already parsed from YAML
/// or JSON) and reports every change, sorted by path then rule id.
#[must_use]
pub fn diff(old: &Value, new: &Value) -> Report {
    let mut ctx = context::Ctx::new(old, new);
    unresolved::report(&mut ctx);
    components::compare(&mut ctx);
    security::compare_root(&mut ctx);
    operations::compare(&mut ctx);
    ctx.finish()
}

/// Every `$ref` of `doc` that does not resolve (no such target, another
/// document, a cycle of references), in document order: where it is (the
/// unescaped segments of the object holding it), the reference, and why. The
/// xtask names them before generating, since progenitor panics on them.
#[must_use]
pub fn unresolved_refs(doc: &Value) -> Vec<(Vec<String>, String, &'static str)> {
    resolve::broken_refs(doc)
        .into_iter()
        .map(|b| (b.location, b.reference, b.error.describe()))
        .collect()
}
