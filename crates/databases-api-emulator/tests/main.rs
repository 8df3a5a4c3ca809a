//! The Databases API emulator's tests: the HTTP API with simulated engines,
//! the standalone binary, engines that fail to start, the engine layer
//! without servers, and (`real_engines`, ignored unless asked for) real
//! PostgreSQL, Redis and MariaDB servers.
//!
//! One test binary for the crate (`autotests = false` and one `[[test]]` in
//! Cargo.toml): each file of tests/ is a module here, so the tests link once.

mod client;

mod api;
mod cli;
mod engines;
mod failures;
mod real_engines;
