//! The data plane's bounds, at the wire (raw Hrana: the statements involved
//! run for long or answer much): a statement time limit, statements that
//! stop when their client goes away or their database is deleted, one
//! database's runaway statements and lock waits that leave other databases
//! and the Platform API as fast as when idle, answer and body size caps,
//! and the Hrana result fields the service sends (streams under 10,000
//! opens: `stream_bounds.rs`, a process of its own to count descriptors).

use crate::common;

use std::time::{Duration, Instant};

use common::{Api, database, group};
use serde_json::{Value, json};
use turso_platform_emulator::{DataPlaneLimits, Emulator};

/// A recursive CTE that never ends (and reads nothing).
const RUNAWAY: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
/// An INSERT that never ends: it holds the database's write lock.
const RUNAWAY_WRITE: &str = "INSERT INTO t SELECT x FROM (WITH RECURSIVE c(x) AS \
     (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)";

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

    /// One statement on a stream of its own: its result or error object.
    async fn one(&self, sql: &str) -> Value {
        let (s, b) = self.pipeline(None, &[sql], true).await;
        assert_eq!(s, 200, "{b}");
        b["results"][0].clone()
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

fn code(result: &Value) -> &str {
    result["error"]["code"].as_str().unwrap_or("(none)")
}

/// The median time of `n` runs of `f`.
async fn median<F: std::future::Future<Output = ()>>(
    n: usize,
    mut f: impl FnMut() -> F,
) -> Duration {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        times.push(t.elapsed());
    }
    times.sort();
    times[n / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn runaway_statements_and_lock_waits_stop_at_the_limit_and_never_slow_others() {
    let limit = Duration::from_secs(3);
    let limits = DataPlaneLimits {
        statement_timeout: limit,
        busy_timeout: Duration::from_millis(500),
        concurrency_per_database: 8,
        ..DataPlaneLimits::default()
    };
    let (emu, api, dbs) = start(limits, &["a", "b"]).await;
    let (a, b) = (dbs[0].clone(), dbs[1].clone());
    assert_eq!(a.one("CREATE TABLE t (x)").await["type"], "ok");
    let select_b = || {
        let b = b.clone();
        async move { assert_eq!(b.one("SELECT 1").await["type"], "ok") }
    };
    let locations = || {
        let api = api.clone();
        async move { assert_eq!(api.get("/v1/locations").await.0, 200) }
    };
    let idle_b = median(15, select_b).await;
    let idle_api = median(15, locations).await;

    // A: three runaway CTEs, a transaction holding the write lock, and 30
    // writers waiting for it.
    let (s, held) = a
        .pipeline(
            None,
            &["BEGIN IMMEDIATE", "INSERT INTO t VALUES (1)"],
            false,
        )
        .await;
    assert_eq!(s, 200, "{held}");
    let started = Instant::now();
    let mut runaways = Vec::new();
    for _ in 0..3 {
        let a = a.clone();
        runaways.push(tokio::spawn(async move {
            let r = a.one(RUNAWAY).await;
            (r, Instant::now())
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut waiters = Vec::new();
    for _ in 0..30 {
        let a = a.clone();
        waiters.push(tokio::spawn(async move {
            a.one("INSERT INTO t VALUES (2)").await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let busy_b = median(15, select_b).await;
    let busy_api = median(15, locations).await;

    for r in runaways {
        let (result, ended) = r.await.expect("joined");
        assert_eq!(code(&result), "SQLITE_INTERRUPT", "{result}");
        assert!(
            result["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("limit")),
            "{result}"
        );
        let took = ended.duration_since(started);
        assert!(
            took < limit + Duration::from_secs(3),
            "stopped at the limit: {took:?}"
        );
    }
    for w in waiters {
        let result = w.await.expect("joined");
        assert_eq!(code(&result), "SQLITE_BUSY", "{result}");
    }
    // Generous margins: B and the Platform API stay within a few times
    // their idle time (before the bounds they took 100 times longer, 3.4 s
    // for B's `SELECT 1`); the slack absorbs a loaded CI machine running
    // other tests of this binary meanwhile.
    let slack = Duration::from_millis(200);
    assert!(
        busy_b <= idle_b * 4 + slack,
        "B: idle {idle_b:?}, busy {busy_b:?}"
    );
    assert!(
        busy_api <= idle_api * 4 + slack,
        "Platform API: idle {idle_api:?}, busy {busy_api:?}"
    );
    drop(emu);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_stops_when_its_client_goes_away_or_its_database_is_deleted() {
    let limits = DataPlaneLimits {
        statement_timeout: Duration::from_secs(600),
        ..DataPlaneLimits::default()
    };
    let (_emu, api, dbs) = start(limits, &["a", "gone"]).await;
    let a = dbs[0].clone();
    assert_eq!(a.one("CREATE TABLE t (x)").await["type"], "ok");
    // The client gives up after 300 ms; its runaway write must stop, or it
    // keeps the write lock and the next write times out with SQLITE_BUSY.
    let impatient = Db {
        http: reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .expect("client"),
        ..a.clone()
    };
    let sent = impatient
        .http
        .post(format!("{}v3/pipeline", impatient.url))
        .bearer_auth(&impatient.token)
        .json(&json!({"baton": null, "requests": [
            {"type": "execute", "stmt": {"sql": RUNAWAY_WRITE}}
        ]}))
        .send()
        .await;
    assert!(sent.is_err(), "the client timed out");
    let after = a.one("INSERT INTO t VALUES (1)").await;
    assert_eq!(
        after["type"], "ok",
        "the abandoned statement stopped: {after}"
    );

    // Deleting a database stops its statements.
    let g = dbs[1].clone();
    let running = tokio::spawn(async move { g.one(RUNAWAY).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (s, b) = api.delete("/v1/organizations/acme/databases/gone").await;
    assert_eq!(s, 200, "{b}");
    let result = tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the statement stopped with its database")
        .expect("joined");
    assert_eq!(code(&result), "SQLITE_INTERRUPT", "{result}");
}

#[tokio::test]
async fn answers_and_bodies_are_capped_with_the_codes_clients_expect() {
    let limits = DataPlaneLimits {
        max_request_size: 1 << 20,
        ..DataPlaneLimits::default()
    };
    let (_emu, _api, dbs) = start(limits, &["a"]).await;
    let a = &dbs[0];
    assert_eq!(
        code(&a.one("SELECT randomblob(11000000)").await),
        "RESPONSE_TOO_LARGE"
    );
    assert_eq!(
        code(&a.one("SELECT zeroblob(1000000000)").await),
        "SQLITE_TOOBIG"
    );
    // 4 x 9 MB in one request is over the 32 MB total.
    let (s, b) = a
        .pipeline(None, &["SELECT zeroblob(9000000)"; 4], true)
        .await;
    assert_eq!(s, 200);
    let r = b["results"].as_array().expect("results");
    assert!(r[..3].iter().all(|r| r["type"] == "ok"));
    assert_eq!(code(&r[3]), "RESPONSE_TOO_LARGE", "{}", r[3]);
    // A body over the limit.
    let long = format!("SELECT '{}'", "x".repeat(2 << 20));
    let (s, _) = a.pipeline(None, &[&long], true).await;
    assert_eq!(s, 413);
}

/// The result object of a real answer's first statement.
fn real_result(note_has: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../spec/real-answers/turso.json"
    );
    let all: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("real answers")).expect("json");
    all.into_iter()
        .find(|e| {
            e["note"]
                .as_str()
                .is_some_and(|n| n.starts_with("[data plane]") && n.contains(note_has))
        })
        .map(|e| e["body"]["results"][0]["response"]["result"].clone())
        .expect("the real answer")
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn results_carry_the_fields_the_service_sends() {
    let (_emu, _api, dbs) = start(DataPlaneLimits::default(), &["a"]).await;
    let a = &dbs[0];
    // Captured from the hosted service (2025): every field.
    let hosted = real_result("Captured from");
    let result = |r: Value| r["response"]["result"].clone();
    let select = result(a.one("SELECT 1").await);
    let create = result(a.one("CREATE TABLE t (x INT)").await);
    let insert = result(a.one("INSERT INTO t VALUES (42)").await);
    for r in [&select, &create, &insert] {
        assert_eq!(keys(r), keys(&hosted), "{r}");
        assert!(r["query_duration_ms"].is_f64(), "{r}");
        assert!(r["rows_read"].is_u64() && r["rows_written"].is_u64(), "{r}");
        assert_eq!(r["replication_index"], hosted["replication_index"]);
    }
    // As on the service: no rowid but for an INSERT.
    assert_eq!(select["last_insert_rowid"], hosted["last_insert_rowid"]);
    assert!(select["last_insert_rowid"].is_null());
    assert!(create["last_insert_rowid"].is_null(), "{create}");
    assert_eq!(insert["last_insert_rowid"], "1", "{insert}");
    assert_eq!(insert["rows_written"], 1);
    assert_eq!(select["rows_read"], 1);
}
