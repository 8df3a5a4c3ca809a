//! The Databases API facade's tests: against a scripted fake of the API
//! (answers, hostile answers, retries, waits, idempotent creates) and against
//! the workspace's emulator; `real_engines` needs real servers (ignored unless
//! asked for).
//!
//! One test binary for the crate (`autotests = false` and one `[[test]]` in
//! Cargo.toml): each file of tests/ is a module here, so the tests link once.

mod common;

mod answers;
mod databases;
mod emulator;
mod ensure;
mod hostile;
mod operations;
mod real_engines;
mod retries;
mod wait;
