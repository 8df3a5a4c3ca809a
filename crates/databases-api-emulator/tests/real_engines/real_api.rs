//! Real engines behind the HTTP API: a database created through the API is
//! a real server whose answered credentials connect with real clients
//! (`tokio-postgres`, `redis`, `mysql_async`); deleting it through the API
//! stops the server; a server that dies moves its database to `error`;
//! dropping the emulator stops every server. (MongoDB staying simulated needs
//! no engine: tests/engines.rs.)

use std::time::Duration;

use crate::client::Api;
use databases_api_emulator::engines::Availability;
use databases_api_emulator::{Emulator, Engine};
use mysql_async::prelude::Queryable;
use redis::AsyncCommands;
use serde_json::Value;

/// Starting a real server (initdb, MariaDB's bootstrap) takes seconds.
const START: Duration = Duration::from_secs(120);

/// An emulator with real engines, `engine` running for real (or the test
/// fails).
async fn emulator_for(engine: Engine) -> Emulator {
    let emu = Emulator::builder()
        .real_engines(true)
        .start()
        .await
        .expect("starts");
    match emu.engine_availability(engine) {
        Some(Availability::Real { .. }) => emu,
        other => panic!("{engine} must run for real in this test, but: {other:?}"),
    }
}

/// Create a database through the API, wait until it runs; its id and
/// credentials.
async fn running(emu: &Emulator, name: &str, engine: Engine) -> (String, Value) {
    let api = Api::new(emu);
    let id = api.create_ok(name, engine.as_str()).await;
    assert_eq!(api.wait_settled(&id, START).await, "running");
    assert!(emu.is_real(&id), "{engine} is served for real");
    let (status, creds) = api.credentials(&id).await;
    assert_eq!(status, 200, "{creds}");
    assert_eq!(creds["host"], "127.0.0.1");
    (id, creds)
}

fn port(creds: &Value) -> u16 {
    creds["port"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .expect("a port")
}

fn uri(creds: &Value) -> &str {
    creds["connection_string"]
        .as_str()
        .expect("a connection string")
}

/// Delete through the API; the port refuses connections once it answers.
async fn delete_and_see_refused(emu: &Emulator, id: &str, port: u16) {
    let (status, _) = Api::new(emu).delete(id).await;
    assert_eq!(status, 204, "destroyed when answered");
    assert!(
        super::refuses_connections(port).await,
        "port {port} still accepts"
    );
    assert!(emu.violations().is_empty(), "{:?}", emu.violations());
}

#[tokio::test]
#[ignore = "needs a real PostgreSQL (initdb, postgres): .ci/run installs the engines and runs the ignored real_engines tests"]
async fn postgresql_through_the_api() {
    let emu = emulator_for(Engine::Postgresql).await;
    let (id, creds) = running(&emu, "main-postgres", Engine::Postgresql).await;
    assert_eq!(creds["database"], "main_postgres");
    let (client, connection) = tokio_postgres::connect(uri(&creds), tokio_postgres::NoTls)
        .await
        .expect("the answered credentials connect");
    let connection = tokio::spawn(connection);
    client
        .batch_execute("CREATE TABLE orders (id integer PRIMARY KEY, item text NOT NULL)")
        .await
        .expect("creates a table");
    client
        .execute("INSERT INTO orders VALUES ($1, $2)", &[&1i32, &"tea"])
        .await
        .expect("writes");
    let item: String = client
        .query_one("SELECT item FROM orders WHERE id = 1", &[])
        .await
        .expect("reads")
        .get(0);
    assert_eq!(item, "tea");
    drop(client);
    let _ = connection.await;
    delete_and_see_refused(&emu, &id, port(&creds)).await;
    assert!(
        tokio_postgres::connect(uri(&creds), tokio_postgres::NoTls)
            .await
            .is_err()
    );
}

#[tokio::test]
#[ignore = "needs a real redis-server: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn redis_through_the_api() {
    let emu = emulator_for(Engine::Redis).await;
    let (id, creds) = running(&emu, "cache-redis", Engine::Redis).await;
    let client = redis::Client::open(uri(&creds)).expect("a redis URI");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("the answered credentials connect");
    let () = conn.set("order:1", "tea").await.expect("writes");
    let item: String = conn.get("order:1").await.expect("reads");
    assert_eq!(item, "tea");
    drop(conn);
    delete_and_see_refused(&emu, &id, port(&creds)).await;
    assert!(client.get_multiplexed_async_connection().await.is_err());
}

#[tokio::test]
#[ignore = "needs a real MariaDB (mariadbd): .ci/run installs the engines and runs the ignored real_engines tests"]
async fn mysql_through_the_api() {
    let emu = emulator_for(Engine::Mysql).await;
    let (id, creds) = running(&emu, "orders-mysql", Engine::Mysql).await;
    let opts = mysql_async::Opts::from_url(uri(&creds)).expect("a mysql URI");
    let mut conn = mysql_async::Conn::new(opts)
        .await
        .expect("the answered credentials connect");
    conn.query_drop("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40) NOT NULL)")
        .await
        .expect("creates a table");
    conn.exec_drop("INSERT INTO orders VALUES (?, ?)", (1, "tea"))
        .await
        .expect("writes");
    let item: Option<String> = conn
        .query_first("SELECT item FROM orders WHERE id = 1")
        .await
        .expect("reads");
    assert_eq!(item.as_deref(), Some("tea"));
    let _ = conn.disconnect().await;
    delete_and_see_refused(&emu, &id, port(&creds)).await;
}

#[tokio::test]
#[ignore = "needs a real redis-server: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn a_server_that_dies_moves_its_database_to_error() {
    let emu = emulator_for(Engine::Redis).await;
    let (id, creds) = running(&emu, "fragile", Engine::Redis).await;
    let client = redis::Client::open(uri(&creds)).expect("a redis URI");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connects");
    // The server exits; the answer never comes.
    let _: redis::RedisResult<()> = redis::cmd("SHUTDOWN")
        .arg("NOSAVE")
        .query_async(&mut conn)
        .await;
    let api = Api::new(&emu);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut status = String::new();
    while tokio::time::Instant::now() < deadline {
        status = api.get(&id).await.1["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if status == "error" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "error");
    assert_eq!(api.credentials(&id).await.0, 409);
    assert_eq!(
        api.delete(&id).await.0,
        204,
        "a database in error can be deleted"
    );
}

#[tokio::test]
#[ignore = "needs a real redis-server: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn dropping_the_emulator_stops_every_server() {
    let emu = emulator_for(Engine::Redis).await;
    let (_, creds) = running(&emu, "left-running", Engine::Redis).await;
    let port = port(&creds);
    drop(emu);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !super::refuses_connections(port).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "port {port} still accepts"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
