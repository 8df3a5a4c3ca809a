//! The shared `ErrorResponse` patch works end to end: an error body from a
//! server comes back as the typed error carrying its message, never as a
//! success value with empty fields (what the unpatched spec produced).

use axum::{Json, Router, http::StatusCode, routing::get};
use progenitor_client::Error;
use turso_platform_contract_tests::fake_server::serve;
use turso_platform_generated::{Client, types};

/// The transport every generated client sends through (no real token needed here).
fn transport() -> sdk_runtime::Transport {
    sdk_runtime::Transport::new(&"test-token".into(), "test", None, 1 << 20).unwrap()
}

#[tokio::test]
async fn a_404_body_is_the_typed_error_with_its_message() {
    let router = Router::new().route(
        "/v1/organizations/{org}/databases/{db}",
        get(|| async {
            (
                StatusCode::NOT_FOUND,
                Json(serde_json::json!({"error": "could not find database with name nope: record not found"})),
            )
        }),
    );
    let client = Client::new(&serve(router).await, transport());
    let result = client
        .get_database()
        .organization_slug("acme")
        .database_name("nope")
        .send()
        .await;
    match result {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status(), 404);
            assert_eq!(
                response.error,
                "could not find database with name nope: record not found"
            );
            assert_eq!(response.code, None);
        }
        other => panic!("expected the typed ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn a_409_body_is_the_typed_error_with_its_message_and_code() {
    let router = Router::new().route(
        "/v1/organizations/{org}/databases",
        axum::routing::post(|| async {
            (
                StatusCode::CONFLICT,
                Json(serde_json::json!({"error": "database with name db1 already exists", "code": "conflict"})),
            )
        }),
    );
    let client = Client::new(&serve(router).await, transport());
    let body = types::CreateDatabaseInput::builder()
        .name("db1")
        .group("default");
    let result = client
        .create_database()
        .organization_slug("acme")
        .body(body)
        .send()
        .await;
    match result {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status(), 409);
            assert_eq!(response.error, "database with name db1 already exists");
            assert_eq!(response.code.as_deref(), Some("conflict"));
        }
        other => panic!("expected the typed ErrorResponse, got {other:?}"),
    }
}
