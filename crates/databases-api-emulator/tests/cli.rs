//! The standalone binary prints a base URL and tokens that work, honours
//! `--fault` and `--provisioning-delay`, and logs requests at debug (its
//! common flags, including the refusal of success statuses in `--fault`, are
//! the core's `CommonArgs`, tested there).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use serde_json::json;

#[tokio::test]
async fn binary_prints_url_and_tokens_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_databases-api-emulator"))
        .args(["--port", "0", "--provisioning-delay", "200ms"])
        .args(["--fault", "listDatabases=503"])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let mut vars = std::collections::HashMap::new();
    for line in BufReader::new(stdout).lines().take(3) {
        let line = line.expect("utf-8");
        let (k, v) = line.split_once('=').expect("KEY=value");
        vars.insert(k.to_string(), v.to_string());
    }
    let base = format!("{}/api/v1/databases", vars["DATABASES_API_BASEURL"]);
    let token = &vars["DATABASES_API_TOKEN"];
    assert_ne!(token, &vars["DATABASES_API_READ_ONLY_TOKEN"]);
    let http = reqwest::Client::new();
    let list = || http.get(&base).bearer_auth(token).send();
    assert_eq!(list().await.expect("sent").status(), 503, "--fault applies");
    assert_eq!(list().await.expect("sent").status(), 200);
    let created: serde_json::Value = http
        .post(&base)
        .bearer_auth(token)
        .json(&json!({"name": "a", "db_type": "redis", "plan_id": "db-s-1vcpu-1gb", "region": "nyc1"}))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let url = format!("{base}/{}", created["id"].as_str().expect("an id"));
    let status = || async {
        let db: serde_json::Value = http
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("JSON");
        db["status"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(status().await, "provisioning");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(status().await, "running");
    child.kill().expect("killed");
    let _ = child.wait();
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    assert!(
        stderr.lines().any(|l| l.contains("DEBUG")
            && l.contains("/api/v1/databases")
            && l.contains("status=201")),
        "{stderr}"
    );
    assert!(
        !stderr.contains(token.as_str()),
        "the token is never logged"
    );
}
