//! Client-side work only, for counting instructions with callgrind: sends the
//! report's sequence (a read, a list, a create and a delete) `N` times through
//! the facade (`MODE=facade`) or a bare `reqwest::Client` (`MODE=bare`) to a
//! standalone emulator, so that the server's work is not counted.
//!
//! Instruction counts do not depend on how busy the machine is, so they give a
//! steady cross-check of the report's latency ratios (see the README's
//! performance section for the commands). Run it twice per mode, with `N=1`
//! and `N=201`, and divide the difference by 200 to cancel start-up costs.

use turso_platform::{Client, CreateDatabase, CreateGroup, RetryPolicy};

#[path = "../sequence.rs"]
mod sequence;

const ORG: &str = "acme";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name} (see the module docs)"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = env("TURSO_API_BASEURL");
    let token = env("TURSO_API_TOKEN");
    let mode = env("MODE");
    let n: usize = env("N").parse().expect("N is a number");
    // The report's settings: no retries, default request timeout.
    let client = Client::builder()
        .token(token.as_str())
        .base_url(&base)
        .organization(ORG)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let http = reqwest::Client::new();
    // The fixtures may exist from an earlier run; either way they exist after.
    let _ = client
        .groups()
        .create(&CreateGroup::new(sequence::GROUP, "aws-us-east-1"))
        .await;
    let _ = client
        .databases()
        .create(&CreateDatabase::new(
            sequence::FIXED_DATABASE,
            sequence::GROUP,
        ))
        .await;
    for i in 0..n {
        let unique = format!("{mode}-{}-{i}", std::process::id());
        match mode.as_str() {
            "facade" => sequence::through_facade(&client, ORG, &unique).await,
            "bare" => sequence::bare(&http, &base, &token, ORG, &unique).await,
            other => panic!("MODE must be facade or bare, not {other:?}"),
        }
    }
}
