//! A real MariaDB server for a `mysql` database: `mariadb-install-db` makes
//! a fresh data directory and, in the same bootstrap, creates the API's
//! database and user (from a file only the server's account can read,
//! removed right after); `mariadbd` serves it on its own loopback port, its
//! socket and pid file kept in the instance's directory. Debian packages
//! MariaDB, which speaks MySQL's protocol, instead of MySQL.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio::io::AsyncReadExt;

use crate::credentials::Engine;
use crate::engines::account::{self, Account};
use crate::engines::binaries::MariadbPrograms;
use crate::engines::error::EngineError;
use crate::engines::instance::{Instance, InstanceDir};
use crate::engines::launch::{Launch, run_step};
use crate::engines::network::Network;
use crate::engines::setup::Setup;
use crate::engines::spawn;

/// Starts MariaDB in `dir` (already handed to `account`).
pub(crate) async fn start(
    programs: &MariadbPrograms,
    version: &str,
    dir: InstanceDir,
    account: Option<Account>,
    setup: &Setup,
    (network, step_within): (&Network, Duration),
) -> Result<Instance, EngineError> {
    let password = setup.password().expose();
    let log = dir.path().join("mariadb.log");
    let launch = Launch {
        engine: Engine::Mysql,
        log: &log,
        secrets: &[password],
        probe: network.probe(),
        step_within,
        signals: (Signal::SIGTERM, Signal::SIGKILL),
    };
    let data = dir.path().join("data");
    install(&launch, programs, &data, dir.path(), account, setup).await?;

    let probe = launch.probe;
    let bind = format!("--bind-address={}", network.listen);
    let tmp = dir.path().to_path_buf();
    let socket = dir.path().join("mariadbd.sock");
    let pid_file = dir.path().join("mariadbd.pid");
    let (process, port) = launch
        .until_ready(
            |port| {
                let mut cmd = spawn::command(&programs.server);
                // `--no-defaults` first: the machine's /etc/mysql config is not ours.
                cmd.arg("--no-defaults")
                    .arg(format!("--datadir={}", data.display()))
                    .arg(format!("--port={port}"))
                    .arg(&bind)
                    .arg(format!("--socket={}", socket.display()))
                    .arg(format!("--pid-file={}", pid_file.display()))
                    .arg("--skip-name-resolve")
                    // An emulator's data is thrown away; skip the disk flushes.
                    .arg("--innodb-flush-log-at-trx-commit=0")
                    // Its temporary files in its own directory: `TMPDIR` may be
                    // one its account cannot write.
                    .env("TMPDIR", &tmp);
                account::run_as(&mut cmd, account);
                cmd
            },
            |port| async move { greets(probe, port).await },
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

async fn install(
    launch: &Launch<'_>,
    programs: &MariadbPrograms,
    data: &Path,
    dir: &Path,
    account: Option<Account>,
    setup: &Setup,
) -> Result<(), EngineError> {
    let sql_file = dir.join("setup.sql");
    // The bootstrap runs without grant tables until FLUSH PRIVILEGES loads
    // them; CREATE USER needs them. The names are checked identifiers and the
    // password holds no quote (see `Setup`).
    let sql = format!(
        "FLUSH PRIVILEGES;\n\
         CREATE DATABASE `{db}`;\n\
         CREATE USER '{user}'@'%' IDENTIFIED BY '{pw}';\n\
         GRANT ALL PRIVILEGES ON `{db}`.* TO '{user}'@'%';\n",
        db = setup.database(),
        user = setup.username(),
        pw = setup.password().expose(),
    );
    account::write_private(&sql_file, &sql, account)?;
    let mut cmd = spawn::command(&programs.install_db);
    cmd.arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg("--auth-root-authentication-method=socket")
        .arg("--skip-test-db")
        .arg("--skip-name-resolve")
        .arg(format!("--extra-file={}", sql_file.display()))
        .env("TMPDIR", dir);
    account::run_as(&mut cmd, account);
    let result = run_step(launch, "mariadb-install-db", cmd).await;
    let _ = std::fs::remove_file(&sql_file);
    result
}

/// Whether the server sends its handshake: a packet of protocol version 10
/// (an error packet, 0xff, means it does not serve yet).
async fn greets(host: IpAddr, port: u16) -> bool {
    let handshake = async {
        let mut stream = tokio::net::TcpStream::connect((host, port)).await?;
        let mut head = [0u8; 5];
        stream.read_exact(&mut head).await?;
        Ok::<_, std::io::Error>(head[4] == 10)
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), handshake).await,
        Ok(Ok(true))
    )
}
