//! Every operation against the scripted fake: what is sent (path, token,
//! body) and what comes back, names resolved to ids, inputs refused before
//! anything is sent, and credentials per engine that never print.

use crate::common;

use common::fake::{Fake, Reply, TOKEN, created, database};
use databases_api::{
    ApiErrorKind, CreateDatabase, Credentials, Engine, ErrorKind, Status, Version,
};
use serde_json::json;

const LIST: &str = "GET /api/v1/databases";

#[tokio::test]
async fn create_sends_the_checked_body_once_with_the_token() {
    let fake = Fake::start().await;
    fake.on(
        "POST /api/v1/databases",
        [Reply::json(201, created("db_1", "orders", "postgresql"))],
    );
    let input = CreateDatabase::new("orders", Engine::Postgresql, "db-s-2vcpu-4gb", "nyc1")
        .version(Version::V15)
        .storage_gb(50);
    let db = fake.client().databases().create(&input).await.unwrap();
    assert_eq!(
        (db.id.as_str(), db.status),
        ("db_1", Some(Status::Provisioning))
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    assert_eq!(
        seen[0].body,
        Some(json!({
            "name": "orders", "db_type": "postgresql", "version": "15",
            "plan_id": "db-s-2vcpu-4gb", "region": "nyc1", "storage_gb": 50, "replicas": 1,
        }))
    );
}

#[tokio::test]
async fn invalid_inputs_are_refused_before_sending() {
    let fake = Fake::start().await;
    let dbs = fake.client().databases();
    let wrong_version = CreateDatabase::new("c", Engine::Redis, "db-s", "nyc1").version("16");
    let e = dbs.create(&wrong_version).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    assert_eq!(
        e.message(),
        Some("version: redis supports 7.0, 7.2, not 16")
    );
    let unknown = CreateDatabase::new("c", Engine::from("oracle"), "db-s", "nyc1");
    assert_eq!(
        dbs.create(&unknown).await.unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
    assert_eq!(
        dbs.get("").await.unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
    assert_eq!(
        dbs.find("Not_A_Name").await.unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
}

#[tokio::test]
async fn get_list_and_delete_by_id_and_by_name() {
    let fake = Fake::start().await;
    fake.on(
        LIST,
        [Reply::json(
            200,
            json!([
                database("db_1", "orders", "postgresql", "running"),
                database("db_2", "cache", "redis", "provisioning"),
            ]),
        )],
    );
    fake.on(
        "GET /api/v1/databases/db_2",
        [Reply::json(
            200,
            database("db_2", "cache", "redis", "running"),
        )],
    );
    fake.on(
        "DELETE /api/v1/databases/db_1",
        [Reply::json(
            200,
            database("db_1", "orders", "postgresql", "destroyed"),
        )],
    );
    let dbs = fake.client().databases();

    let all = dbs.list().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[1].engine.clone(), all[1].version.clone()),
        (Some(Engine::Redis), Some(Version::V7_2))
    );

    // By id: one request. By name: the list, then the id.
    assert!(dbs.get("db_2").await.unwrap().is(&Status::Running));
    assert_eq!(fake.count(LIST), 1);
    assert_eq!(dbs.get("cache").await.unwrap().id, "db_2");
    assert_eq!(fake.count(LIST), 2);
    assert_eq!(fake.count("GET /api/v1/databases/db_2"), 2);

    let gone = dbs.delete("orders").await.unwrap();
    assert_eq!((gone.id.as_str(), gone.destroyed), ("db_1", true));
    assert_eq!(fake.count("DELETE /api/v1/databases/db_1"), 1);

    let e = dbs.get("nowhere").await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(e.operation(), Some("getDatabase"));
    assert_eq!(dbs.find("nowhere").await.unwrap(), None);
}

#[tokio::test]
async fn ids_are_sent_as_one_path_segment() {
    let fake = Fake::start().await;
    let e = fake
        .client()
        .databases()
        .get("db_a/../b")
        .await
        .unwrap_err();
    // The fake answers 500 to anything unscripted, naming the path it got.
    assert!(
        e.message()
            .unwrap()
            .contains("/api/v1/databases/db_a%2F..%2Fb"),
        "{e}"
    );
}

#[tokio::test]
async fn credentials_come_typed_per_engine_and_never_print() {
    let fake = Fake::start().await;
    let password = "pa:ss@w/rd";
    fake.on(
        "GET /api/v1/databases/db_pg/credentials",
        [Reply::json(
            200,
            json!({
                "db_type": "postgresql", "host": "127.0.0.1", "port": 54321,
                "username": "app_user", "password": password, "database": "orders",
                "ssl_mode": "disable",
                "connection_string": format!("postgresql://app_user:{password}@127.0.0.1:54321/orders"),
            }),
        )],
    );
    fake.on(
        "GET /api/v1/databases/db_rd/credentials",
        [Reply::json(
            200,
            json!({
                "db_type": "redis", "host": "127.0.0.1", "port": 6380,
                "password": password, "connection_string": "redis://...",
            }),
        )],
    );
    let dbs = fake.client().databases();
    let pg = dbs.credentials("db_pg").await.unwrap();
    let Credentials::Postgresql(fields) = &pg else {
        panic!("{pg:?}")
    };
    assert_eq!(
        (fields.port, fields.ssl_mode.as_deref()),
        (54321, Some("disable"))
    );
    assert_eq!(
        pg.connection_string().unwrap().expose(),
        "postgresql://app_user:pa%3Ass%40w%2Frd@127.0.0.1:54321/orders?sslmode=disable"
    );
    let redis = dbs.credentials("db_rd").await.unwrap();
    assert_eq!(
        redis.connection_string().unwrap().expose(),
        "redis://:pa%3Ass%40w%2Frd@127.0.0.1:6380"
    );
    for printed in [
        format!("{pg:?}"),
        format!("{redis:?}"),
        format!("{}", pg.connection_string().unwrap()),
    ] {
        assert!(
            !printed.contains("pa:ss") && !printed.contains("pa%3Ass"),
            "{printed}"
        );
    }
}

#[tokio::test]
async fn credentials_of_a_database_that_is_not_running_are_an_invalid_state() {
    let fake = Fake::start().await;
    let route = "GET /api/v1/databases/db_1/credentials";
    fake.on(
        route,
        [Reply::error(
            409,
            "database db_1 is provisioning; credentials are available once it is running",
        )],
    );
    fake.on(
        "GET /api/v1/databases/db_1",
        [Reply::json(
            200,
            database("db_1", "orders", "mysql", "provisioning"),
        )],
    );
    let dbs = fake.client().databases();
    let e = dbs.credentials("db_1").await.unwrap_err();
    let provisioning = Some("provisioning".to_string());
    assert_eq!(
        e.kind(),
        &ErrorKind::Api(ApiErrorKind::InvalidState {
            state: provisioning
        })
    );
    assert_eq!(
        (e.status(), e.operation()),
        (Some(409), Some("getDatabaseCredentials"))
    );
    assert!(e.message().unwrap().contains("once it is running"));
    assert_eq!(fake.count(route), 1);
}

#[tokio::test]
async fn credentials_that_do_not_decode_are_reported_without_quoting_them() {
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases/db_1/credentials",
        [Reply::json(
            200,
            json!({"db_type": "postgresql", "password": "leaky-secret"}),
        )],
    );
    let e = fake
        .client()
        .databases()
        .credentials("db_1")
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("leaky-secret"), "{e}");
}

