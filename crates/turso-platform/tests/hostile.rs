//! The client against hostile or broken servers: absurd `Retry-After`
//! values, huge and endless bodies, cursors that go round in circles,
//! answers that never come, redirects, minted tokens in bodies that do not
//! decode, and uploads that are dropped, lose their answer or read a file
//! that changes. Each was a defect once: a panic, a hang, unbounded memory,
//! a leaked secret or a database left behind.

use std::time::{Duration, Instant};

use crate::common::mock::{Mock, Reply};
use futures::{StreamExt, TryStreamExt};
use turso_platform::{Client, DatabaseListOptions, ErrorKind, RetryPolicy, TokenRequest};

fn client(mock: &Mock) -> Client {
    builder(mock).build().unwrap()
}

fn builder(mock: &Mock) -> turso_platform::ClientBuilder {
    Client::builder()
        .token("platform-token")
        .base_url(&mock.base_url)
        .organization("acme")
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20)),
        )
}

const DB: &str =
    r#"{"database":{"Name":"db1","DbId":"id-1","Hostname":"db1-acme.turso.io","group":"default"}}"#;

fn page(names: &[&str], next: Option<&str>) -> String {
    let dbs: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"Name":"{n}","DbId":"{n}","Hostname":"{n}.h","group":"default"}}"#))
        .collect();
    let next = next.map_or("null".to_string(), |n| format!("\"{n}\""));
    format!(
        r#"{{"databases":[{}],"pagination":{{"next":{next}}}}}"#,
        dbs.join(",")
    )
}

#[tokio::test]
async fn absurd_retry_after_values_never_panic() {
    for value in [
        "1e20",
        "18446744073709551616",
        "inf",
        "-5",
        "NaN",
        "9999999999999999999999",
    ] {
        for status in [200, 429, 503] {
            let mock = Mock::start().await;
            let body = if status == 200 {
                DB
            } else {
                r#"{"error":"slow down"}"#
            };
            mock.set_fallback(Reply::json(status, body).with_header("retry-after", value));
            let result = client(&mock).databases().get("db1").await;
            match status {
                200 => assert_eq!(result.unwrap().name, "db1"),
                // Too long to wait for (returned at once), or no usable value
                // (retried with backoff): never a panic.
                _ => {
                    let e = result.unwrap_err();
                    assert!(e.is_transient(), "{value} {status}: {e:?}");
                }
            }
            assert!(mock.seen().len() <= 4, "{value} {status}");
        }
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_without_reading_it_all() {
    let mock = Mock::start().await;
    let big = format!(
        r#"{{"databases":[],"padding":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    mock.push(Reply::json(200, &big));
    let c = builder(&mock)
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    let e = c.databases().list().await.unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::BodyTooLarge { limit: 1024 * 1024 },
        "{e:?}"
    );
    assert_eq!(e.operation(), Some("listDatabases"));

    // The same body passes under the default limit.
    mock.push(Reply::json(200, &big));
    assert!(client(&mock).databases().list().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit_long_before_the_timeout() {
    let mock = Mock::start().await;
    mock.set_fallback(Reply::Endless(200));
    let c = builder(&mock)
        .max_response_bytes(8 * 1024 * 1024)
        .request_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = c.databases().list().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::BodyTooLarge { .. }), "{e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn pagination_cycles_end_with_an_error() {
    let mock = Mock::start().await;
    // A → B → A → ...
    mock.push(Reply::json(200, &page(&["a1"], Some("A"))));
    mock.push(Reply::json(200, &page(&["b1"], Some("B"))));
    mock.set_fallback(Reply::json(200, &page(&["a2"], Some("A"))));
    let e = client(&mock).databases().list().await.unwrap_err();
    assert!(e.to_string().contains("cycle"), "{e}");
    assert!(mock.seen().len() <= 4, "{} requests", mock.seen().len());

    // The stream stops too.
    let mock = Mock::start().await;
    mock.push(Reply::json(200, &page(&["a1"], Some("A"))));
    mock.set_fallback(Reply::json(200, &page(&["a2"], Some("A"))));
    let items: Vec<_> = client(&mock)
        .databases()
        .stream(DatabaseListOptions::new().page_size(1))
        .into_stream()
        .collect::<Vec<_>>()
        .await;
    assert!(items.last().unwrap().is_err());
    assert!(items.len() <= 4);
}

#[tokio::test]
async fn the_wait_limit_bounds_the_request_in_flight() {
    let mock = Mock::start().await;
    mock.set_fallback(Reply::Silent);
    let c = builder(&mock)
        .request_timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = c
        .databases()
        .wait_until_ready("db1", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let target = Mock::start().await;
    target.set_fallback(Reply::json(200, DB));
    for status in [301, 302, 307, 308] {
        let mock = Mock::start().await;
        let location = format!(
            "{}/elsewhere",
            target.base_url.replace("127.0.0.1", "localhost")
        );
        mock.push(Reply::json(status, "").with_header("location", &location));
        let e = client(&mock).databases().get("db1").await.unwrap_err();
        assert_eq!(
            e.kind(),
            &ErrorKind::Redirected {
                location: Some(location.clone())
            },
            "{status}: {e:?}"
        );
        assert_eq!(e.status(), Some(status));
    }
    assert!(target.seen().is_empty(), "a redirect was followed");
}

#[tokio::test]
async fn a_minted_token_never_appears_in_a_decode_error() {
    let jwt =
        "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    let bodies = [
        format!(r#"{{"jwt": ["{jwt}"]}}"#),
        format!(r#"{{"jwt": "{jwt}", "extra": "#),
        format!(r#"{{"token": "{jwt}"}}"#),
    ];
    for body in &bodies {
        let mock = Mock::start().await;
        mock.push(Reply::json(200, body));
        let e = client(&mock)
            .databases()
            .create_token("db1", &TokenRequest::new())
            .await
            .unwrap_err();
        let shown = format!("{e} {e:?} {:?}", std::error::Error::source(&e));
        assert!(
            !shown.contains(jwt) && !shown.contains("c2lnbmF0dXJl"),
            "{shown}"
        );
        assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e:?}");

        mock.push(Reply::json(200, body));
        let e = client(&mock)
            .groups()
            .create_token("default", &TokenRequest::new())
            .await
            .unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(jwt), "{shown}");
    }
    // An error answer quoting a token is redacted too.
    let mock = Mock::start().await;
    mock.push(Reply::json(500, &format!("upstream failed for {jwt}")));
    let e = client(&mock).databases().get("db1").await.unwrap_err();
    assert!(!format!("{e} {e:?}").contains(jwt), "{e}");
}

#[tokio::test]
async fn an_html_error_page_keeps_its_status() {
    let mock = Mock::start().await;
    mock.push(Reply::Http(
        404,
        vec![],
        "<html><body>Not Found</body></html>".into(),
    ));
    let e = client(&mock).databases().get("db1").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::NotFound, "{e:?}");
    assert_eq!(e.status(), Some(404));
    assert!(e.message().unwrap().contains("Not Found"));
}
