//! The Databases API emulator's engine layer: real local database servers
//! behind the databases the emulator creates.
//!
//! The emulator's HTTP server will sit on the shared emulator core; this crate
//! holds what is particular to the Databases API and works without it:
//! [`engines::Engines`] starts a real PostgreSQL server (a fresh `initdb`
//! directory), a real `redis-server` or a real MariaDB server for a database,
//! each on its own loopback port with its own data directory and the user and
//! password the API hands out, notices when one dies, and stops it (removing
//! its data) on delete or when dropped. An engine whose programs are not
//! installed (MongoDB, which Debian does not package) is reported as
//! simulated, once.
//!
//! ```no_run
//! # async fn demo() -> Result<(), databases_api_emulator::engines::EngineError> {
//! use databases_api_emulator::{Engine, Secret, engines::{Engines, Setup, Started}};
//!
//! let engines = Engines::discover()?;
//! let setup = Setup::new("main_postgres", "app_user", Secret::generate())?;
//! if let Started::Real(instance) = engines.start(Engine::Postgresql, &setup).await? {
//!     println!("connect with {}", instance.credentials().connection_string.expose());
//!     instance.stop().await?; // the server is gone and its data removed
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod credentials;
pub mod engines;
pub mod secret;

pub use credentials::{Credentials, Engine};
pub use secret::Secret;
