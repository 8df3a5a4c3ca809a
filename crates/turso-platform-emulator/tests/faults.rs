//! Fault injection: status codes with Retry-After, 5xx, dropped connections,
//! lost answers, latency.

use crate::common;

use std::time::{Duration, Instant};

use common::{Api, database, group};
use turso_platform_emulator::{Emulator, Fault, FaultPlan};

#[tokio::test]
async fn status_faults_come_in_order_then_stop() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    emu.set_faults(
        FaultPlan::new()
            .on("getCurrentUser", [Fault::rate_limited(2)])
            .on_all([Fault::status(500), Fault::status(503)]),
    );
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/user", emu.base_url()))
        .bearer_auth(emu.token())
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|m| m.starts_with("emulated fault"))
    );
    assert_eq!(api.get("/v1/locations").await.0, 500);
    assert_eq!(api.get("/v1/user").await.0, 503);
    assert_eq!(api.get("/v1/user").await.0, 200);
    assert_eq!(api.get("/v1/locations").await.0, 200);
}

#[tokio::test]
async fn faults_come_before_authentication_and_parse_from_a_spec() {
    let plan: FaultPlan = "listLocations=503;*=429:1".parse().expect("parses");
    let emu = Emulator::builder()
        .faults(plan)
        .start()
        .await
        .expect("starts");
    let anon = Api::new(&emu).with_token(None);
    assert_eq!(anon.get("/v1/locations").await.0, 503);
    assert_eq!(anon.get("/v1/locations").await.0, 429);
    assert_eq!(anon.get("/v1/locations").await.0, 401);
}

#[tokio::test]
async fn dropped_connection_is_a_connection_error() {
    let emu = Emulator::start().await.expect("starts");
    emu.set_faults(FaultPlan::new().on("listLocations", [Fault::drop_connection()]));
    let client = reqwest::Client::new();
    let result = client
        .get(format!("{}/v1/locations", emu.base_url()))
        .bearer_auth(emu.token())
        .send()
        .await;
    let err = result.expect_err("no response");
    assert!(err.status().is_none(), "{err}");
    let ok = client
        .get(format!("{}/v1/locations", emu.base_url()))
        .bearer_auth(emu.token())
        .send()
        .await
        .expect("next request works");
    assert_eq!(ok.status().as_u16(), 200);
}

#[tokio::test]
async fn a_lost_answer_is_carried_out_but_never_arrives() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "default", "aws-us-east-1").await;
    database(&api, "doomed", "default").await;
    emu.set_faults(FaultPlan::new().on("deleteDatabase", [Fault::lose_answer()]));
    let url = format!("{}/v1/organizations/acme/databases/doomed", emu.base_url());
    let client = reqwest::Client::new();
    let err = client
        .delete(&url)
        .bearer_auth(emu.token())
        .send()
        .await
        .expect_err("no answer");
    assert!(err.status().is_none(), "{err}");
    // The delete happened all the same: asking again finds nothing to delete.
    assert_eq!(
        api.get("/v1/organizations/acme/databases/doomed").await.0,
        404
    );
    assert_eq!(
        api.delete("/v1/organizations/acme/databases/doomed")
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn latency_delays_then_proceeds() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    emu.set_faults(FaultPlan::new().on(
        "listLocations",
        [Fault::latency(Duration::from_millis(300))],
    ));
    let started = Instant::now();
    assert_eq!(api.get("/v1/locations").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}
