//! The facade against the workspace's Databases API emulator (engines
//! simulated, so it runs anywhere): the whole lifecycle, typed errors, a
//! failed provisioning, and no spec violation in either direction. And, with
//! a real MariaDB, the MySQL connection string the facade builds connecting
//! through `mysql_async` and the `mysql` command-line client (ignored unless
//! asked for with `--include-ignored`; then a missing engine fails it).

use std::time::Duration;

use databases_api::{Client, CreateDatabase, Credentials, Engine, ErrorKind, Status, Version};
use databases_api_emulator::Emulator;

fn client(emu: &Emulator, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(emu.base_url())
        .build()
        .unwrap()
}

fn input(name: &str, engine: Engine) -> CreateDatabase {
    CreateDatabase::new(name, engine, "db-s-1vcpu-1gb", "nyc1")
}

#[tokio::test]
async fn a_database_through_its_whole_life() {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let dbs = client(&emu, emu.token()).databases();
    let created = dbs
        .create_if_missing(&input("orders", Engine::Postgresql).version(Version::V16))
        .await
        .unwrap();
    assert!(created.was_created());
    assert_eq!(created.status, Some(Status::Provisioning));
    let again = dbs
        .create_if_missing(&input("orders", Engine::Postgresql))
        .await
        .unwrap();
    assert!(!again.was_created());
    let e = dbs
        .create_if_missing(&input("orders", Engine::Redis))
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e:?}");

    let running = dbs
        .wait_until_running("orders", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(
        (running.engine.clone(), running.version.clone()),
        (Some(Engine::Postgresql), Some(Version::V16))
    );
    let credentials = dbs.credentials(&running.id).await.unwrap();
    assert!(
        matches!(credentials, Credentials::Postgresql(_)),
        "{credentials:?}"
    );
    let url = credentials
        .connection_string()
        .expect("a connection string");
    assert!(url.expose().starts_with("postgresql://"));
    assert!(!format!("{credentials:?}").contains(url.expose()));

    assert_eq!(dbs.list().await.unwrap().len(), 1);
    let deleted = dbs.delete(&running.id).await.unwrap();
    assert!(
        deleted.destroyed,
        "the emulator answers 204 once it is gone"
    );
    dbs.wait_until_destroyed(&running.id, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(dbs.get(&running.id).await.unwrap().is(&Status::Destroyed));
    let e = dbs
        .wait_until_running(&running.id, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidState { .. }), "{e:?}");
    assert!(emu.violations().is_empty(), "{:#?}", emu.violations());
}

#[tokio::test]
async fn a_failed_provisioning_ends_the_wait_and_scopes_are_enforced() {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::from_millis(100))
        .fail_provisioning("broken")
        .start()
        .await
        .unwrap();
    let dbs = client(&emu, emu.token()).databases();
    dbs.create(&input("broken", Engine::Redis)).await.unwrap();
    let e = dbs
        .wait_until_running("broken", Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidState { .. }), "{e:?}");

    let reader = client(&emu, emu.read_only_token()).databases();
    assert_eq!(reader.list().await.unwrap().len(), 1);
    let e = reader
        .create(&input("nope", Engine::Redis))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Forbidden, "{e:?}");
    let e = client(&emu, "wrong-token")
        .databases()
        .list()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthorized, "{e:?}");
    assert!(emu.violations().is_empty(), "{:#?}", emu.violations());
}

/// The `mysql` command-line client (`mariadb` on newer Debian), if any.
fn mysql_client() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| [dir.join("mysql"), dir.join("mariadb")])
        .find(|p| p.is_file())
}

#[tokio::test]
#[ignore = "needs a real MariaDB (mariadbd) and the mysql client: run with --include-ignored"]
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
