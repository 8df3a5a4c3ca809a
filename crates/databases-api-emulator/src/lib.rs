//! An emulator of the Databases API (`spec/databases-api.openapi.yaml`) for
//! tests and development, built on the workspace's emulator core: all five
//! operations, bearer tokens with scopes, faults, validation of every
//! request and answer against the spec, and state in SQLite. Statuses move
//! from `provisioning` to `running` after a configurable delay; `stopped`
//! and `error` can be injected.
//!
//! With real engines switched on ([`EmulatorBuilder::real_engines`],
//! `--real-engines`), a `postgresql` database is a real PostgreSQL server, a
//! `redis` one a real `redis-server` and a `mysql` one a real MariaDB server,
//! each started by the engine layer ([`engines::Engines`]); the credentials
//! the API answers connect for real, deleting stops the server and removes
//! its data, and a server that dies moves its database to `error`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let emu = databases_api_emulator::Emulator::builder().real_engines(true).start().await?;
//! // DATABASES_API_BASEURL = emu.base_url(), DATABASES_API_TOKEN = emu.token()
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod api;
pub mod credentials;
mod emulator;
pub mod engines;
mod model;
pub mod secret;
mod server;
mod servers;
mod shared;
mod world;

pub use credentials::{Credentials, Engine};
pub use emulator::{Emulator, EmulatorBuilder, EmulatorError};
pub use emulator_core::{Fault, FaultParseError, FaultPlan};
pub use model::{PLANS, REGIONS, Status};
pub use secret::Secret;
