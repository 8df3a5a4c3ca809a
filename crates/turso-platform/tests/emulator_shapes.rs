//! The emulator answers in the shapes the service's real answers show
//! (spec/real-answers/turso.json): `getDatabaseUsage` with the database's
//! totals as `usage`, and `instances` (usage keyed by instance UUID) and
//! `total` at the top level; an invalid name refused with `code` beside
//! `error`. Read as raw JSON, as a client other than this SDK would.

use serde_json::Value;
use turso_platform::{Client, CreateDatabase, CreateGroup, ErrorKind, Idempotency};
use turso_platform_emulator::Emulator;

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization(emu.organization())
        .build()
        .unwrap()
}

async fn get(emu: &Emulator, path: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}{path}", emu.base_url()))
        .bearer_auth(emu.token())
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn database_usage_has_the_real_answer_s_shape() {
    let emu = Emulator::start().await.unwrap();
    let c = client(&emu);
    c.groups()
        .create(&CreateGroup::new("default", "aws-us-east-1"))
        .await
        .unwrap();
    c.databases()
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    c.databases()
        .wait_until_ready("db1", std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let (status, body) = get(&emu, "/v1/organizations/acme/databases/db1/usage").await;
    assert_eq!(status, 200, "{body}");
    let db = &body["database"];
    assert!(db["uuid"].is_string(), "{body}");
    assert_eq!(db["usage"], body["total"], "{body}");
    assert_eq!(db["usage"], db["total"], "{body}");
    let storage = db["usage"]["storage_bytes"].as_u64().unwrap();
    assert!(storage > 0, "{body}");
    // Each instance has its `usage`, and the top-level map has the same, by UUID.
    let instances = db["instances"].as_array().unwrap();
    assert!(!instances.is_empty(), "{body}");
    for i in instances {
        let uuid = i["uuid"].as_str().unwrap();
        assert!(i["usage"]["rows_read"].is_u64(), "{body}");
        assert_eq!(body["instances"][uuid], i["usage"], "{body}");
    }
    // The facade reads the same totals.
    let usage = c.databases().usage("db1").await.unwrap();
    assert_eq!(usage.total.storage_bytes as u64, storage);
    assert!(emu.violations().is_empty(), "{:#?}", emu.violations());
}

#[tokio::test]
async fn an_invalid_name_is_refused_with_a_code_beside_the_error() {
    let emu = Emulator::start().await.unwrap();
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/v1/organizations/acme/databases",
            emu.base_url()
        ))
        .bearer_auth(emu.token())
        .json(&serde_json::json!({"name": "Not_Valid", "group": "default"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_name", "{body}");
    assert!(
        body["error"].as_str().unwrap().starts_with(
            "invalid database name: name may only contain numbers, lowercase letters, and dashes"
        ),
        "{body}"
    );
    // A refusal that is not about a name has no code (none is invented).
    let (status, body) = get(&emu, "/v1/organizations/acme/databases/missing").await;
    assert_eq!(status, 404);
    assert!(body.get("code").is_none(), "{body}");
    // Through the facade, the code is the error's.
    let c = client(&emu);
    let e = c
        .call("createDatabase", Idempotency::Unsafe, |g| {
            g.create_database()
                .organization_slug("acme")
                .body_map(|b| b.name("Bad_Name").group("default"))
                .send()
        })
        .await
        .expect_err("an invalid name is refused");
    assert_eq!(e.kind(), &ErrorKind::BadRequest);
    assert_eq!(e.code(), Some("invalid_name"));
}
