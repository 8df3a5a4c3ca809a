//! The emulator's data plane through the official `libsql` client: SQL
//! served, and a tenant's SQL confined to its database.
//!
//! One test binary for the crate (`autotests = false` and one `[[test]]` in
//! Cargo.toml): each file of tests/ is a module here, so the tests link once.

mod common;

mod confinement;
mod libsql_client;
