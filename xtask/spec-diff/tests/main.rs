//! The spec-diff crate's tests: one scenario per rule, and a realistic
//! fragment of the Turso Platform API with its exact report.
//!
//! One test binary for the crate (`autotests = false` and one `[[test]]` in
//! Cargo.toml): each file of tests/ is a module here, so the tests link once.

mod rules;
mod turso;
