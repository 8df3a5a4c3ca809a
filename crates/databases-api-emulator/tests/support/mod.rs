//! Shared by the real-engine tests: engines discovered the way the emulator
//! discovers them, and the rule that these tests run for real in CI.

use databases_api_emulator::Engine;
use databases_api_emulator::engines::{Availability, Engines};

/// The machine's engines, when `engine` runs for real here. Without it, a
/// developer's run prints why and skips; a CI run (`CI` set, as `.ci/run`
/// sets it after installing the engines) fails, so these tests cannot
/// silently stop running there.
pub fn engines_for(engine: Engine) -> Option<Engines> {
    let engines = Engines::discover().expect("discovering the engines");
    match engines.availability(engine) {
        Availability::Real { .. } => Some(engines),
        Availability::Simulated { reason } => {
            if std::env::var_os("CI").is_some() {
                panic!("{engine} must run for real in CI, but {reason}");
            }
            eprintln!("skipped: {engine} is not installed here ({reason})");
            None
        }
    }
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
