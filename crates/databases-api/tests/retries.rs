//! Retries and error mapping: `Retry-After` honoured on reads and deletes; a
//! plain create sent once; a `Retry-After` beyond the cap not waited for;
//! every documented status mapped to its `ErrorKind`, with the service's
//! message and the operation.

use crate::common;

use std::time::{Duration, Instant};

use common::fake::{Fake, Reply, created, database};
use databases_api::{CreateDatabase, Engine, ErrorKind, RetryPolicy};
use serde_json::json;

const LIST: &str = "GET /api/v1/databases";
const CREATE: &str = "POST /api/v1/databases";

fn orders() -> CreateDatabase {
    CreateDatabase::new("orders", Engine::Mysql, "db-s-1vcpu-1gb", "ams3")
}

#[tokio::test]
async fn reads_are_retried_after_the_delay_the_service_asks_for() {
    let fake = Fake::start().await;
    fake.on(
        LIST,
        [
            Reply::error(429, "slow down").header("retry-after", "1"),
            Reply::json(200, json!([])),
        ],
    );
    let started = Instant::now();
    let all = fake.client().databases().list().await.unwrap();
    assert!(all.is_empty());
    assert_eq!(fake.count(LIST), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn deletes_are_retried() {
    let fake = Fake::start().await;
    let route = "DELETE /api/v1/databases/db_1";
    fake.on(
        route,
        [
            Reply::error(503, "unavailable").header("retry-after", "0"),
            Reply::json(200, database("db_1", "orders", "mysql", "destroyed")),
        ],
    );
    assert!(
        fake.client()
            .databases()
            .delete("db_1")
            .await
            .unwrap()
            .destroyed
    );
    assert_eq!(fake.count(route), 2);
}

#[tokio::test]
async fn a_plain_create_is_sent_once() {
    let fake = Fake::start().await;
    fake.on(
        CREATE,
        [
            Reply::error(503, "unavailable"),
            Reply::json(201, created("db_1", "orders", "mysql")),
        ],
    );
    let e = fake
        .client()
        .databases()
        .create(&orders())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Server);
    assert_eq!(e.operation(), Some("createDatabase"));
    assert_eq!(fake.count(CREATE), 1);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_returned_not_waited_for() {
    let fake = Fake::start().await;
    fake.on(
        LIST,
        [Reply::error(429, "later").header("retry-after", "3600")],
    );
    let client = fake
        .builder()
        .retry_policy(RetryPolicy::default().retry_after_cap(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.databases().list().await.unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(3600))
        }
    );
    assert_eq!(fake.count(LIST), 1);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn statuses_map_to_typed_errors_with_the_service_message() {
    let cases = [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (409, ErrorKind::AlreadyExists),
        (500, ErrorKind::Server),
    ];
    for (status, kind) in cases {
        let fake = Fake::start().await;
        fake.on(CREATE, [Reply::error(status, "the service's words")]);
        let e = fake
            .client()
            .databases()
            .create(&orders())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &kind, "{status}: {e:?}");
        assert_eq!(
            (e.status(), e.message()),
            (Some(status), Some("the service's words"))
        );
        assert_eq!(e.operation(), Some("createDatabase"));
    }
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases/db_x",
        [Reply::error(404, "no database with id db_x")],
    );
    let e = fake.client().databases().get("db_x").await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(
        e.to_string(),
        "getDatabase: not found (HTTP 404): no database with id db_x"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_without_the_token() {
    let fake = Fake::start().await;
    // Port 9 (discard) is closed on loopback: nothing listens there.
    let unreachable = fake
        .builder()
        .base_url("http://127.0.0.1:9")
        .token("secret-token-xyz")
        .build()
        .map(|client| client.databases());
    let e = unreachable.unwrap().get("db_1").await.unwrap_err();
    assert_eq!(
        (e.kind(), e.operation()),
        (&ErrorKind::Transport, Some("getDatabase"))
    );
    assert!(!format!("{e} {e:?}").contains("secret-token-xyz"));
    assert!(fake.seen().is_empty());
}
