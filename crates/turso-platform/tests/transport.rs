//! The exact requests the client sends, and how it reacts to scripted answers:
//! headers, path encoding, retries, error mapping, lenient decoding, redaction.
//! These use a tiny scripted HTTP server so every byte on the wire is visible.

use std::time::Duration;

use crate::common::mock::{Mock, Reply};
use turso_platform::{Client, CreateDatabase, ErrorKind, RetryPolicy, Role, TokenRequest};

const TOKEN: &str = "super-secret-platform-token-123";

fn client(mock: &Mock) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(&mock.base_url)
        .organization("acme")
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(5))
                .max_delay(Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

const DB: &str =
    r#"{"database":{"Name":"db1","DbId":"id-1","Hostname":"db1-acme.turso.io","group":"default"}}"#;

#[tokio::test]
async fn sends_auth_and_user_agent_and_strips_api_version() {
    let mock = Mock::start().await;
    mock.push(Reply::json(200, DB));
    let c = client(&mock);
    let db = c.databases().get("db1").await.unwrap();
    assert_eq!(db.name, "db1");
    assert_eq!(db.group.as_deref(), Some("default"));
    let seen = mock.seen();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, "/v1/organizations/acme/databases/db1");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(
        r.header("user-agent")
            .unwrap()
            .starts_with("turso-platform-rs/")
    );
    assert_eq!(r.header("api-version"), None);
}

#[tokio::test]
async fn custom_user_agent() {
    let mock = Mock::start().await;
    mock.push(Reply::json(200, DB));
    let c = Client::builder()
        .token(TOKEN)
        .base_url(&mock.base_url)
        .organization("acme")
        .user_agent("my-app/1.0")
        .build()
        .unwrap();
    c.databases().get("db1").await.unwrap();
    assert_eq!(mock.seen()[0].header("user-agent"), Some("my-app/1.0"));
}

