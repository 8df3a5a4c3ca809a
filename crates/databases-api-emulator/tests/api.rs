//! The emulator's HTTP API with simulated engines: the lifecycle of a
//! database, the checks the spec decides, tokens and scopes, faults,
//! injected statuses, and state kept in a data directory.

use crate::client;

use std::time::Duration;

use client::{Api, input};
use databases_api_emulator::{Emulator, EmulatorError, Fault, FaultPlan, Status};
use serde_json::json;

const SETTLE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_database_is_provisioned_listed_read_and_destroyed() {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::from_millis(300))
        .start()
        .await
        .expect("starts");
    let api = Api::new(&emu);
    let id = api.create_ok("main-postgres", "postgresql").await;
    assert!(id.starts_with("db_"), "{id}");
    let (_, db) = api.get(&id).await;
    assert_eq!(db["status"], "provisioning");
    let (status, body) = api.credentials(&id).await;
    assert_eq!(status, 409, "no credentials while provisioning");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("provisioning")
    );

    assert_eq!(api.wait_settled(&id, SETTLE).await, "running");
    let (_, db) = api.get(&id).await;
    assert_eq!(db["version"], "16", "the newest version by default");
    assert_eq!(
        (
            &db["slug"],
            &db["project_id"],
            &db["storage_gb"],
            &db["replicas"]
        ),
        (
            &json!("main-postgres"),
            &json!("proj_default"),
            &json!(10),
            &json!(1)
        )
    );
    assert!(!emu.is_real(&id), "simulated without real engines");

    let (status, creds) = api.credentials(&id).await;
    assert_eq!(status, 200);
    assert_eq!(
        creds.get("db_type"),
        None,
        "the page's shape names no engine"
    );
    assert_eq!(creds["database"], "main_postgres");
    assert_eq!(creds["username"], "app_user");
    assert_eq!(creds["ssl_mode"], "disable");
    let password = creds["password"].as_str().expect("a password");
    assert!(
        creds["connection_string"]
            .as_str()
            .expect("a URI")
            .starts_with(&format!("postgresql://app_user:{password}@"))
    );

    let (_, list) = api.list().await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));

    // Complete when answered: 204, no body.
    assert_eq!(api.delete(&id).await, (204, json!("")));
    assert_eq!(api.delete(&id).await, (204, json!("")), "idempotent");
    assert_eq!(api.get(&id).await.1["status"], "destroyed");
    assert_eq!(api.credentials(&id).await.0, 409);
    assert_eq!(api.list().await.1, json!([]));
    // The name of a destroyed database may be used again.
    api.create_ok("main-postgres", "postgresql").await;
    assert!(emu.violations().is_empty(), "{:?}", emu.violations());
}

#[tokio::test]
async fn credentials_follow_the_engine() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    for (engine, version, user) in [
        ("mysql", "8.4", true),
        ("redis", "7.2", false),
        ("mongodb", "7.0", true),
    ] {
        let id = api.create_ok(&format!("x-{engine}"), engine).await;
        assert_eq!(api.wait_settled(&id, SETTLE).await, "running");
        assert_eq!(api.get(&id).await.1["version"], version);
        let (status, creds) = api.credentials(&id).await;
        assert_eq!(status, 200, "{creds}");
        assert_eq!(creds.get("db_type"), None, "{creds}");
        assert_eq!(creds.get("username").is_some(), user, "{creds}");
        let scheme = format!("{engine}://");
        assert!(
            creds["connection_string"]
                .as_str()
                .unwrap_or_default()
                .starts_with(&scheme)
        );
    }
    assert!(emu.violations().is_empty(), "{:?}", emu.violations());
}

