//! `create_if_missing`: created; found with the same engine; found with
//! another engine (a typed error); an answer lost before a 409; a database
//! deleted between the 409 and the look-up.

use crate::common;

use common::fake::{Fake, Reply, created, database};
use databases_api::{CreateDatabase, Engine, Ensured, ErrorKind};
use serde_json::json;

const CREATE: &str = "POST /api/v1/databases";
const LIST: &str = "GET /api/v1/databases";

fn orders() -> CreateDatabase {
    CreateDatabase::new("orders", Engine::Postgresql, "db-s-2vcpu-4gb", "nyc1")
}

fn conflict() -> Reply {
    Reply::error(409, "a database named orders already exists")
}

#[tokio::test]
async fn creates_when_missing() {
    let fake = Fake::start().await;
    fake.on(
        CREATE,
        [Reply::json(201, created("db_1", "orders", "postgresql"))],
    );
    let out = fake
        .client()
        .databases()
        .create_if_missing(&orders())
        .await
        .unwrap();
    assert!(out.was_created());
    assert_eq!(out.id, "db_1");
}

#[tokio::test]
async fn an_existing_database_of_the_same_engine_is_success() {
    let fake = Fake::start().await;
    fake.on(CREATE, [conflict()]);
    fake.on(
        LIST,
        [Reply::json(
            200,
            json!([database("db_7", "orders", "postgresql", "running")]),
        )],
    );
    let out = fake
        .client()
        .databases()
        .create_if_missing(&orders())
        .await
        .unwrap();
    assert!(
        matches!(&out, Ensured::Existing(db) if db.id == "db_7"),
        "{out:?}"
    );
    assert_eq!(fake.count(CREATE), 1);
}

#[tokio::test]
async fn an_existing_database_of_another_engine_is_a_typed_error() {
    let fake = Fake::start().await;
    fake.on(CREATE, [conflict()]);
    fake.on(
        LIST,
        [Reply::json(
            200,
            json!([database("db_7", "orders", "mysql", "running")]),
        )],
    );
    let e = fake
        .client()
        .databases()
        .create_if_missing(&orders())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::AlreadyExists);
    assert_eq!(e.operation(), Some("createDatabase"));
    assert!(e.message().unwrap().contains("as mysql"), "{e}");
}

#[tokio::test]
async fn a_conflict_after_a_lost_answer_means_this_call_created_it() {
    let fake = Fake::start().await;
    // A gateway timeout: the first attempt may have been carried out.
    fake.on(CREATE, [Reply::error(504, "gateway timeout"), conflict()]);
    fake.on(
        LIST,
        [Reply::json(
            200,
            json!([database("db_7", "orders", "postgresql", "provisioning")]),
        )],
    );
    let out = fake
        .client()
        .databases()
        .create_if_missing(&orders())
        .await
        .unwrap();
    assert!(out.was_created(), "{out:?}");
    assert_eq!(fake.count(CREATE), 2);
}

#[tokio::test]
async fn a_database_deleted_before_the_look_up_is_created_again() {
    let fake = Fake::start().await;
    fake.on(
        CREATE,
        [
            conflict(),
            Reply::json(201, created("db_8", "orders", "postgresql")),
        ],
    );
    fake.on(LIST, [Reply::json(200, json!([]))]);
    let out = fake
        .client()
        .databases()
        .create_if_missing(&orders())
        .await
        .unwrap();
    assert!(
        matches!(&out, Ensured::Created(db) if db.id == "db_8"),
        "{out:?}"
    );
}

#[tokio::test]
async fn a_name_that_keeps_conflicting_but_is_never_listed_ends_with_the_conflict() {
    let fake = Fake::start().await;
    fake.on(CREATE, [conflict()]);
    fake.on(LIST, [Reply::json(200, json!([]))]);
    let e = fake
        .client()
        .databases()
        .create_if_missing(&orders())
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e:?}");
    assert_eq!(fake.count(CREATE), 3);
}
