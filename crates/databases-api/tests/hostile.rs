//! Answers a client must survive: a body over the limit, a redirect (never
//! followed), an answer slower than the request timeout, a status this crate
//! does not know, a non-JSON error page. And the spans a call leaves.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fake::{Fake, Reply, TOKEN, database};
use databases_api::{Engine, ErrorKind, RetryPolicy, Status, Version};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

const LIST: &str = "GET /api/v1/databases";
const GET: &str = "GET /api/v1/databases/db_1";

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let fake = Fake::start().await;
    let many: Vec<_> = (0..200)
        .map(|i| database(&format!("db_{i}"), "orders", "postgresql", "running"))
        .collect();
    fake.on(LIST, [Reply::json(200, json!(many))]);
    let client = fake.builder().max_response_bytes(4096).build().unwrap();
    let e = client.databases().list().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::BodyTooLarge { limit: 4096 }, "{e:?}");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let fake = Fake::start().await;
    let elsewhere = "https://elsewhere.example/api/v1/databases/db_1";
    fake.on(
        GET,
        [Reply::json(302, json!({})).header("location", elsewhere)],
    );
    let e = fake.client().databases().get("db_1").await.unwrap_err();
    let expected = ErrorKind::Redirected {
        location: Some(elsewhere.to_string()),
    };
    assert_eq!(e.kind(), &expected);
    assert_eq!(fake.count(GET), 1);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_reads_are_retried() {
    let fake = Fake::start().await;
    fake.on(
        GET,
        [
            Reply::json(200, database("db_1", "a", "redis", "running"))
                .after(Duration::from_secs(20)),
            Reply::json(200, database("db_1", "a", "redis", "running")),
        ],
    );
    let client = fake
        .builder()
        .request_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let db = client.databases().get("db_1").await.unwrap();
    assert_eq!(db.name, "a");
    assert_eq!(fake.count(GET), 2);
}

#[tokio::test]
async fn values_the_spec_does_not_list_yet_are_kept() {
    // Answers are open in the spec (`Status`, `AnsweredEngine`,
    // `AnsweredVersion`): a new status, engine or version is `Other`.
    let fake = Fake::start().await;
    let mut paused = database("db_1", "a", "redis", "running");
    paused["status"] = json!("paused");
    paused["db_type"] = json!("cockroach");
    paused["version"] = json!("24.1");
    fake.on(GET, [Reply::json(200, paused)]);
    let db = fake.client().databases().get("db_1").await.unwrap();
    assert_eq!(db.status, Some(Status::Other("paused".into())));
    assert_eq!(db.engine, Some(Engine::Other("cockroach".into())));
    assert_eq!(db.version, Some(Version::Other("24.1".into())));
}

#[tokio::test]
async fn an_html_error_page_keeps_its_status_and_text() {
    let fake = Fake::start().await;
    fake.on(GET, [Reply::json(502, json!("<html>bad gateway</html>"))]);
    let client = fake
        .builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.databases().get("db_1").await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (&ErrorKind::Server, Some(502)));
    assert!(e.message().unwrap().contains("bad gateway"), "{e}");
}

/// Records every span's name and fields, as text.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Spans {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: Context<'_, S>,
    ) {
        let mut fields = Fields(attrs.metadata().name().to_string());
        attrs.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }

    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: Context<'_, S>,
    ) {
        let mut fields = Fields("record".to_string());
        values.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

#[tokio::test]
async fn each_call_is_a_span_and_no_span_carries_the_token() {
    let spans = Spans::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let fake = Fake::start().await;
    fake.on(
        LIST,
        [Reply::error(503, "busy"), Reply::json(200, json!([]))],
    );
    fake.client().databases().list().await.unwrap();
    let seen = spans.0.lock().unwrap().join("\n");
    assert!(
        seen.contains("sdk.call operation=\"listDatabases\""),
        "{seen}"
    );
    assert!(seen.contains("sdk.attempt attempt=2"), "{seen}");
    assert!(
        seen.contains(
            "sdk.request operation=\"list_databases\" method=GET path=\"/api/v1/databases\""
        ),
        "{seen}"
    );
    assert!(
        seen.contains("status=503") && seen.contains("status=200"),
        "{seen}"
    );
    assert!(!seen.contains(TOKEN), "{seen}");
}
