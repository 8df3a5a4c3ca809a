//! The facade against the Databases API emulator with a real MariaDB: the
//! MySQL connection string the facade builds connects through `mysql_async`
//! and the `mysql` command-line client.
//!
//! Every test here needs a real engine, so each is ignored with its reason;
//! CI installs the engines and runs exactly these with
//! `cargo test --workspace --locked -- --ignored real_engines`, where a
//! missing engine fails the test instead of skipping it.

use std::time::Duration;

use databases_api::{Credentials, Engine};
use databases_api_emulator::Emulator;

use crate::emulator::{client, input};

/// The `mysql` command-line client (`mariadb` on newer Debian), if any.
fn mysql_client() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| [dir.join("mysql"), dir.join("mariadb")])
        .find(|p| p.is_file())
}

#[tokio::test]
#[ignore = "needs a real MariaDB (mariadbd) and the mysql client (.ci/run installs them and runs the ignored real_engines tests)"]
async fn the_mysql_connection_string_connects_with_mysql_async_and_the_mysql_client() {
    use databases_api_emulator::engines::Availability;
    use mysql_async::prelude::Queryable;

    let emu = Emulator::builder()
        .real_engines(true)
        .start()
        .await
        .unwrap();
    let engine = databases_api_emulator::Engine::Mysql;
    let availability = emu.engine_availability(engine);
    assert!(
        matches!(availability, Some(Availability::Real { .. })),
        "this test needs MariaDB installed (apt-get install mariadb-server): {availability:?}"
    );
    let cli =
        mysql_client().expect("this test needs the mysql client (apt-get install mariadb-client)");
    let dbs = client(&emu, emu.token()).databases();
    let created = dbs
        .create(&input("orders-mysql", Engine::Mysql))
        .await
        .unwrap();
    dbs.wait_until_running(&created.id, Duration::from_secs(120))
        .await
        .unwrap();
    assert!(emu.is_real(&created.id), "served by a real MariaDB");
    let creds = dbs.credentials(&created.id).await.unwrap();
    let Credentials::Mysql(fields) = &creds else {
        panic!("{creds:?}")
    };
    let url = creds.connection_string().expect("built from the fields");

    // mysql_async, with the string as built.
    let mut conn = mysql_async::Conn::from_url(url.expose()).await.unwrap();
    let one: Option<i64> = conn.query_first("SELECT 1").await.unwrap();
    assert_eq!(one, Some(1));
    let current: Option<String> = conn.query_first("SELECT DATABASE()").await.unwrap();
    assert_eq!(current.as_deref(), fields.database.as_deref());
    conn.disconnect().await.unwrap();
    // Every TLS mode gives a string mysql_async accepts (it refused `ssl-mode`).
    for mode in ["required", "verify_ca", "verify_identity", "disabled"] {
        let mut tls = fields.clone();
        tls.ssl_mode = Some(mode.to_string());
        let url = Credentials::Mysql(tls).connection_string().unwrap();
        mysql_async::Opts::from_url(url.expose()).unwrap_or_else(|e| panic!("{mode}: {e}"));
    }

    // The mysql client takes no URI: the fields as answered, the password
    // in MYSQL_PWD (not on its command line).
    let mut command = tokio::process::Command::new(&cli);
    command
        .args([
            "--protocol=TCP",
            "-h",
            &fields.host,
            "-P",
            &fields.port.to_string(),
        ])
        .args(["-u", fields.username.as_deref().unwrap()])
        .args(["-D", fields.database.as_deref().unwrap()])
        .args(["-N", "-B", "-e", "SELECT 1"])
        .env("MYSQL_PWD", fields.password.as_ref().unwrap().expose())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("the mysql client answers within 30 s")
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "1");

    assert!(dbs.delete(&created.id).await.unwrap().destroyed);
    assert!(emu.violations().is_empty(), "{:#?}", emu.violations());
}
