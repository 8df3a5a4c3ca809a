//! Malformed 200 answers never panic the facade: truncated JSON of a valid
//! answer, wrong types where the answer's identity belongs, an HTML error
//! page, an empty body and a body of several megabytes all come back as
//! `ErrorKind::Decode`, while a malformed item of a list is skipped (property
//! tests, `proptest`).
//!
//! A tiny local axum server plays the API and answers whatever body the
//! current case sets.

use std::sync::{Arc, Mutex};

use axum::response::IntoResponse;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use turso_platform::{Client, ErrorKind};
use turso_platform_contract_tests::fake_server::{client_without_retries, serve};

/// The answer the fake server gives: content type and body.
type Answer = Arc<Mutex<(String, Vec<u8>)>>;

struct Fake {
    rt: tokio::runtime::Runtime,
    answer: Answer,
    client: Client,
}

impl Fake {
    fn start() -> Fake {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let answer: Answer = Arc::default();
        let state = answer.clone();
        let base = rt.block_on(async move {
            let app = axum::Router::new().fallback(move || {
                let state = state.clone();
                async move {
                    let (ct, body) = state.lock().unwrap().clone();
                    ([("content-type", ct)], body).into_response()
                }
            });
            serve(app).await
        });
        let client = client_without_retries(base);
        Fake { rt, answer, client }
    }

    fn answer(&self, content_type: &str, body: Vec<u8>) {
        *self.answer.lock().unwrap() = (content_type.to_string(), body);
    }
}

fn valid_database() -> Value {
    json!({"database": {"Name": "db", "DbId": "0a1b", "Hostname": "db-acme.turso.io",
        "group": "default", "primaryRegion": "aws-us-east-1", "regions": ["aws-us-east-1"]}})
}

fn valid_groups() -> Value {
    json!({"groups": [{"name": "default", "uuid": "0a1b", "primary": "aws-us-east-1",
        "locations": ["aws-us-east-1"], "version": "v1"}]})
}

/// A JSON value that is not an object.
fn not_object() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[a-z ]{0,12}".prop_map(Value::from),
        prop::collection::vec(any::<i32>(), 0..4).prop_map(Value::from),
    ]
}

/// A JSON value that is not a string.
fn not_string() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        prop::collection::vec(any::<i32>(), 0..4).prop_map(Value::from),
        Just(json!({"nested": true})),
    ]
}

const HTML: &str = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
    <body><h1>502 Bad Gateway</h1></body></html>";

/// (content type, body) pairs that are not a valid answer built around `valid`,
/// with `wrong` giving wrongly typed variants of it.
fn malformed(
    valid: Value,
    wrong: BoxedStrategy<Value>,
) -> impl Strategy<Value = (String, Vec<u8>)> {
    let text = serde_json::to_vec(&valid).unwrap();
    let len = text.len();
    let json = "application/json".to_string();
    prop_oneof![
        (0..len).prop_map({
            let json = json.clone();
            move |n| (json.clone(), text[..n].to_vec())
        }),
        wrong.prop_map({
            let json = json.clone();
            move |v| (json.clone(), serde_json::to_vec(&v).unwrap())
        }),
        Just(("text/html".to_string(), HTML.as_bytes().to_vec())),
        Just((json.clone(), Vec::new())),
        Just((json, b"  \n".to_vec())),
    ]
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    })
}

fn assert_decode(what: &str, result: Result<impl std::fmt::Debug, turso_platform::Error>) {
    match result {
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::Decode { .. }),
            "{what}: expected a Decode error, got {:?}: {e}",
            e.kind()
        ),
        Ok(v) => panic!("{what}: a malformed body decoded into {v:?}"),
    }
}

#[test]
fn malformed_database_answers_give_decode_errors() {
    let fake = Fake::start();
    let wrong = prop_oneof![
        not_object().prop_map(|v| json!({ "database": v })),
        not_string().prop_map(|v| {
            let mut d = valid_database();
            d["database"]["Name"] = v;
            d
        }),
        not_object().prop_map(|v| v),
    ]
    .boxed();
    runner()
        .run(&malformed(valid_database(), wrong), |(ct, body)| {
            fake.answer(&ct, body.clone());
            let got = fake.rt.block_on(fake.client.databases().get("db"));
            assert_decode(&String::from_utf8_lossy(&body), got);
            Ok(())
        })
        .unwrap();
}

#[test]
fn malformed_group_lists_give_decode_errors() {
    let fake = Fake::start();
    let wrong = not_object()
        .prop_filter("an array of groups", |v| !v.is_array())
        .prop_map(|v| json!({ "groups": v }))
        .boxed();
    runner()
        .run(&malformed(valid_groups(), wrong), |(ct, body)| {
            fake.answer(&ct, body.clone());
            let got = fake.rt.block_on(fake.client.groups().list());
            assert_decode(&String::from_utf8_lossy(&body), got);
            Ok(())
        })
        .unwrap();
}

/// A malformed item (not an object, or a wrongly typed `name`, its
/// identity) is skipped: the list still returns the others (issue 21: one
/// odd item never fails a whole list).
#[test]
fn a_malformed_group_in_a_list_is_skipped() {
    let fake = Fake::start();
    let bad_item = prop_oneof![
        not_object().prop_filter("not a group", |v| !v.is_array()),
        not_string().prop_map(|v| {
            let mut g = valid_groups()["groups"][0].clone();
            g["name"] = v;
            g
        }),
    ];
    runner()
        .run(&bad_item, |bad| {
            let good = valid_groups()["groups"][0].clone();
            let body = serde_json::to_vec(&json!({ "groups": [bad, good] })).unwrap();
            fake.answer("application/json", body.clone());
            let got = fake
                .rt
                .block_on(fake.client.groups().list())
                .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&body)));
            let names: Vec<&str> = got.iter().map(|g| g.name.as_str()).collect();
            prop_assert_eq!(names, ["default"]);
            Ok(())
        })
        .unwrap();
}

/// Several megabytes: a huge, wrongly typed answer and a huge truncated one.
#[test]
fn very_large_bodies_give_decode_errors() {
    let fake = Fake::start();
    let big = "x".repeat(6 * 1024 * 1024);
    let wrong_type = serde_json::to_vec(&json!({ "database": big })).unwrap();
    fake.answer("application/json", wrong_type);
    assert_decode(
        "6 MB string",
        fake.rt.block_on(fake.client.databases().get("db")),
    );

    let mut truncated = br#"{"groups": ["#.to_vec();
    let item = serde_json::to_vec(&valid_groups()["groups"][0]).unwrap();
    while truncated.len() < 8 * 1024 * 1024 {
        truncated.extend_from_slice(&item);
        truncated.push(b',');
    }
    fake.answer("application/json", truncated);
    assert_decode(
        "8 MB truncated",
        fake.rt.block_on(fake.client.groups().list()),
    );
}
