//! Durability: the standalone emulator is killed with SIGKILL while writers
//! are in flight, then restarted on the same directory. Every create it
//! acknowledged and every row a committed statement wrote is still there,
//! and nothing half-written is visible.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Start the binary on `dir`; the child and its printed variables.
fn start(dir: &std::path::Path) -> (Child, HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_turso-platform-emulator"))
        .args(["--port", "0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let mut vars = HashMap::new();
    for line in BufReader::new(stdout).lines().take(4) {
        let line = line.expect("utf-8");
        let (k, v) = line.split_once('=').expect("KEY=value");
        vars.insert(k.to_string(), v.to_string());
    }
    (child, vars)
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Option<(u16, Value)> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(10));
        if let Some(b) = body {
            req = req.json(&b);
        }
        // A request cut by the kill has no answer: it was not acknowledged.
        let resp = req.send().await.ok()?;
        let status = resp.status().as_u16();
        let body = resp.json().await.ok()?;
        Some((status, body))
    }
}

const CREATORS: usize = 4;
const ROW_WRITERS: usize = 2;
/// Stop well before this many acknowledged creates (bounded work).
const MAX_CREATES: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, vars) = start(dir.path());
    let api = Arc::new(Client {
        http: reqwest::Client::new(),
        base: vars["TURSO_API_BASEURL"].clone(),
        token: vars["TURSO_API_TOKEN"].clone(),
    });
    let post = |path: &str, body: Value| {
        let api = api.clone();
        let path = path.to_string();
        async move {
            api.send(reqwest::Method::POST, &path, Some(body))
                .await
                .expect("answered")
        }
    };
    let (s, _) = post(
        "/v1/organizations/acme/groups",
        json!({"name": "g", "location": "aws-us-east-1"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = post(
        "/v1/organizations/acme/databases",
        json!({"name": "rows", "group": "g"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, t) = post(
        "/v1/organizations/acme/databases/rows/auth/tokens",
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    let db_token = t["jwt"].as_str().expect("jwt").to_string();
    let pipeline = format!(
        "{}v3/pipeline",
        vars["TURSO_DATABASE_URL_PATTERN"].replace("{database}", "rows")
    );
    let sql = |stmt: &str| json!({"baton": null, "requests": [{"type": "execute", "stmt": {"sql": stmt}}, {"type": "close"}]});
    let http = reqwest::Client::new();
    let setup = http
        .post(&pipeline)
        .bearer_auth(&db_token)
        .json(&sql(
            "CREATE TABLE t (id TEXT PRIMARY KEY, filler TEXT NOT NULL)",
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(setup.status(), 200);

    let created: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let rows: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..CREATORS {
        let (api, created) = (api.clone(), created.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let name = format!("w{w}-{i}");
                let body = json!({"name": name, "group": "g"});
                match api
                    .send(
                        reqwest::Method::POST,
                        "/v1/organizations/acme/databases",
                        Some(body),
                    )
                    .await
                {
                    Some((200, _)) => {
                        created.lock().expect("lock").insert(name);
                    }
                    Some((status, b)) => panic!("create {name}: {status} {b}"),
                    None => return,
                }
            }
        }));
    }
    for w in 0..ROW_WRITERS {
        let (http, rows, pipeline, token) = (
            http.clone(),
            rows.clone(),
            pipeline.clone(),
            db_token.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let id = format!("r{w}-{i}");
                let body = sql(&format!(
                    "INSERT INTO t VALUES ('{id}', hex(randomblob(512)))"
                ));
                let Ok(resp) = http
                    .post(&pipeline)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                else {
                    return;
                };
                let Ok(answer) = resp.json::<Value>().await else {
                    return;
                };
                assert_eq!(answer["results"][0]["type"], "ok", "{answer}");
                rows.lock().expect("lock").insert(id);
            }
        }));
    }
    // Let writes pile up, then kill mid-flight.
    let started = Instant::now();
    while created.lock().expect("lock").len() < MAX_CREATES / 4
        && started.elapsed() < Duration::from_secs(5)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    for w in writers {
        w.await.expect("writer ends when its request is cut");
    }
    let created = created.lock().expect("lock").clone();
    let rows = rows.lock().expect("lock").clone();
    assert!(
        !created.is_empty() && !rows.is_empty(),
        "writes were in flight"
    );
    eprintln!(
        "{} creates and {} rows acknowledged before SIGKILL",
        created.len(),
        rows.len()
    );

    let (mut child, vars) = start(dir.path());
    let api = Client {
        http: reqwest::Client::new(),
        base: vars["TURSO_API_BASEURL"].clone(),
        token: vars["TURSO_API_TOKEN"].clone(),
    };
    let (s, list) = api
        .send(
            reqwest::Method::GET,
            "/v1/organizations/acme/databases",
            None,
        )
        .await
        .expect("answered");
    assert_eq!(s, 200);
    let listed: BTreeSet<String> = list["databases"]
        .as_array()
        .expect("databases")
        .iter()
        .map(|d| d["Name"].as_str().expect("name").to_string())
        .collect();
    let lost: Vec<_> = created.difference(&listed).collect();
    assert!(lost.is_empty(), "acknowledged creates lost: {lost:?}");
    // Nothing half-written: every database (acknowledged or not) is whole
    // and serves its data plane.
    let health = |db: &str| {
        format!(
            "{}health",
            vars["TURSO_DATABASE_URL_PATTERN"].replace("{database}", db)
        )
    };
    for name in &listed {
        let (s, _) = api
            .send(
                reqwest::Method::GET,
                &format!("/v1/organizations/acme/databases/{name}"),
                None,
            )
            .await
            .expect("answered");
        assert_eq!(s, 200, "{name}");
        let status = api
            .http
            .get(health(name))
            .send()
            .await
            .expect("probe")
            .status();
        assert_eq!(status, 200, "{name} serves");
    }
    let pipeline = format!(
        "{}v3/pipeline",
        vars["TURSO_DATABASE_URL_PATTERN"].replace("{database}", "rows")
    );
    let answer: Value = api
        .http
        .post(&pipeline)
        .bearer_auth(&db_token)
        .json(&sql("SELECT id FROM t WHERE length(filler) = 1024"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let stored: BTreeSet<String> = answer["results"][0]["response"]["result"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r[0]["value"].as_str().expect("id").to_string())
        .collect();
    let lost: Vec<_> = rows.difference(&stored).collect();
    assert!(lost.is_empty(), "committed rows lost: {lost:?}");
    child.kill().expect("stops");
    let _ = child.wait();
}
