//! The sequence of requests the overhead figures measure: a read, a list, a
//! create and a delete, sent through the facade or through a bare
//! `reqwest::Client`. Shared by the report (`report.rs`) and the callgrind
//! example (`examples/client_instructions.rs`), so both measure the same code.

use serde_json::{Value, json};
use turso_platform::{Client, CreateDatabase};

/// The database every sequence reads; it must exist in group [`GROUP`].
pub const FIXED_DATABASE: &str = "bench-fixed";
/// The group the sequences create their database in.
pub const GROUP: &str = "bench";

/// The sequence through the facade; `unique` names the database it creates
/// and deletes.
pub async fn through_facade(client: &Client, org: &str, unique: &str) {
    let dbs = client.organization(org).databases();
    dbs.get(FIXED_DATABASE).await.expect("read");
    client
        .organization(org)
        .groups()
        .list()
        .await
        .expect("list");
    dbs.create(&CreateDatabase::new(unique, GROUP))
        .await
        .expect("create");
    dbs.delete(unique).await.expect("delete");
}

/// The same requests through a bare `reqwest::Client`, each answer decoded
/// into a `serde_json::Value`.
///
/// The requests the facade sends, with the same headers (`Accept` and
/// the facade's `User-Agent`), so that the server does the same work for
/// both and the comparison measures the client alone.
pub async fn bare(http: &reqwest::Client, base: &str, token: &str, org: &str, unique: &str) {
    let send = |req: reqwest::RequestBuilder| async move {
        let resp = req
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::USER_AGENT,
                turso_platform::DEFAULT_USER_AGENT,
            )
            .send()
            .await
            .expect("bare request");
        assert!(
            resp.status().is_success(),
            "bare request failed: {}",
            resp.status()
        );
        resp.json::<Value>().await.expect("bare body")
    };
    let dbs = format!("{base}/v1/organizations/{org}/databases");
    send(http.get(format!("{dbs}/{FIXED_DATABASE}"))).await;
    send(http.get(format!("{base}/v1/organizations/{org}/groups"))).await;
    send(
        http.post(&dbs)
            .json(&json!({"name": unique, "group": GROUP})),
    )
    .await;
    send(http.delete(format!("{dbs}/{unique}"))).await;
}
