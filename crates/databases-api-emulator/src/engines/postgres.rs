//! A real PostgreSQL server for a `postgresql` database: `initdb` makes a
//! fresh cluster whose superuser is the API's user (password from a file
//! that is removed right after), `postgres` serves it on its own loopback
//! port with no Unix socket, and the API's database is created in it.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio_postgres::NoTls;

use crate::credentials::Engine;
use crate::engines::account::{self, Account};
use crate::engines::binaries::PostgresPrograms;
use crate::engines::error::EngineError;
use crate::engines::instance::{Instance, InstanceDir};
use crate::engines::launch::{Launch, run_step};
use crate::engines::network::Network;
use crate::engines::process::log_tail;
use crate::engines::setup::Setup;
use crate::engines::spawn;

/// Starts PostgreSQL in `dir` (already handed to `account`).
pub(crate) async fn start(
    programs: &PostgresPrograms,
    version: &str,
    dir: InstanceDir,
    account: Option<Account>,
    setup: &Setup,
    (network, step_within): (&Network, Duration),
) -> Result<Instance, EngineError> {
    let password = setup.password().expose();
    let log = dir.path().join("postgres.log");
    let launch = Launch {
        engine: Engine::Postgresql,
        log: &log,
        secrets: &[password],
        // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for clients
        // to leave), SIGQUIT its immediate one, which takes its children along.
        probe: network.probe(),
        step_within,
        signals: (Signal::SIGINT, Signal::SIGQUIT),
    };
    let data = dir.path().join("data");
    init_cluster(&launch, programs, &data, dir.path(), account, setup).await?;
    if !network.is_loopback() {
        allow_remote_clients(&data)?;
    }
    let probe = launch.probe;
    let listen = format!("listen_addresses={}", network.listen);

    let (process, port) = launch
        .until_ready(
            |port| {
                let mut cmd = spawn::command(&programs.postgres);
                cmd.arg("-D")
                    .arg(&data)
                    .arg("-p")
                    .arg(port.to_string())
                    .args(["-c", &listen])
                    // No Unix socket: the default directory may not exist or be writable.
                    .args(["-c", "unix_socket_directories="])
                    // An emulator's data is thrown away; skip the disk flushes.
                    .args(["-c", "fsync=off", "-c", "synchronous_commit=off"]);
                account::run_as(&mut cmd, account);
                cmd
            },
            |port| async move { connect(probe, port, setup, "postgres").await.is_ok() },
        )
        .await?;

    // A server that hangs here is killed when `process` is dropped.
    let within = launch.step_within;
    match tokio::time::timeout(within, create_database(probe, port, setup)).await {
        Ok(created) => created?,
        Err(_) => {
            return Err(EngineError::TimedOut {
                engine: Engine::Postgresql,
                step: "CREATE DATABASE",
                seconds: within.as_secs_f64(),
                log_tail: log_tail(&log, &[password]),
            });
        }
    }
    Ok(Instance::new(
        &launch,
        (process, port),
        dir,
        setup,
        version,
        network,
    ))
}

async fn init_cluster(
    launch: &Launch<'_>,
    programs: &PostgresPrograms,
    data: &Path,
    dir: &Path,
    account: Option<Account>,
    setup: &Setup,
) -> Result<(), EngineError> {
    let pwfile = dir.join("initdb.pw");
    account::write_private(&pwfile, setup.password().expose(), account)?;
    let mut cmd = spawn::command(&programs.initdb);
    cmd.arg("-D")
        .arg(data)
        .arg("-U")
        .arg(setup.username())
        .arg(format!("--pwfile={}", pwfile.display()))
        .args(["--auth=scram-sha-256", "--encoding=UTF8", "--locale=C"])
        .args(["--no-sync", "--no-instructions"]);
    account::run_as(&mut cmd, account);
    let result = run_step(launch, "initdb", cmd).await;
    let _ = std::fs::remove_file(&pwfile);
    result
}

/// Lets clients on other hosts in (`initdb` lets in the loopback only), with
/// the same password authentication.
fn allow_remote_clients(data: &Path) -> Result<(), EngineError> {
    use std::io::Write;
    let hba = data.join("pg_hba.conf");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&hba)
        .and_then(|mut f| {
            f.write_all(b"host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n")
        })
        .map_err(|e| EngineError::io("letting remote clients in through", &hba, e))
}

/// Connects as the API's user.
async fn connect(
    host: IpAddr,
    port: u16,
    setup: &Setup,
    database: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::Config::new()
        .host(host.to_string())
        .port(port)
        .user(setup.username())
        .password(setup.password().expose())
        .dbname(database)
        .connect_timeout(std::time::Duration::from_secs(2))
        .connect(NoTls)
        .await?;
    tokio::spawn(connection);
    Ok(client)
}

async fn create_database(host: IpAddr, port: u16, setup: &Setup) -> Result<(), EngineError> {
    let prepare = |e: tokio_postgres::Error| EngineError::Prepare {
        engine: Engine::Postgresql,
        // A server's own message says more than tokio-postgres's "db error".
        message: e
            .as_db_error()
            .map_or_else(|| e.to_string(), |db| db.message().to_string()),
    };
    let client = connect(host, port, setup, "postgres")
        .await
        .map_err(prepare)?;
    let exists = client
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1",
            &[&setup.database()],
        )
        .await
        .map_err(prepare)?
        .is_some();
    if !exists {
        // The name is a checked identifier (see `Setup`), so quoting it is enough.
        let sql = format!("CREATE DATABASE \"{}\"", setup.database());
        client.batch_execute(&sql).await.map_err(prepare)?;
    }
    Ok(())
}
