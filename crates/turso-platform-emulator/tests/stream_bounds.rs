//! Streams stay bounded under 10,000 opens and idle ones are swept on a
//! timer (alone in this test binary: it counts the process's descriptors).

mod common;

use std::time::Duration;

use common::{Api, database, group};
use serde_json::{Value, json};
use turso_platform_emulator::{DataPlaneLimits, Emulator};

#[derive(Clone)]
struct Db {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Db {
    async fn pipeline(&self, baton: Option<&str>, sqls: &[&str], close: bool) -> (u16, Value) {
        let mut requests: Vec<Value> = sqls
            .iter()
            .map(|s| json!({"type": "execute", "stmt": {"sql": s}}))
            .collect();
        if close {
            requests.push(json!({"type": "close"}));
        }
        let resp = self
            .http
            .post(format!("{}v3/pipeline", self.url))
            .bearer_auth(&self.token)
            .json(&json!({"baton": baton, "requests": requests}))
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

async fn start(limits: DataPlaneLimits, names: &[&str]) -> (Emulator, Api, Vec<Db>) {
    let emu = Emulator::builder()
        .data_plane_limits(limits)
        .start()
        .await
        .expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    let mut dbs = Vec::new();
    for name in names {
        database(&api, name, "g").await;
        let (s, t) = api
            .post_empty(&format!(
                "/v1/organizations/acme/databases/{name}/auth/tokens"
            ))
            .await;
        assert_eq!(s, 200, "{t}");
        dbs.push(Db {
            http: reqwest::Client::new(),
            url: emu.database_url("acme", name),
            token: t["jwt"].as_str().expect("jwt").to_string(),
        });
    }
    (emu, api, dbs)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_stream_opens_stay_bounded_and_idle_streams_are_swept() {
    let cap = 32;
    let limits = DataPlaneLimits {
        max_streams_per_database: cap,
        max_streams_per_token: cap,
        ..DataPlaneLimits::default()
    };
    let (_emu, _api, dbs) = start(limits, &["a"]).await;
    let a = dbs[0].clone();
    let before = open_fds();
    let (_, first) = a.pipeline(None, &["SELECT 1"], false).await;
    let first = first["baton"].as_str().expect("baton").to_string();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let a = a.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..625 {
                let (s, b) = a.pipeline(None, &["SELECT 1"], false).await;
                assert_eq!(s, 200, "{b}");
            }
        }));
    }
    for t in tasks {
        t.await.expect("joined");
    }
    let during = open_fds();
    // Each stream holds its database file, WAL and shared memory: a bounded
    // number, not 10,000 of each.
    assert!(
        during <= before + cap * 3 + 64,
        "{before} descriptors before, {during} after 10,000 opens"
    );
    let (s, b) = a.pipeline(Some(&first), &["SELECT 1"], false).await;
    assert_eq!((s, b["message"].is_string()), (400, true), "{b}");
    assert_eq!(b["code"], "STREAM_EXPIRED");
    // Without any request, idle streams close after their 10 s (swept every
    // second). Waited for rather than slept on: a loaded machine may run
    // the sweep late, but it must run.
    // (the HTTP connections of the 16 clients stay open, both ends)
    let bound = before + 2 * 16 + 8;
    let swept_by = std::time::Instant::now() + Duration::from_secs(40);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let mut after = open_fds();
    while after > bound && std::time::Instant::now() < swept_by {
        tokio::time::sleep(Duration::from_millis(500)).await;
        after = open_fds();
    }
    assert!(after <= bound, "{before} before, {after} after the sweep");
}
