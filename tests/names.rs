//! Arbitrary names never change the request's path: each is either refused
//! locally with `ErrorKind::InvalidInput` (nothing is sent) or sent
//! percent-encoded, so the path the server sees has exactly the expected
//! segments and the name's segment decodes back to the name (`proptest`).
//!
//! A local axum server records the raw request target of every request.

use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::response::IntoResponse;
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use turso_platform::{Client, ErrorKind};
use turso_platform_contract_tests::fake_server::{client_without_retries, serve};

struct Recorder {
    rt: tokio::runtime::Runtime,
    seen: Arc<Mutex<Vec<String>>>,
    client: Client,
}

impl Recorder {
    fn start() -> Recorder {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let base = rt.block_on(async move {
            let app = axum::Router::new().fallback(move |req: Request| {
                let log = log.clone();
                async move {
                    log.lock().unwrap().push(req.uri().to_string());
                    (
                        axum::http::StatusCode::NOT_FOUND,
                        [("content-type", "application/json")],
                        r#"{"error":"not found"}"#,
                    )
                        .into_response()
                }
            });
            serve(app).await
        });
        let client = client_without_retries(base);
        Recorder { rt, seen, client }
    }

    /// Run `call` with `name`; check it was refused or sent as the last
    /// segment of `prefix/<name>`.
    fn check<T: std::fmt::Debug>(
        &self,
        prefix: &str,
        name: &str,
        result: impl FnOnce() -> turso_platform::Result<T>,
    ) -> Result<(), TestCaseError> {
        self.seen.lock().unwrap().clear();
        let outcome = result();
        let seen = std::mem::take(&mut *self.seen.lock().unwrap());
        if let Err(e) = &outcome
            && e.kind() == &ErrorKind::InvalidInput
        {
            prop_assert!(seen.is_empty(), "refused {name:?} but sent {seen:?}");
            return Ok(());
        }
        prop_assert_eq!(seen.len(), 1, "{:?} sent {:?} ({:?})", name, seen, outcome);
        let target = &seen[0];
        prop_assert!(!target.contains('#'), "fragment in {target}");
        let path = target.split('?').next().unwrap_or_default();
        prop_assert!(!target.contains('?'), "{name:?} added a query: {target}");
        let expected: Vec<&str> = prefix.split('/').collect();
        let got: Vec<&str> = path.split('/').collect();
        prop_assert_eq!(
            got.len(),
            expected.len() + 1,
            "{:?} changed the path's segments: {}",
            name,
            path
        );
        prop_assert_eq!(&got[..expected.len()], &expected[..], "{}", path);
        let last = percent_decode_str(got[expected.len()]).decode_utf8_lossy();
        prop_assert_eq!(last.as_ref(), name, "{} does not decode back", path);
        Ok(())
    }
}

/// Names mixing ordinary characters with everything URLs treat specially.
fn names() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9/%?#&=;:@+. \\\\-]{0,24}",
        "[a-z0-9-]{1,70}",
        Just(".".to_string()),
        Just("..".to_string()),
        Just("%2e%2E".to_string()),
        Just("a/../b".to_string()),
    ]
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn database_names_are_refused_or_sent_as_one_segment() {
    let r = Recorder::start();
    runner()
        .run(&names(), |name| {
            r.check("/v1/organizations/acme/databases", &name, || {
                r.rt.block_on(r.client.databases().get(&name))
            })
        })
        .unwrap();
}

#[test]
fn group_names_are_refused_or_sent_as_one_segment() {
    let r = Recorder::start();
    runner()
        .run(&names(), |name| {
            r.check("/v1/organizations/acme/groups", &name, || {
                r.rt.block_on(r.client.groups().get(&name))
            })
        })
        .unwrap();
}

/// Usernames and emails are not restricted like database names, so more of
/// them are actually sent: the encoding is what keeps the path intact.
#[test]
fn usernames_and_emails_are_refused_or_sent_as_one_segment() {
    let r = Recorder::start();
    runner()
        .run(&names(), |name| {
            r.check("/v1/organizations/acme/members", &name, || {
                r.rt.block_on(r.client.members().get(&name))
            })?;
            r.check("/v2/organizations/acme/invites", &name, || {
                r.rt.block_on(r.client.invites().delete(&name))
            })
        })
        .unwrap();
}
