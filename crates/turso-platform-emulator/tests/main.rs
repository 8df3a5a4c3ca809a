//! The Turso Platform API emulator's tests: the API against the spec, the
//! data plane (Hrana), uploads, faults, limits, the binary (flags, signals,
//! shutdown, crash reports).
//!
//! One test binary for the crate (`autotests = false` and one `[[test]]` in
//! Cargo.toml): each file of tests/ is a module here, so the tests link once.
//! Except tests/stream_bounds.rs, a binary of its own: it counts the process's
//! open file descriptors, which tests running beside it would change.

mod common;

mod api;
mod cli;
mod crash;
mod edges;
mod faults;
mod hrana;
mod limits;
mod shutdown;
mod turso_edges;
mod upload;
mod validate;