#[tokio::test]
async fn inputs_are_checked_as_the_spec_decides() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    let mut cases = vec![
        (json!({"name": "x"}), "invalid request body"),
        (input("Bad_Name", "redis"), "$.name"),
        (input("x", "oracle"), "$.db_type"),
    ];
    let mut v = input("x", "postgresql");
    v["version"] = json!("7.0");
    cases.push((v, "version: postgresql supports 14, 15, 16, not 7.0"));
    let mut v = input("x", "redis");
    v["plan_id"] = json!("db-huge");
    cases.push((v, "plan_id: unknown plan db-huge"));
    let mut v = input("x", "redis");
    v["region"] = json!("mars1");
    cases.push((v, "region: unknown region mars1"));
    let mut v = input("x", "redis");
    v["replicas"] = json!(11);
    cases.push((v, "$.replicas"));
    for (body, expected) in cases {
        let (status, answer) = api.create(body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let message = answer["error"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{body}: {message}");
    }
    api.create_ok("dup", "redis").await;
    let (status, answer) = api.create(input("dup", "mysql")).await;
    assert_eq!(status, 409);
    assert_eq!(answer["error"], "a database named dup already exists");
    assert_eq!(api.get("db_nope").await.0, 404);
    assert_eq!(api.delete("db_nope").await.0, 404);
    assert!(emu.violations().is_empty(), "{:?}", emu.violations());
}

#[tokio::test]
async fn tokens_and_scopes() {
    let emu = Emulator::start().await.expect("starts");
    let anonymous = Api::with_token(&emu, "");
    let (status, body) = anonymous.list().await;
    assert_eq!(
        (status, &body["error"]),
        (401, &json!("missing or invalid bearer token"))
    );
    assert_eq!(Api::with_token(&emu, "dbapi_wrong").list().await.0, 401);
    let reader = Api::with_token(&emu, emu.read_only_token());
    assert_eq!(reader.list().await.0, 200);
    let (status, body) = reader.create(input("x", "redis")).await;
    assert_eq!(
        (status, &body["error"]),
        (403, &json!("this token lacks the databases:write scope"))
    );
    // A large anonymous body learns 401, not 413.
    let big = json!({"name": "x".repeat(200_000)});
    assert_eq!(anonymous.create(big.clone()).await.0, 401);
    assert_eq!(Api::new(&emu).create(big).await.0, 413);
    // Tokens never print.
    assert!(!format!("{emu:?}").contains(emu.token()));
}

#[tokio::test]
async fn faults_are_injected_in_order() {
    let emu = Emulator::builder()
        .faults("listDatabases=503,429:2".parse().expect("a plan"))
        .start()
        .await
        .expect("starts");
    let api = Api::new(&emu);
    assert_eq!(api.list().await.0, 503);
    assert_eq!(api.list().await.0, 429);
    assert_eq!(api.list().await.0, 200);
    assert!(emu.faults_left().is_empty());

    emu.set_faults(FaultPlan::new().on("createDatabase", [Fault::lose_answer()]));
    let lost = reqwest::Client::new()
        .post(&api.base)
        .bearer_auth(emu.token())
        .json(&input("lost", "redis"))
        .send()
        .await;
    assert!(lost.is_err(), "the answer is lost");
    let (_, list) = api.list().await;
    assert_eq!(list[0]["name"], "lost", "the create was carried out");

    let refused = Emulator::builder()
        .faults(FaultPlan::new().on("getDatabase", [Fault::status(200)]))
        .start()
        .await;
    assert!(matches!(refused, Err(EmulatorError::Config(m)) if m.contains("not an error status")));
}

#[tokio::test]
async fn stopped_and_error_states_can_be_injected() {
    let emu = Emulator::builder()
        .fail_provisioning("doomed")
        .start()
        .await
        .expect("starts");
    let api = Api::new(&emu);
    let doomed = api.create_ok("doomed", "postgresql").await;
    assert_eq!(api.wait_settled(&doomed, SETTLE).await, "error");

    let id = api.create_ok("fine", "redis").await;
    assert_eq!(api.wait_settled(&id, SETTLE).await, "running");
    assert!(emu.set_status(&id, Status::Stopped));
    assert_eq!(api.get(&id).await.1["status"], "stopped");
    let (status, body) = api.credentials(&id).await;
    assert_eq!(status, 409);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("stopped")
    );
    assert!(emu.set_status(&id, Status::Error));
    assert_eq!(emu.status(&id), Some(Status::Error));
    assert!(emu.set_status(&id, Status::Running));
    assert_eq!(api.credentials(&id).await.0, 200);
    assert!(
        !emu.set_status(&id, Status::Destroyed),
        "delete through the API"
    );
    assert!(!emu.set_status("db_nope", Status::Stopped));
    assert!(emu.violations().is_empty(), "{:?}", emu.violations());
}

#[tokio::test]
async fn the_state_survives_a_restart_with_a_data_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (id, token) = {
        let emu = Emulator::builder()
            .data_dir(dir.path())
            .start()
            .await
            .expect("starts");
        let api = Api::new(&emu);
        let id = api.create_ok("kept", "redis").await;
        assert_eq!(api.wait_settled(&id, SETTLE).await, "running");
        let second = Emulator::builder().data_dir(dir.path()).start().await;
        assert!(matches!(second, Err(EmulatorError::DataDirInUse(_))));
        (id, emu.token().to_string())
    };
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .expect("restarts");
    assert_eq!(emu.token(), token, "the printed token is kept");
    let (status, db) = Api::new(&emu).get(&id).await;
    assert_eq!((status, &db["status"]), (200, &json!("running")));
}

#[tokio::test]
async fn the_http_layer_answers_json_and_cuts_off_slow_headers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let emu = Emulator::builder()
        .header_read_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("starts");
    let mut req = reqwest::Client::new().get(format!("{}/api/v1/databases", emu.base_url()));
    for i in 0..150 {
        req = req.header(format!("x-filler-{i}"), "v");
    }
    let resp = req.send().await.expect("sent");
    assert_eq!(resp.status(), 431);
    let body: serde_json::Value = resp.json().await.expect("a JSON body");
    assert_eq!(body["error"], "request header fields too large");

    let mut slow = tokio::net::TcpStream::connect(emu.addr())
        .await
        .expect("connects");
    slow.write_all(b"GET /api/v1/databases HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("writes");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "a client whose headers never finish is cut off"
    );
}
