//! The facade's integration tests, in one binary (linking tokio, reqwest and
//! the emulator once, not once per file): each former test file is a module.
//!
//! - `transport`, `hostile`, `tolerant`, `real_answers`, `coverage`: against
//!   a scripted mock server (`common::mock`);
//! - `emulator`, `emulator_shapes`, `chunked_upload`: against the in-process
//!   emulator.

mod common;

mod chunked_upload;
mod coverage;
mod emulator;
mod emulator_shapes;
mod hostile;
mod real_answers;
mod tolerant;
mod transport;
