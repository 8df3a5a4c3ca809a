//! Tests with real PostgreSQL, Redis and MariaDB servers behind the
//! emulator: the engine layer's servers and their care (`postgres`, `redis`,
//! `mariadb`, `supervision`), the HTTP API in front of them (`real_api`) and
//! the standalone binary's engine lifetime (`lifetime`).
//!
//! Every test here needs real engines, so each is `#[ignore]`d with its
//! reason: a machine without them reports it ignored, never passed. CI
//! installs the engines and runs exactly these tests with
//! `cargo test --workspace --locked -- --ignored real_engines`; asked for, a
//! test whose engine is missing fails.

mod lifetime;
mod mariadb;
mod postgres;
mod real_api;
mod redis;
mod supervision;

use databases_api_emulator::Engine;
use databases_api_emulator::engines::{Availability, Engines};

/// The machine's engines, with `engine` running for real. A missing engine
/// fails the test: these tests run only when asked for, to test for real.
pub fn engines_for(engine: Engine) -> Engines {
    let engines = Engines::discover().expect("discovering the engines");
    if let Availability::Simulated { reason } = engines.availability(engine) {
        panic!("{engine} must run for real in this test, but {reason}");
    }
    engines
}

/// Whether nothing accepts TCP connections on the loopback `port` any more.
/// A connection whose two ends are the same address is Linux's TCP
/// self-connect (the client was given `port` itself as its source port, which
/// happens now and then for a port in the ephemeral range): nothing listens.
pub async fn refuses_connections(port: u16) -> bool {
    match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionRefused,
        Ok(stream) => stream.local_addr().ok() == stream.peer_addr().ok(),
    }
}
