//! The facade against the workspace's Databases API emulator (engines
//! simulated, so it runs anywhere): the whole lifecycle, typed errors, a
//! failed provisioning, and no spec violation in either direction. With a real
//! MariaDB: tests/real_engines.rs.

use std::time::Duration;

use databases_api::{
    ApiErrorKind, Client, CreateDatabase, Credentials, Engine, ErrorKind, Status, Version,
};
use databases_api_emulator::Emulator;

pub(crate) fn client(emu: &Emulator, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(emu.base_url())
        .build()
        .unwrap()
}

pub(crate) fn input(name: &str, engine: Engine) -> CreateDatabase {
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
    assert!(
        matches!(e.kind(), ErrorKind::Api(ApiErrorKind::InvalidState { .. })),
        "{e:?}"
    );
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
    assert!(
        matches!(e.kind(), ErrorKind::Api(ApiErrorKind::InvalidState { .. })),
        "{e:?}"
    );

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
