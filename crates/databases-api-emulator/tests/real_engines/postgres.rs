//! A real PostgreSQL server behind a `postgresql` database: the credentials
//! the engine layer returns connect with `tokio-postgres`, a table is
//! created, written and read, and after the delete the port refuses.

use databases_api_emulator::Engine;
use databases_api_emulator::engines::{Setup, Started};
use tokio_postgres::NoTls;

#[tokio::test]
#[ignore = "needs a real PostgreSQL (initdb, postgres): .ci/run installs the engines and runs the ignored real_engines tests"]
async fn postgres_serves_its_credentials_then_refuses_after_delete() {
    let engines = super::engines_for(Engine::Postgresql);
    // The API's database `main-postgres`: database `main_postgres`, user `app_user`.
    let setup = Setup::for_api_name("main-postgres").unwrap();
    let Started::Real(instance) = engines.start(Engine::Postgresql, &setup).await.unwrap() else {
        panic!("postgresql is installed, so it must start for real");
    };
    let credentials = instance.credentials().clone();
    assert_eq!(credentials.host, "127.0.0.1");
    assert_eq!(credentials.username.as_deref(), Some("app_user"));
    assert_eq!(credentials.database.as_deref(), Some("main_postgres"));
    assert!(
        instance.server_version().contains("PostgreSQL"),
        "{}",
        instance.server_version()
    );

    let config: tokio_postgres::Config = credentials.connection_string.expose().parse().unwrap();
    let (client, connection) = config.connect(NoTls).await.unwrap();
    let connection = tokio::spawn(connection);
    let row = client
        .query_one("SELECT current_database(), current_user", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "main_postgres");
    assert_eq!(row.get::<_, String>(1), "app_user");
    client
        .batch_execute("CREATE TABLE orders (id integer PRIMARY KEY, item text NOT NULL)")
        .await
        .unwrap();
    for (id, item) in [(1, "tea"), (2, "scones")] {
        client
            .execute("INSERT INTO orders VALUES ($1, $2)", &[&id, &item])
            .await
            .unwrap();
    }
    let items: Vec<String> = client
        .query("SELECT item FROM orders ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(items, ["tea", "scones"]);

    // A wrong password is refused: the server really checks it.
    let mut wrong = config.clone();
    wrong.password("not-the-password");
    let err = wrong
        .connect(NoTls)
        .await
        .err()
        .expect("a wrong password must be refused");
    let code = err.as_db_error().map(|e| e.code().clone());
    assert_eq!(
        code,
        Some(tokio_postgres::error::SqlState::INVALID_PASSWORD),
        "{err:?}"
    );

    let dir = instance.dir().to_path_buf();
    assert!(dir.join("data/PG_VERSION").exists());
    drop(client);
    let _ = connection.await;
    instance.stop().await.unwrap();
    assert!(!dir.exists(), "its data must be removed");
    assert!(config.connect(NoTls).await.is_err());
    assert!(super::refuses_connections(credentials.port).await);
}
