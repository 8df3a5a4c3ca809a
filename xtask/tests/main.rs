//! The xtask's tests: the patch pipeline's refusals, `update-spec` and `diff`
//! in scratch workspaces, and the replay of a maintainer's life with
//! `update-spec`.
//!
//! One test binary for the crate (`autotests = false` and one `[[test]]` in
//! Cargo.toml): each file of tests/ is a module here, so the tests link once.

mod common;

mod patches;
mod replay;
mod update_spec;
