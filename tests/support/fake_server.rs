//! A local stand-in for the API: serve any axum router on a random loopback
//! port, and a facade client pointed at it that never retries (so each call
//! is exactly one request the test controls).

use turso_platform::{Client, RetryPolicy};

/// Serves `router` on `127.0.0.1:0` on the current runtime; returns its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// A facade client for `base_url`, organization `acme`, retries off.
pub fn client_without_retries(base_url: String) -> Client {
    Client::builder()
        .token("test-token")
        .base_url(base_url)
        .organization("acme")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a loopback client builds")
}
