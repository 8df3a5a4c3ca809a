//! `wait_until_running`: through provisioning to running, by id and by name;
//! stops on `error` and `destroyed` with a typed error; the limit bounds the
//! whole wait, the request in flight included; transient failures are waited
//! out and other errors end the wait.

use crate::common;

use std::time::{Duration, Instant};

use common::fake::{Fake, Reply, database};
use databases_api::{ApiErrorKind, Client, Database, ErrorKind, Result, Status};
use serde_json::json;

const GET: &str = "GET /api/v1/databases/db_1";

/// Waits for `target` with `client`, for at most `limit`.
async fn wait(client: &Client, target: &str, limit: Duration) -> Result<Database> {
    let databases = client.databases();
    databases.wait_until_running(target, limit).await
}

/// Fails unless the wait ended well before the fake would have answered.
fn assert_prompt(started: Instant) {
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

fn at(status: &str) -> Reply {
    Reply::json(200, database("db_1", "orders", "postgresql", status))
}

#[tokio::test]
async fn waits_through_provisioning_until_running() {
    let fake = Fake::start().await;
    fake.on(GET, [at("provisioning"), at("provisioning"), at("running")]);
    let db = wait(&fake.client(), "db_1", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(db.status, Some(Status::Running));
    assert_eq!(fake.count(GET), 3);
}

#[tokio::test]
async fn waits_by_name_and_through_transient_failures() {
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases",
        [Reply::json(
            200,
            json!([database("db_1", "orders", "postgresql", "provisioning")]),
        )],
    );
    // A 503 is retried inside the call; an answer no retry got past
    // (RetryPolicy::none below) is waited out by the poll.
    fake.on(
        GET,
        [Reply::error(503, "busy"), at("stopped"), at("running")],
    );
    let client = fake
        .builder()
        .retry_policy(databases_api::RetryPolicy::none())
        .build()
        .unwrap();
    let db = wait(&client, "orders", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(db.id, "db_1");
    assert_eq!(fake.count(GET), 3);
}

#[tokio::test]
async fn stops_with_a_typed_error_on_error_and_destroyed() {
    for status in ["error", "destroyed"] {
        let fake = Fake::start().await;
        fake.on(GET, [at("provisioning"), at(status)]);
        let e = wait(&fake.client(), "db_1", Duration::from_secs(10))
            .await
            .unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::Api(ApiErrorKind::InvalidState {
                state: Some(status.to_string())
            }),
            "{e:?}"
        );
        assert_eq!(e.operation(), Some("waitUntilRunning"));
        assert_eq!(fake.count(GET), 2);
    }
}

#[tokio::test]
async fn other_errors_end_the_wait_at_once() {
    let fake = Fake::start().await;
    fake.on(GET, [Reply::error(404, "no database with id db_1")]);
    let e = wait(&fake.client(), "db_1", Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(fake.count(GET), 1);
}

#[tokio::test]
async fn the_limit_bounds_the_whole_wait() {
    let fake = Fake::start().await;
    fake.on(GET, [at("provisioning")]);
    let started = Instant::now();
    let e = wait(&fake.client(), "db_1", Duration::from_millis(700))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e:?}");
    assert!(
        e.message()
            .unwrap()
            .contains("last seen: status provisioning"),
        "{e}"
    );
    assert_prompt(started);
}

#[tokio::test]
async fn the_limit_cuts_a_request_in_flight() {
    let fake = Fake::start().await;
    fake.on(GET, [at("running").after(Duration::from_secs(30))]);
    let started = Instant::now();
    let e = wait(&fake.client(), "db_1", Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e:?}");
    assert!(e.message().unwrap().contains("nothing yet"), "{e}");
    assert_prompt(started);
}
