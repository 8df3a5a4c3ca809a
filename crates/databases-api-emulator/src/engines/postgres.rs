//! A real PostgreSQL server for a `postgresql` database: `initdb` makes a
//! fresh cluster whose superuser is the API's user (password from a file
//! that is removed right after), `postgres` serves it on its own loopback
//! port with no Unix socket, and the API's database is created in it.

use std::path::Path;

use nix::sys::signal::Signal;
use tokio_postgres::NoTls;

use crate::credentials::Engine;
use crate::engines::account::{self, Account};
use crate::engines::binaries::PostgresPrograms;
use crate::engines::error::EngineError;
use crate::engines::instance::{Instance, InstanceDir};
use crate::engines::launch::{Launch, run_step};
use crate::engines::setup::Setup;

/// Starts PostgreSQL in `dir` (already handed to `account`).
pub(crate) async fn start(
    programs: &PostgresPrograms,
    version: &str,
    dir: InstanceDir,
    account: Option<Account>,
    setup: &Setup,
) -> Result<Instance, EngineError> {
    let password = setup.password().expose();
    let log = dir.path().join("postgres.log");
    let launch = Launch {
        engine: Engine::Postgresql,
        log: &log,
        secrets: &[password],
        // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for clients
        // to leave), SIGQUIT its immediate one, which takes its children along.
        signals: (Signal::SIGINT, Signal::SIGQUIT),
    };
    let data = dir.path().join("data");
    init_cluster(&launch, programs, &data, dir.path(), account, setup).await?;

    let (process, port) = launch
        .until_ready(
            |port| {
                let mut cmd = tokio::process::Command::new(&programs.postgres);
                cmd.arg("-D")
                    .arg(&data)
                    .arg("-p")
                    .arg(port.to_string())
                    .args(["-c", "listen_addresses=127.0.0.1"])
                    // No Unix socket: the default directory may not exist or be writable.
                    .args(["-c", "unix_socket_directories="])
                    // An emulator's data is thrown away; skip the disk flushes.
                    .args(["-c", "fsync=off", "-c", "synchronous_commit=off"]);
                account::run_as(&mut cmd, account);
                cmd
            },
            |port| async move { connect(port, setup, "postgres").await.is_ok() },
        )
        .await?;

    create_database(port, setup).await?;
    Ok(Instance::new(
        Engine::Postgresql,
        (process, port),
        dir,
        setup,
        version,
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
    let mut cmd = tokio::process::Command::new(&programs.initdb);
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

/// Connects as the API's user.
async fn connect(
    port: u16,
    setup: &Setup,
    database: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::Config::new()
        .host("127.0.0.1")
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

async fn create_database(port: u16, setup: &Setup) -> Result<(), EngineError> {
    let prepare = |e: tokio_postgres::Error| EngineError::Prepare {
        engine: Engine::Postgresql,
        // A server's own message says more than tokio-postgres's "db error".
        message: e
            .as_db_error()
            .map_or_else(|| e.to_string(), |db| db.message().to_string()),
    };
    let client = connect(port, setup, "postgres").await.map_err(prepare)?;
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
