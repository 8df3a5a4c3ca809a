//! The standalone binary exits promptly on SIGINT and SIGTERM even while a
//! runaway statement runs (before, its blocking thread kept the process
//! alive forever).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

/// Start the binary; its base URL and platform token.
fn spawn() -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_turso-platform-emulator"))
        .args(["--port", "0", "--statement-timeout", "600s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut vars = std::collections::HashMap::new();
    for _ in 0..4 {
        let line = lines.next().expect("a line").expect("utf-8");
        let (k, v) = line.split_once('=').expect("KEY=value");
        vars.insert(k.to_string(), v.to_string());
    }
    (
        child,
        vars["TURSO_API_BASEURL"].clone(),
        vars["TURSO_API_TOKEN"].clone(),
    )
}

/// Start a runaway CTE on a new database (its answer never comes).
async fn runaway(base: &str, token: &str) {
    let http = reqwest::Client::new();
    let post = |path: String, body: serde_json::Value, token: String| {
        let req = http
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body);
        async move {
            let resp = req.send().await.expect("sent");
            assert_eq!(resp.status(), 200);
            resp.json::<serde_json::Value>().await.expect("json")
        }
    };
    let org = "/v1/organizations/acme";
    post(
        format!("{org}/groups"),
        json!({"name": "g", "location": "aws-us-east-1"}),
        token.into(),
    )
    .await;
    post(
        format!("{org}/databases"),
        json!({"name": "a", "group": "g"}),
        token.into(),
    )
    .await;
    let jwt = post(
        format!("{org}/databases/a/auth/tokens"),
        json!({}),
        token.into(),
    )
    .await;
    let jwt = jwt["jwt"].as_str().expect("jwt").to_string();
    let req = http
        .post(format!("{base}/db/acme/a/v3/pipeline"))
        .bearer_auth(jwt)
        .json(&json!({"baton": null, "requests": [{"type": "execute", "stmt": {"sql":
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"}}]}));
    tokio::spawn(async move {
        let _ = req.send().await;
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
}

async fn exits_on(signal: &str) {
    let (mut child, base, token) = spawn();
    runaway(&base, &token).await;
    let sent = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if child.try_wait().expect("waits").is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("still running 5 s after SIG{signal}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exits_within_5_s_on_sigint_with_a_runaway_statement() {
    exits_on("INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exits_within_5_s_on_sigterm_with_a_runaway_statement() {
    exits_on("TERM").await;
}
