//! One test per operation of the Databases API, named after its operationId
//! in snake_case, calling it through the facade against the emulator and
//! asserting what came back; `every_operation_has_a_test` fails when the
//! spec gains an operation without one. The emulator validates every request
//! and answer against the spec, so each test ends with no violation.

use std::time::Duration;

use databases_api::{Client, CreateDatabase, Credentials, Engine, Status};
use databases_api_emulator::Emulator;

/// The operationIds these tests cover (checked against the spec).
const TESTED: &[&str] = &[
    "listDatabases",
    "createDatabase",
    "getDatabase",
    "deleteDatabase",
    "getDatabaseCredentials",
];

async fn start() -> (Emulator, Client) {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .build()
        .unwrap();
    (emu, client)
}

fn input(name: &str, engine: Engine) -> CreateDatabase {
    CreateDatabase::new(name, engine, "db-s-1vcpu-1gb", "nyc1")
}

fn no_violations(emu: &Emulator) {
    let v = emu.violations();
    assert!(v.is_empty(), "spec violations: {v:#?}");
}

#[test]
fn every_operation_has_a_test() {
    let spec: serde_json::Value =
        serde_json::from_str(databases_api_generated::EFFECTIVE_SPEC_JSON).unwrap();
    let mut ids: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op.get("operationId").and_then(|id| id.as_str()))
        .collect();
    ids.sort_unstable();
    let mut tested = TESTED.to_vec();
    tested.sort_unstable();
    assert_eq!(
        ids, tested,
        "an operation of the spec has no test here (or a test names none)"
    );
}

#[tokio::test]
async fn list_databases() {
    let (emu, c) = start().await;
    assert!(c.databases().list().await.unwrap().is_empty());
    c.databases()
        .create(&input("one", Engine::Redis))
        .await
        .unwrap();
    c.databases()
        .create(&input("two", Engine::Mongodb))
        .await
        .unwrap();
    let names: Vec<String> = c
        .databases()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names, ["one", "two"]);
    no_violations(&emu);
}

#[tokio::test]
async fn create_database() {
    let (emu, c) = start().await;
    let created = c
        .databases()
        .create(&input("orders", Engine::Postgresql))
        .await
        .unwrap();
    assert_eq!(
        (created.name.as_str(), created.engine.as_ref()),
        ("orders", Some(&Engine::Postgresql))
    );
    assert_eq!(created.status, Some(Status::Provisioning));
    let e = c
        .databases()
        .create(&input("orders", Engine::Postgresql))
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e:?}");
    no_violations(&emu);
}

#[tokio::test]
async fn get_database() {
    let (emu, c) = start().await;
    let created = c
        .databases()
        .create(&input("orders", Engine::Mysql))
        .await
        .unwrap();
    let by_id = c.databases().get(&created.id).await.unwrap();
    let by_name = c.databases().get("orders").await.unwrap();
    assert_eq!(by_id.id, by_name.id);
    assert_eq!(by_id.engine, Some(Engine::Mysql));
    assert!(
        c.databases()
            .get("db_missing")
            .await
            .unwrap_err()
            .is_not_found()
    );
    no_violations(&emu);
}

#[tokio::test]
async fn delete_database() {
    let (emu, c) = start().await;
    let created = c
        .databases()
        .create(&input("gone", Engine::Redis))
        .await
        .unwrap();
    let deleted = c.databases().delete(&created.id).await.unwrap();
    assert_eq!(
        (deleted.id.as_str(), deleted.destroyed),
        (created.id.as_str(), true)
    );
    assert!(
        c.databases()
            .get(&created.id)
            .await
            .unwrap()
            .is(&Status::Destroyed)
    );
    // Deleting again answers the same (a retry after a lost answer is safe).
    assert!(c.databases().delete(&created.id).await.unwrap().destroyed);
    assert!(c.databases().list().await.unwrap().is_empty());
    no_violations(&emu);
}

#[tokio::test]
async fn get_database_credentials() {
    let (emu, c) = start().await;
    let created = c
        .databases()
        .create(&input("cache", Engine::Redis))
        .await
        .unwrap();
    c.databases()
        .wait_until_running(&created.id, Duration::from_secs(10))
        .await
        .unwrap();
    let credentials = c.databases().credentials(&created.id).await.unwrap();
    assert!(
        matches!(credentials, Credentials::Redis(_)),
        "{credentials:?}"
    );
    assert!(
        credentials
            .connection_string()
            .expect("a connection string")
            .expose()
            .starts_with("redis://")
    );
    no_violations(&emu);
}
