//! A real MariaDB server behind a `mysql` database: the credentials connect
//! with `mysql_async`, a table is created, written and read, and after the
//! delete the port refuses.

use databases_api_emulator::engines::{Setup, Started};
use databases_api_emulator::{Engine, Secret};
use mysql_async::prelude::Queryable;

#[tokio::test]
#[ignore = "needs a real MariaDB (mariadbd): .ci/run installs the engines and runs the ignored real_engines tests"]
async fn mariadb_serves_its_credentials_then_refuses_after_delete() {
    let engines = super::engines_for(Engine::Mysql);
    let setup = Setup::new("orders_mysql", "app_user", Secret::generate()).unwrap();
    let Started::Real(instance) = engines.start(Engine::Mysql, &setup).await.unwrap() else {
        panic!("MariaDB is installed, so it must start for real");
    };
    let credentials = instance.credentials().clone();
    assert_eq!(credentials.database.as_deref(), Some("orders_mysql"));
    assert!(
        instance.server_version().contains("MariaDB"),
        "{}",
        instance.server_version()
    );

    let opts = mysql_async::Opts::from_url(credentials.connection_string.expose()).unwrap();
    let mut conn = mysql_async::Conn::new(opts.clone()).await.unwrap();
    let (db, user): (String, String) = conn
        .query_first("SELECT DATABASE(), CURRENT_USER()")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((db.as_str(), user.as_str()), ("orders_mysql", "app_user@%"));
    conn.query_drop("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40) NOT NULL)")
        .await
        .unwrap();
    conn.exec_batch(
        "INSERT INTO orders VALUES (?, ?)",
        [(1, "tea"), (2, "scones")],
    )
    .await
    .unwrap();
    let items: Vec<String> = conn
        .query("SELECT item FROM orders ORDER BY id")
        .await
        .unwrap();
    assert_eq!(items, ["tea", "scones"]);
    // The user has its own database, not the server.
    let denied = conn.query_drop("SELECT user FROM mysql.user").await;
    assert!(denied.is_err(), "app_user must not read the grant tables");

    let wrong = mysql_async::OptsBuilder::from_opts(opts.clone()).pass(Some("not-the-password"));
    assert!(mysql_async::Conn::new(wrong).await.is_err());

    let dir = instance.dir().to_path_buf();
    conn.disconnect().await.unwrap();
    instance.stop().await.unwrap();
    assert!(!dir.exists(), "its data must be removed");
    assert!(mysql_async::Conn::new(opts).await.is_err());
    assert!(super::refuses_connections(credentials.port).await);
}