#[tokio::test]
async fn path_segments_are_encoded_and_cannot_change_the_path() {
    let mock = Mock::start().await;
    mock.set_fallback(Reply::json(
        200,
        r#"{"member":{"username":"x","role":"member"}}"#,
    ));
    let c = client(&mock);
    for (name, encoded) in [
        ("a/b", "a%2Fb"),
        ("a?b=c", "a%3Fb=c"),
        ("a#b", "a%23b"),
        ("a%2Fb", "a%252Fb"),
        ("...", "..."),
        ("a b", "a%20b"),
    ] {
        c.members().get(name).await.unwrap();
        let seen = mock.seen();
        let target = &seen.last().unwrap().target;
        assert_eq!(
            target,
            &format!("/v1/organizations/acme/members/{encoded}"),
            "{name}"
        );
    }
    let before = mock.seen().len();
    for bad in ["..", ".", "a\\b", ""] {
        let e = c.members().get(bad).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{bad:?}");
    }
    for bad in ["a/b", "..", "a?b", "a#b", "a%2F", "UPPER", ""] {
        let e = c.databases().get(bad).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{bad:?}");
        let e = c.groups().get(bad).await.unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{bad:?}");
    }
    let e = c.organization("..").databases().list().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    assert_eq!(mock.seen().len(), before, "refused input must send nothing");
    // An organization slug with a slash is encoded, not interpreted.
    mock.set_fallback(Reply::json(200, r#"{"databases":[]}"#));
    c.organization("ac/me").databases().list().await.unwrap();
    assert_eq!(
        mock.seen().last().unwrap().target,
        "/v1/organizations/ac%2Fme/databases"
    );
}

#[tokio::test]
async fn retries_transient_failures_on_reads() {
    let mock = Mock::start().await;
    mock.push(Reply::json(503, r#"{"error":"unavailable"}"#));
    mock.push(Reply::Drop);
    mock.push(Reply::json(502, ""));
    mock.push(Reply::json(200, DB));
    let c = client(&mock);
    c.databases().get("db1").await.unwrap();
    assert_eq!(mock.seen().len(), 4);
}

#[tokio::test]
async fn honours_retry_after() {
    let mock = Mock::start().await;
    mock.push(Reply::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", "1"));
    mock.push(Reply::json(200, DB));
    let c = client(&mock);
    let start = std::time::Instant::now();
    c.databases().get("db1").await.unwrap();
    assert_eq!(mock.seen().len(), 2);
    // The wait honoured Retry-After (a lower bound, not a timing assertion on speed).
    assert!(start.elapsed() >= Duration::from_millis(900));
}

/// `Retry-After` as an HTTP date `secs` seconds from now (whole seconds, as
/// the format has).
fn retry_after_date(secs: u64) -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(secs))
}

#[tokio::test]
async fn honours_retry_after_given_as_an_http_date() {
    let mock = Mock::start().await;
    let date = retry_after_date(3);
    mock.push(Reply::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", &date));
    mock.push(Reply::json(200, DB));
    let c = client(&mock);
    let start = std::time::Instant::now();
    c.databases().get("db1").await.unwrap();
    // One retry, after the date (the date drops the sub-second part of "now
    // + 3 s", so at least 2 s): not four attempts within a second.
    assert_eq!(mock.seen().len(), 2);
    assert!(
        start.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn an_http_date_beyond_the_cap_is_returned_with_the_time_left() {
    let mock = Mock::start().await;
    let date = retry_after_date(120);
    mock.push(Reply::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", &date));
    let c = client(&mock);
    let e = c.databases().get("db1").await.unwrap_err();
    let left = e.retry_after().expect("the date is read");
    assert!(
        left > Duration::from_secs(100) && left <= Duration::from_secs(120),
        "{left:?}"
    );
    assert_eq!(mock.seen().len(), 1);
}

/// A client whose requests time out after 300 ms.
fn impatient_client(mock: &Mock, retry: RetryPolicy) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(&mock.base_url)
        .organization("acme")
        .request_timeout(Duration::from_millis(300))
        .retry_policy(retry)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_answer_that_stalls_midway_times_out() {
    let mock = Mock::start().await;
    mock.push(Reply::Stall(200, DB.to_string()));
    let c = impatient_client(&mock, RetryPolicy::none());
    let e = c.databases().get("db1").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e}");
    assert_eq!(e.operation(), Some("getDatabase"));
    assert!(e.to_string().contains("timed out"), "{e}");
    assert!(e.is_transient(), "{e}");
}

#[tokio::test]
async fn a_timed_out_read_is_retried_and_a_create_is_not() {
    let mock = Mock::start().await;
    let retry = RetryPolicy::default().base_delay(Duration::from_millis(5));
    let c = impatient_client(&mock, retry);
    mock.push(Reply::Stall(200, DB.to_string()));
    mock.push(Reply::json(200, DB));
    let db = c.databases().get("db1").await.unwrap();
    assert_eq!(db.name, "db1");
    assert_eq!(mock.seen().len(), 2);

    mock.push(Reply::Stall(200, DB.to_string()));
    let e = c
        .databases()
        .create(&CreateDatabase::new("db2", "default"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e}");
    assert_eq!(mock.seen().len(), 3, "a create is sent once");
}

#[tokio::test]
async fn a_delete_retried_after_a_timeout_or_a_gateway_timeout_that_finds_nothing_succeeds() {
    let mock = Mock::start().await;
    let retry = RetryPolicy::default().base_delay(Duration::from_millis(5));
    let c = impatient_client(&mock, retry);
    let not_found = || Reply::json(404, r#"{"error":"database not found"}"#);
    // The first attempt may have deleted it: its answer never came.
    mock.push(Reply::Stall(200, r#"{"database":"db1"}"#.to_string()));
    mock.push(not_found());
    assert_eq!(c.databases().delete("db1").await.unwrap().id, "db1");
    // A gateway gave up waiting for the service, which may have carried it out.
    mock.push(Reply::json(504, r#"{"error":"gateway timeout"}"#));
    mock.push(not_found());
    assert_eq!(c.databases().delete("db1").await.unwrap().id, "db1");
    // A 502 is taken as not carried out: the 404 of the retry stands.
    mock.push(Reply::json(502, r#"{"error":"bad gateway"}"#));
    mock.push(not_found());
    let e = c.databases().delete("db1").await.unwrap_err();
    assert!(e.is_not_found() && !e.after_lost_answer(), "{e:?}");
    assert_eq!(mock.seen().len(), 6);
}

#[tokio::test]
async fn a_stalled_error_answer_times_out_too() {
    let mock = Mock::start().await;
    mock.push(Reply::Stall(
        404,
        r#"{"error":"database not found"}"#.to_string(),
    ));
    let c = impatient_client(&mock, RetryPolicy::none());
    let e = c.databases().get("db1").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e}");
}

#[tokio::test]
async fn generated_calls_time_out_with_reqwest_s_timeout() {
    let mock = Mock::start().await;
    mock.push(Reply::Stall(200, DB.to_string()));
    let c = impatient_client(&mock, RetryPolicy::none());
    let e = c
        .generated()
        .get_database()
        .organization_slug("acme")
        .database_name("db1")
        .send()
        .await
        .unwrap_err();
    let timed_out = match &e {
        progenitor_client::Error::CommunicationError(e)
        | progenitor_client::Error::ResponseBodyError(e) => e.is_timeout(),
        _ => false,
    };
    assert!(timed_out, "{e:?}");
}

#[tokio::test]
async fn retry_after_beyond_the_cap_is_returned() {
    let mock = Mock::start().await;
    mock.push(Reply::json(429, r#"{"error":"slow down"}"#).with_header("retry-after", "120"));
    let c = client(&mock);
    let e = c.databases().get("db1").await.unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(e.message(), Some("slow down"));
    assert_eq!(e.status(), Some(429));
    assert_eq!(e.operation(), Some("getDatabase"));
    assert_eq!(mock.seen().len(), 1);
}

#[tokio::test]
async fn gives_up_after_max_attempts() {
    let mock = Mock::start().await;
    mock.set_fallback(Reply::json(503, r#"{"error":"down"}"#));
    let c = client(&mock);
    let e = c.databases().get("db1").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Server);
    assert_eq!(mock.seen().len(), 4, "the default policy makes 4 attempts");
}

#[tokio::test]
async fn no_retry_policy_sends_once() {
    let mock = Mock::start().await;
    mock.set_fallback(Reply::json(503, r#"{"error":"down"}"#));
    let c = Client::builder()
        .token(TOKEN)
        .base_url(&mock.base_url)
        .organization("acme")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(
        c.databases().get("db1").await.unwrap_err().kind(),
        &ErrorKind::Server
    );
    assert_eq!(mock.seen().len(), 1);
}

#[tokio::test]
async fn unsafe_operations_are_not_retried() {
    let mock = Mock::start().await;
    mock.set_fallback(Reply::json(503, r#"{"error":"down"}"#));
    let c = client(&mock);
    let e = c
        .databases()
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Server);
    assert_eq!(mock.seen().len(), 1);
    let e = c
        .databases()
        .create_token("db1", &TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Server);
    assert_eq!(mock.seen().len(), 2);
    mock.set_fallback(Reply::Drop);
    let e = c
        .groups()
        .create(&turso_platform::CreateGroup::new("g", "aws-us-east-1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Transport);
    assert_eq!(mock.seen().len(), 3);
}

#[tokio::test]
async fn create_if_missing_retries_and_accepts_existing() {
    let mock = Mock::start().await;
    mock.push(Reply::json(503, r#"{"error":"down"}"#));
    mock.push(Reply::json(
        400,
        r#"{"error":"database with same name already exists"}"#,
    ));
    mock.push(Reply::json(200, DB));
    let c = client(&mock);
    let ensured = c
        .databases()
        .create_if_missing(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    assert!(!ensured.was_created());
    assert_eq!(ensured.hostname.as_deref(), Some("db1-acme.turso.io"));
    let seen = mock.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[2].method, "GET");
}

#[tokio::test]
async fn maps_error_statuses() {
    let mock = Mock::start().await;
    let c = Client::builder()
        .token(TOKEN)
        .base_url(&mock.base_url)
        .organization("acme")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let cases: Vec<(u16, &str, ErrorKind)> = vec![
        (
            404,
            r#"{"error":"database not found"}"#,
            ErrorKind::NotFound,
        ),
        (401, r#"{"error":"unauthorized"}"#, ErrorKind::Unauthorized),
        (403, r#"{"error":"forbidden"}"#, ErrorKind::Forbidden),
        (409, r#"{"error":"exists"}"#, ErrorKind::AlreadyExists),
        (
            400,
            r#"{"error":"database with same name already exists"}"#,
            ErrorKind::AlreadyExists,
        ),
        (
            400,
            r#"{"error":"invalid name","code":"bad_name"}"#,
            ErrorKind::BadRequest,
        ),
        (500, r#"{"error":"boom"}"#, ErrorKind::Server),
        (502, "<html>bad gateway</html>", ErrorKind::Server),
        (408, "", ErrorKind::Timeout),
        (418, "", ErrorKind::UnexpectedStatus),
    ];
    for (status, body, kind) in cases {
        mock.push(Reply::json(status, body));
        let e = c.databases().get("db1").await.unwrap_err();
        assert_eq!(e.kind(), &kind, "{status} {body}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.operation(), Some("getDatabase"));
        if body.starts_with('{') {
            let msg = serde_json::from_str::<serde_json::Value>(body).unwrap()["error"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(e.message(), Some(msg.as_str()));
        }
        // Also through an operation whose errors are undocumented (E = ()).
        mock.push(Reply::json(status, body));
        let e = c.databases().configuration("db1").await.unwrap_err();
        assert_eq!(e.kind(), &kind, "configuration {status} {body}");
        assert_eq!(e.operation(), Some("getDatabaseConfiguration"));
    }
    mock.push(Reply::json(
        400,
        r#"{"error":"invalid name","code":"bad_name"}"#,
    ));
    let e = c.databases().configuration("db1").await.unwrap_err();
    assert_eq!(e.code(), Some("bad_name"));
}

#[tokio::test]
async fn decode_errors_carry_an_excerpt() {
    let mock = Mock::start().await;
    let c = client(&mock);
    mock.push(Reply::json(200, "<html>definitely not json</html>"));
    let e = c.databases().get("db1").await.unwrap_err();
    match e.kind() {
        ErrorKind::Decode { excerpt } => assert!(excerpt.contains("definitely not json")),
        k => panic!("{k:?}"),
    }
    // A field the service always returns is missing.
    mock.push(Reply::json(200, r#"{"database":{"Name":"db1"}}"#));
    let e = c.databases().get("db1").await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e}");
    // Truncated JSON.
    mock.push(Reply::json(200, r#"{"databases":[{"Name":"#));
    let e = c.databases().list().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e}");
}

#[tokio::test]
async fn unknown_enum_values_decode_to_other() {
    let mock = Mock::start().await;
    let c = client(&mock);
    // `superadmin` is unknown to the spec: the generated type refuses it, the
    // facade type keeps it.
    mock.push(Reply::json(
        200,
        r#"{"members":[{"username":"a","role":"superadmin","email":"a@x"},{"username":"b","role":"owner"}]}"#,
    ));
    let members = c.members().list().await.unwrap();
    assert_eq!(members[0].role, Some(Role::Other("superadmin".into())));
    assert_eq!(members[1].role, Some(Role::Owner));
    mock.push(Reply::json(
        200,
        r#"{"audit_logs":[{"code":"db-teleport","created_at":"2024-01-01T00:00:00Z","author":"a","data":{}}],"pagination":{"page":1,"page_size":10,"total_pages":1,"total_rows":1}}"#,
    ));
    let page = c
        .audit_logs()
        .page(1.try_into().unwrap(), 10.try_into().unwrap())
        .await
        .unwrap();
    assert_eq!(
        page.audit_logs[0].code,
        Some(turso_platform::AuditLogCode::Other("db-teleport".into()))
    );
    mock.push(Reply::json(
        200,
        r#"{"instances":[{"uuid":"u","name":"n","type":"witness","region":"r","hostname":"h"}]}"#,
    ));
    let inst = c.databases().instances("db1").list().await.unwrap();
    assert_eq!(
        inst[0].kind,
        Some(turso_platform::InstanceType::Other("witness".into()))
    );
}

#[tokio::test]
async fn empty_bodies_for_unit_operations() {
    let mock = Mock::start().await;
    let c = client(&mock);
    mock.push(Reply::json(200, ""));
    c.databases().invalidate_tokens("db1").await.unwrap();
    mock.push(Reply::json(200, ""));
    c.groups().invalidate_tokens("g").await.unwrap();
    mock.push(Reply::json(200, ""));
    c.groups().update_databases("g").await.unwrap();
    mock.push(Reply::json(200, ""));
    c.invites().delete("a@b.c").await.unwrap();
    let seen = mock.seen();
    assert_eq!(seen[3].target, "/v2/organizations/acme/invites/a@b.c");
}

#[tokio::test]
async fn token_request_on_the_wire() {
    let mock = Mock::start().await;
    let c = client(&mock);
    mock.push(Reply::json(200, r#"{"jwt":"eyJ.minted.token"}"#));
    let token = c
        .databases()
        .create_token(
            "db1",
            &TokenRequest::new()
                .read_only()
                .expires_in(Duration::from_secs(2 * 3600))
                .attach_databases(["other"]),
        )
        .await
        .unwrap();
    assert_eq!(token.expose(), "eyJ.minted.token");
    assert_eq!(format!("{token:?}"), "Token(****)");
    let seen = mock.seen();
    let r = &seen[0];
    assert_eq!(r.method, "POST");
    assert!(
        r.target
            .starts_with("/v1/organizations/acme/databases/db1/auth/tokens?")
    );
    assert!(r.target.contains("expiration=2h"), "{}", r.target);
    assert!(r.target.contains("authorization=read-only"), "{}", r.target);
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"permissions":{"read_attach":{"databases":["other"]}}})
    );
}

#[tokio::test]
async fn tokens_never_leak() {
    let mock = Mock::start().await;
    let builder = Client::builder()
        .token(TOKEN)
        .base_url(&mock.base_url)
        .organization("acme");
    assert!(!format!("{builder:?}").contains(TOKEN));
    let c = builder.build().unwrap();
    assert!(!format!("{c:?}").contains(TOKEN));
    assert!(format!("{c:?}").contains("Token(****)"));
    let t = turso_platform::Token::new(TOKEN);
    assert_eq!(t.to_string(), "Token(****)");
    assert_eq!(format!("{t:?}"), "Token(****)");
    mock.push(Reply::json(401, r#"{"error":"invalid token"}"#));
    let e = c.databases().get("db1").await.unwrap_err();
    for text in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
        assert!(!text.contains(TOKEN), "{text}");
    }
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        assert!(!s.to_string().contains(TOKEN));
        source = s.source();
    }
    // A transport error (connection refused) does not leak either.
    let dead = Client::builder()
        .token(TOKEN)
        .base_url("http://127.0.0.1:9")
        .organization("acme")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = dead.databases().list().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Transport);
    assert!(!format!("{e} {e:?}").contains(TOKEN));
    // Minted API tokens are redacted too.
    mock.push(Reply::json(
        200,
        r#"{"id":"t1","name":"ci","token":"minted-api-token-secret"}"#,
    ));
    let created = c
        .api_tokens()
        .create("ci", &turso_platform::CreateApiToken::unrestricted())
        .await
        .unwrap();
    assert!(!format!("{created:?}").contains("minted-api-token-secret"));
    assert_eq!(created.token.expose(), "minted-api-token-secret");
}

#[tokio::test]
async fn configuration_is_checked() {
    let e = Client::builder().build().unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
    let e = Client::builder()
        .token(TOKEN)
        .base_url("http://api.example.com")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
    assert!(!e.to_string().contains(TOKEN));
    Client::builder()
        .token(TOKEN)
        .base_url("http://api.example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    for ok in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:2",
        "https://api.turso.tech",
    ] {
        Client::builder().token(TOKEN).base_url(ok).build().unwrap();
    }
    let e = Client::builder()
        .token(TOKEN)
        .base_url("ftp://x")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
    let e = Client::builder()
        .token(TOKEN)
        .database_host_base_url("http://db.example.com")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Configuration);
}

#[tokio::test]
async fn no_organization_is_invalid_input() {
    let mock = Mock::start().await;
    let c = Client::builder()
        .token(TOKEN)
        .base_url(&mock.base_url)
        .build()
        .unwrap();
    let e = c.databases().list().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    assert!(e.message().unwrap().contains("organization"));
    assert!(mock.seen().is_empty());
    mock.push(Reply::json(200, r#"{"databases":[]}"#));
    c.databases().in_org("other").list().await.unwrap();
    assert_eq!(mock.seen()[0].target, "/v1/organizations/other/databases");
}

#[tokio::test]
async fn generated_escape_hatch_shares_the_transport() {
    let mock = Mock::start().await;
    mock.push(Reply::json(
        200,
        r#"{"locations":{"aws-us-east-1":"Virginia"}}"#,
    ));
    let c = client(&mock);
    let raw = c.generated().list_locations().send().await.unwrap();
    assert_eq!(raw.locations.len(), 1);
    let seen = mock.seen();
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(seen[0].header("api-version"), None);
}

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_each_attempt_without_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = Mock::start().await;
    mock.push(Reply::json(503, r#"{"error":"down"}"#));
    mock.push(Reply::json(200, DB));
    let c = client(&mock);
    c.databases().get("db1").await.unwrap();

    let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        out.contains("sdk.call") && out.contains("sdk.request"),
        "{out}"
    );
    assert!(out.contains("operation=\"getDatabase\""), "{out}");
    assert!(
        out.contains("path=\"/v1/organizations/acme/databases/db1\""),
        "{out}"
    );
    assert!(out.contains("method=GET"), "{out}");
    assert!(
        out.contains("attempt=1") && out.contains("attempt=2"),
        "{out}"
    );
    assert!(
        out.contains("status=503") && out.contains("status=200"),
        "{out}"
    );
    assert!(out.contains("duration_ms="), "{out}");
    assert!(!out.contains(TOKEN), "the token leaked into traces: {out}");
}