const DELETE: &str = "DELETE /api/v1/databases/db_1";

#[tokio::test]
async fn a_delete_answered_204_is_done_and_202_is_waited_for() {
    let fake = Fake::start().await;
    fake.on(DELETE, [Reply::raw(204, ""), Reply::raw(202, "")]);
    fake.on(
        "GET /api/v1/databases/db_1",
        [
            Reply::json(200, database("db_1", "orders", "postgresql", "running")),
            Reply::json(200, database("db_1", "orders", "postgresql", "destroyed")),
        ],
    );
    let dbs = fake.client().databases();
    let done = dbs.delete("db_1").await.unwrap();
    assert_eq!((done.id.as_str(), done.destroyed), ("db_1", true));
    let accepted = dbs.delete("db_1").await.unwrap();
    assert!(!accepted.destroyed, "202: still going on");
    dbs.wait_until_destroyed("db_1", std::time::Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(fake.count("GET /api/v1/databases/db_1"), 2);
    // A 202 with a body (the database, say) is just as good.
    fake.on(
        "DELETE /api/v1/databases/db_9",
        [Reply::json(202, database("db_9", "x", "redis", "running"))],
    );
    assert!(!dbs.delete("db_9").await.unwrap().destroyed);
}

#[tokio::test]
async fn the_wait_until_destroyed_ends_on_not_found_and_times_out_naming_the_status() {
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases/db_1",
        [
            Reply::json(200, database("db_1", "orders", "postgresql", "running")),
            Reply::error(404, "no database with id db_1"),
        ],
    );
    fake.on(
        "GET /api/v1/databases/db_2",
        [Reply::json(
            200,
            database("db_2", "stuck", "redis", "running"),
        )],
    );
    fake.on(LIST, [Reply::json(200, json!([]))]);
    let dbs = fake.client().databases();
    let limit = std::time::Duration::from_secs(10);
    dbs.wait_until_destroyed("db_1", limit).await.unwrap();
    // By name: no database of that name is left.
    dbs.wait_until_destroyed("orders", limit).await.unwrap();
    let e = dbs
        .wait_until_destroyed("db_2", std::time::Duration::from_millis(600))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e:?}");
    assert_eq!(e.operation(), Some("waitUntilDestroyed"));
    assert!(e.to_string().contains("last seen: status running"), "{e}");
}

#[tokio::test]
async fn a_not_found_after_a_lost_answer_is_a_successful_delete() {
    let fake = Fake::start().await;
    fake.on(
        DELETE,
        [
            Reply::error(504, "gateway timeout"),
            Reply::error(404, "no database with id db_1"),
        ],
    );
    let deleted = fake.client().databases().delete("db_1").await.unwrap();
    assert!(
        deleted.destroyed,
        "the first attempt most likely deleted it"
    );
    assert_eq!(fake.count(DELETE), 2);
    // Without a lost answer, a 404 is the caller's error.
    fake.on(
        "DELETE /api/v1/databases/db_2",
        [Reply::error(404, "no database with id db_2")],
    );
    let e = fake.client().databases().delete("db_2").await.unwrap_err();
    assert!(e.is_not_found() && !e.after_lost_answer(), "{e:?}");
}
