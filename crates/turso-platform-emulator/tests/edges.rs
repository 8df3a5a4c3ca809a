//! The rough edges of the HTTP layer, fixed in the emulator core and seen
//! through this emulator: JSON bodies on the HTTP layer's own errors, 401
//! before 413, fault plans that refuse success statuses, and the binary's
//! logging.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use turso_platform_emulator::{Emulator, EmulatorError, Fault, FaultPlan};

#[tokio::test]
async fn an_oversized_anonymous_body_is_refused_with_401_not_413() {
    let emu = Emulator::start().await.expect("starts");
    let url = format!("{}/v1/organizations/acme/databases", emu.base_url());
    let big = vec![b' '; 3 << 20];
    let client = reqwest::Client::new();
    let anonymous = client
        .post(&url)
        .body(big.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401);
    let authed = client
        .post(&url)
        .bearer_auth(emu.token())
        .body(big)
        .send()
        .await
        .expect("sent");
    assert_eq!(authed.status(), 413);
    let body: serde_json::Value = authed.json().await.expect("JSON");
    assert_eq!(
        body["error"],
        "request body too large (limit 2097152 bytes)"
    );
}

#[tokio::test]
async fn oversized_headers_get_a_json_error() {
    let emu = Emulator::start().await.expect("starts");
    let mut req = reqwest::Client::new().get(format!("{}/v1/locations", emu.base_url()));
    for i in 0..150 {
        req = req.header(format!("x-filler-{i}"), "v");
    }
    let resp = req.send().await.expect("sent");
    assert_eq!(resp.status(), 431);
    let body: serde_json::Value = resp.json().await.expect("JSON body");
    assert_eq!(body["error"], "request header fields too large");
}

#[tokio::test]
async fn fault_plans_with_success_statuses_are_refused() {
    let plan = FaultPlan::new().on("getDatabase", [Fault::status(302)]);
    match Emulator::builder().faults(plan).start().await {
        Err(EmulatorError::Config(m)) => assert!(m.contains("302 is not an error status"), "{m}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    let out = Command::new(env!("CARGO_BIN_EXE_turso-platform-emulator"))
        .args(["--port", "0", "--fault", "getDatabase=200"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("status 200 is not an error status"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_binary_logs_requests_at_debug() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_turso-platform-emulator"))
        .args(["--port", "0"])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let base = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("TURSO_API_BASEURL=").map(str::to_string))
        .expect("the base URL");
    let status = reqwest::get(format!("{base}/v1/locations"))
        .await
        .expect("sent")
        .status();
    assert_eq!(status, 401);
    child.kill().expect("killed");
    let _ = child.wait();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("reads");
    let line = stderr
        .lines()
        .find(|l| l.contains("DEBUG") && l.contains("/v1/locations"))
        .unwrap_or_else(|| panic!("no request line in {stderr}"));
    assert!(line.contains("status=401"), "{line}");
}
