//! The contract tests, in one binary (linking the facade, the emulator and
//! the xtask once, not once per file): each former test file is a module.
//! The shared pieces (the validating proxy, fake servers, schema helpers)
//! are this package's library, `support/`.
//!
//! - `operations`: one test per operation, through the validating proxy;
//! - `examples`, `generated_bodies`, `generated_errors`, `tolerant_answers`,
//!   `malformed`, `names`: decoding and encoding against the spec;
//! - `drift`: the schema-drift snapshots (`snapshots/`);
//! - `live`: against the real service, ignored unless asked for (see its
//!   module doc).

mod drift;
mod examples;
mod generated_bodies;
mod generated_errors;
mod live;
mod malformed;
mod names;
mod operations;
mod tolerant_answers;
