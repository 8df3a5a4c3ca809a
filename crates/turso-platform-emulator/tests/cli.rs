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
            "--data-plane-delay",
            "300ms",
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
    for _ in 0..4 {
        let line = lines.next().expect("a line").expect("utf-8");
        let (k, v) = line.split_once('=').expect("KEY=value");
        vars.insert(k.to_string(), v.to_string());
    }
    let base = vars["TURSO_API_BASEURL"].clone();
    let token = vars["TURSO_API_TOKEN"].clone();
    assert_eq!(vars["TURSO_ORG"], "acme");
    assert_eq!(
        vars["TURSO_DATABASE_URL_PATTERN"],
        format!("{}/db/acme/{{database}}/", vars["TURSO_API_BASEURL"])
    );
    let client = reqwest::Client::new();
    let status = |path: &'static str| {
        let req = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move { req.send().await.expect("sent").status().as_u16() }
    };
    assert_eq!(status("/v1/locations").await, 503, "--fault applies");
    assert_eq!(status("/v1/locations").await, 200);
    assert_eq!(status("/v1/organizations/acme").await, 200);
    // --data-plane-delay: a new database serves SQL only after it.
    let post = |path: &str, body: serde_json::Value| {
        let req = client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body);
        async move { req.send().await.expect("sent").status().as_u16() }
    };
    let group = serde_json::json!({"name": "g", "location": "aws-us-east-1"});
    assert_eq!(post("/v1/organizations/acme/groups", group).await, 200);
    let db = serde_json::json!({"name": "late", "group": "g"});
    assert_eq!(post("/v1/organizations/acme/databases", db).await, 200);
    let health = format!(
        "{}health",
        vars["TURSO_DATABASE_URL_PATTERN"].replace("{database}", "late")
    );
    let probe = || async {
        client
            .get(&health)
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16()
    };
    assert_eq!(probe().await, 404, "not served yet");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(probe().await, 200, "served after the delay");
    child.kill().expect("killed");
    let _ = child.wait();
    assert!(data.path().join("state.sqlite3").exists());
}

/// SIGTERM (what `docker stop`, systemd and CI runners send) and SIGHUP stop
/// the binary as Ctrl-C does: it exits 0 and its temporary directory
/// (`emulator-*`, without `--data-dir`) is gone.
#[tokio::test]
async fn sigterm_and_sighup_remove_the_temporary_directory() {
    for signal in ["TERM", "HUP"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_turso-platform-emulator"))
            .args(["--port", "0"])
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        let stdout = child.stdout.take().expect("stdout");
        // Serving once the first line is out.
        let _ = BufReader::new(stdout).lines().next();
        let entries = || {
            std::fs::read_dir(tmp.path())
                .expect("reads")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        assert!(
            entries().iter().any(|n| n.starts_with("emulator-")),
            "{:?}",
            entries()
        );
        let sent = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -s {signal} {}", child.id()))
            .status()
            .expect("runs kill");
        assert!(sent.success());
        let mut status = None;
        for _ in 0..250 {
            status = child.try_wait().expect("waits");
            if status.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let Some(status) = status else {
            let _ = child.kill();
            panic!("still running 5 s after SIG{signal}");
        };
        assert_eq!(status.code(), Some(0), "after SIG{signal}");
        assert_eq!(entries(), Vec::<String>::new(), "after SIG{signal}");
    }
}
