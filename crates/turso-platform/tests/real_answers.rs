//! Every Platform API answer the service really sent (the project's copy,
//! `spec/real-answers/turso.json`; data-plane entries are tested with the
//! emulator's data plane) is served by a scripted server to the facade method
//! of its operation: success bodies decode to the values they hold, error
//! bodies give the typed error of their status and message.

use crate::common::mock::{Mock, Reply};
use serde_json::Value;
use turso_platform::{Client, CreateDatabase, Database, ErrorKind, RetryPolicy};

const REAL_ANSWERS: &str = include_str!("../../../spec/real-answers/turso.json");

fn client(mock: &Mock) -> Client {
    Client::builder()
        .token("t")
        .base_url(&mock.base_url)
        .organization("a2xchip")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The facade's database holds what the answer's object holds.
fn assert_database(db: &Database, v: &Value, what: &str) {
    assert_eq!(Some(db.name.clone()), text(v, "Name"), "{what}");
    assert_eq!(Some(db.id.clone()), text(v, "DbId"), "{what}");
    assert_eq!(db.hostname, text(v, "Hostname"), "{what}");
    assert_eq!(db.group, text(v, "group"), "{what}");
    assert_eq!(db.primary_region, text(v, "primaryRegion"), "{what}");
    let regions: Vec<String> = serde_json::from_value(v["regions"].clone()).unwrap();
    assert_eq!(db.regions, regions, "{what}");
    assert_eq!(db.kind, text(v, "type"), "{what}");
    assert_eq!(db.version, text(v, "version"), "{what}");
    assert_eq!(db.sleeping, flag(v, "sleeping"), "{what}");
    assert_eq!(db.block_reads, flag(v, "block_reads"), "{what}");
    assert_eq!(db.block_writes, flag(v, "block_writes"), "{what}");
    assert_eq!(db.allow_attach, flag(v, "allow_attach"), "{what}");
    assert_eq!(db.is_schema, flag(v, "is_schema"), "{what}");
    assert_eq!(db.archived, flag(v, "archived"), "{what}");
    assert_eq!(db.delete_protection, flag(v, "delete_protection"), "{what}");
}

fn counters(v: &Value) -> [i64; 4] {
    ["rows_read", "rows_written", "storage_bytes", "bytes_synced"].map(|k| v[k].as_i64().unwrap())
}

/// The request's path without the query.
fn path_of(mock: &Mock) -> String {
    let seen = mock.seen();
    assert_eq!(seen.len(), 1, "one request per answer");
    seen[0].target.split('?').next().unwrap().to_string()
}

#[tokio::test]
async fn every_real_platform_answer_reaches_its_facade_method() {
    let entries: Vec<Value> = serde_json::from_str(REAL_ANSWERS).unwrap();
    let mut served = 0;
    for (i, entry) in entries.iter().enumerate() {
        let path = entry["path"].as_str().unwrap();
        if path == "/v2/pipeline" {
            continue; // the data plane
        }
        let method = entry["method"].as_str().unwrap();
        let body = &entry["body"];
        let what = format!("entry {i}: {method} {path} ({})", entry["source"]);
        // Where the source did not show the status: 200 for a success body,
        // 400 for the `invalid_name` error (the status of a refused request).
        let status = entry["status"]
            .as_u64()
            .map(|s| s as u16)
            .unwrap_or_else(|| {
                if body.get("error").is_some() {
                    400
                } else {
                    200
                }
            });
        let mock = Mock::start().await;
        let reply = match body {
            Value::String(plain) => Reply::Http(
                status,
                vec![("content-type".into(), "text/plain; charset=utf-8".into())],
                plain.clone(),
            ),
            json => Reply::json(status, &json.to_string()),
        };
        mock.push(reply);
        let c = client(&mock);
        let dbs = c.databases();
        match (method, path, status) {
            ("GET", "/v1/organizations/{organizationSlug}/databases", 200) => {
                let got = dbs.list().await.unwrap_or_else(|e| panic!("{what}: {e}"));
                let want = body["databases"].as_array().unwrap();
                assert_eq!(got.len(), want.len(), "{what}");
                for (db, v) in got.iter().zip(want) {
                    assert_database(db, v, &what);
                }
                assert_eq!(path_of(&mock), "/v1/organizations/a2xchip/databases");
            }
            ("GET", "/v1/organizations/{organizationSlug}/databases/{databaseName}", 200) => {
                let name = body["database"]["Name"].as_str().unwrap();
                let db = dbs
                    .get(name)
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_database(&db, &body["database"], &what);
                assert_eq!(
                    path_of(&mock),
                    format!("/v1/organizations/a2xchip/databases/{name}")
                );
            }
            ("POST", "/v1/organizations/{organizationSlug}/databases", 200) => {
                let v = &body["database"];
                let name = v["Name"].as_str().unwrap();
                let created = dbs
                    .create(&CreateDatabase::new(name, "default"))
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(created.name, name, "{what}");
                assert_eq!(Some(created.id), text(v, "DbId"), "{what}");
                assert_eq!(created.hostname, text(v, "Hostname"), "{what}");
                // The top-level `password` of these answers is not kept anywhere.
                assert_eq!(path_of(&mock), "/v1/organizations/a2xchip/databases");
            }
            ("POST", "/v1/organizations/{organizationSlug}/databases", 400) => {
                let e = dbs
                    .create(&CreateDatabase::new("new-test-db", "default"))
                    .await
                    .expect_err(&what);
                assert_eq!(e.status(), Some(400), "{what}");
                assert_eq!(e.message(), body["error"].as_str(), "{what}");
                assert_eq!(e.operation(), Some("createDatabase"), "{what}");
                match body.get("code").and_then(Value::as_str) {
                    // `code` beside `error`: kept, and the kind follows the status.
                    Some(code) => {
                        assert_eq!(e.code(), Some(code), "{what}");
                        assert_eq!(e.kind(), &ErrorKind::BadRequest, "{what}");
                    }
                    // The live service's 400 where the spec says 409.
                    None => assert!(e.is_already_exists(), "{what}: {e:?}"),
                }
            }
            (
                "GET",
                "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances",
                200,
            ) => {
                let got = dbs
                    .instances("example-database")
                    .list()
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let want = body["instances"].as_array().unwrap();
                assert_eq!(got.len(), want.len(), "{what}");
                for (inst, v) in got.iter().zip(want) {
                    assert_eq!(Some(inst.uuid.clone()), text(v, "uuid"), "{what}");
                    assert_eq!(Some(inst.name.clone()), text(v, "name"), "{what}");
                    assert_eq!(inst.region, text(v, "region"), "{what}");
                    assert_eq!(inst.hostname, text(v, "hostname"), "{what}");
                    assert!(inst.is_primary(), "{what}");
                }
            }
            (
                "GET",
                "/v1/organizations/{organizationSlug}/databases/{databaseName}/instances/{instanceName}",
                200,
            ) => {
                let v = &body["instance"];
                let inst = dbs
                    .instances("default")
                    .get("otp")
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(Some(inst.uuid.clone()), text(v, "uuid"), "{what}");
                assert_eq!(
                    (inst.name.as_str(), inst.location()),
                    ("otp", "otp"),
                    "{what}"
                );
                assert_eq!(inst.hostname, text(v, "hostname"), "{what}");
                assert!(inst.is_primary(), "{what}");
                assert_eq!(
                    path_of(&mock),
                    "/v1/organizations/a2xchip/databases/default/instances/otp"
                );
            }
            ("GET", "/v1/organizations/{organizationSlug}/databases/{databaseName}/usage", 200) => {
                let usage = dbs
                    .usage("example-database")
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let v = &body["database"];
                assert_eq!(usage.uuid, text(v, "uuid"), "{what}");
                // The database's totals, which this answer names `usage`.
                let total = &usage.total;
                assert_eq!(
                    [
                        total.rows_read,
                        total.rows_written,
                        total.storage_bytes,
                        total.bytes_synced
                    ],
                    counters(&v["usage"]),
                    "{what}"
                );
                let want = v["instances"].as_array().unwrap();
                assert_eq!(usage.instances.len(), want.len(), "{what}");
                for (got, v) in usage.instances.iter().zip(want) {
                    assert_eq!(got.uuid, text(v, "uuid"), "{what}");
                    let u = &got.usage;
                    assert_eq!(
                        [u.rows_read, u.rows_written, u.storage_bytes, u.bytes_synced],
                        counters(&v["usage"]),
                        "{what}"
                    );
                }
            }
            ("GET", "/v1/organizations/{organizationSlug}/plans", 200) => {
                let plans = c
                    .billing()
                    .plans()
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let want = body["plans"].as_array().unwrap();
                assert_eq!(plans.len(), want.len(), "{what}");
                for (plan, v) in plans.iter().zip(want) {
                    assert_eq!(Some(plan.name.clone()), text(v, "name"), "{what}");
                    assert_eq!(plan.price, text(v, "price"), "{what}");
                    assert_eq!(
                        plan.prices.len(),
                        v["prices"].as_array().unwrap().len(),
                        "{what}"
                    );
                    let q = plan.quotas.as_ref().expect("quotas");
                    assert_eq!(q.rows_read, v["quotas"]["rowsRead"].as_i64(), "{what}");
                    assert_eq!(q.storage, v["quotas"]["storage"].as_i64(), "{what}");
                }
            }
            ("GET", "/v1/organizations/{organizationSlug}/subscription", 200) => {
                let sub = c
                    .billing()
                    .subscription()
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let v = &body["subscription"];
                assert_eq!(sub.name, text(v, "name"), "{what}");
                assert_eq!(sub.plan, text(v, "plan"), "{what}");
                assert_eq!(sub.timeline, text(v, "timeline"), "{what}");
                assert_eq!(Some(sub.overages), v["overages"].as_bool(), "{what}");
            }
            ("GET", "/v1/organizations/{organizationSlug}/databases/{databaseName}/stats", 404) => {
                // A plain-text 404 (Go's default body), not the spec's JSON.
                let e = dbs.stats("example-database").await.expect_err(&what);
                assert!(e.is_not_found(), "{what}: {e:?}");
                assert_eq!(e.status(), Some(404), "{what}");
                assert_eq!(e.message(), Some("404 page not found"), "{what}");
            }
            other => panic!("{what}: no facade call for {other:?}; add one"),
        }
        served += 1;
    }
    assert_eq!(served, 16, "every Platform API entry was served");
}
