//! A real `redis-server` for a `redis` database: its own loopback port, its
//! own working directory, `requirepass` set to the API's password (in a
//! config file only the server's account can read, not on the command line
//! where `ps` would show it), and no persistence to disk.

use std::net::IpAddr;
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::credentials::Engine;
use crate::engines::account::{self, Account};
use crate::engines::error::EngineError;
use crate::engines::instance::{Instance, InstanceDir};
use crate::engines::launch::Launch;
use crate::engines::network::Network;
use crate::engines::setup::Setup;
use crate::engines::spawn;

/// Starts `redis-server` in `dir` (already handed to `account`).
pub(crate) async fn start(
    program: &std::path::Path,
    version: &str,
    dir: InstanceDir,
    account: Option<Account>,
    setup: &Setup,
    (network, step_within): (&Network, Duration),
) -> Result<Instance, EngineError> {
    let password = setup.password().expose();
    let log = dir.path().join("redis.log");
    let conf = dir.path().join("redis.conf");
    let config = format!(
        "bind {}\nprotected-mode yes\nrequirepass {password}\ndir {}\n\
         save \"\"\nappendonly no\ndaemonize no\nlogfile \"\"\n",
        network.listen,
        dir.path().display()
    );
    account::write_private(&conf, &config, account)?;
    let launch = Launch {
        engine: Engine::Redis,
        log: &log,
        secrets: &[password],
        probe: network.probe(),
        step_within,
        signals: (Signal::SIGTERM, Signal::SIGKILL),
    };
    let probe = launch.probe;
    let (process, port) = launch
        .until_ready(
            |port| {
                let mut cmd = spawn::command(program);
                // The port on the command line overrides the config file's.
                cmd.arg(&conf).arg("--port").arg(port.to_string());
                account::run_as(&mut cmd, account);
                cmd
            },
            |port| async move { ping(probe, port, password).await },
        )
        .await?;
    Ok(Instance::new(
        &launch,
        (process, port),
        dir,
        setup,
        version,
        network,
    ))
}

/// `AUTH password` then `PING`, in RESP: ready when both succeed (a server
/// still loading answers `-LOADING`).
async fn ping(host: IpAddr, port: u16, password: &str) -> bool {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect((host, port)).await?;
        let request = format!(
            "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$4\r\nPING\r\n",
            password.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        let mut buf = [0u8; 64];
        // Two answers, each a line.
        while answer.iter().filter(|b| **b == b'\n').count() < 2 {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        Ok::<_, std::io::Error>(answer == b"+OK\r\n+PONG\r\n")
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), exchange).await,
        Ok(Ok(true))
    )
}
