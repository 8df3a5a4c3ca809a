//! The standalone binary prints a working base URL, token and organization.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_url_and_token_and_serves() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_turso-platform-emulator"))
        .args([
            "--port",
            "0",
            "--provisioning-delay",
            "0s",
            "--fault",
            "listLocations=503",
        ])
        .arg("--data-dir")
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut vars = std::collections::HashMap::new();
    for _ in 0..3 {
        let line = lines.next().expect("a line").expect("utf-8");
        let (k, v) = line.split_once('=').expect("KEY=value");
        vars.insert(k.to_string(), v.to_string());
    }
    let base = vars["TURSO_API_BASEURL"].clone();
    let token = vars["TURSO_API_TOKEN"].clone();
    assert_eq!(vars["TURSO_ORG"], "acme");
    let client = reqwest::Client::new();
    let status = |path: &'static str| {
        let req = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move { req.send().await.expect("sent").status().as_u16() }
    };
    assert_eq!(status("/v1/locations").await, 503, "--fault applies");
    assert_eq!(status("/v1/locations").await, 200);
    assert_eq!(status("/v1/organizations/acme").await, 200);
    child.kill().expect("killed");
    let _ = child.wait();
    assert!(data.path().join("state.sqlite3").exists());
}
