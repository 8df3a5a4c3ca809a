//! The emulator part of the performance report (`cargo bench -p
//! turso-platform-benches --bench report_emulator`), section 5:
//!
//! - 5a. the data plane: point reads and small writes through Hrana over
//!   HTTP (a held stream, one statement per request) against the same
//!   statements on the same file through rusqlite directly, and the point
//!   read against what it cannot go below: a bare loopback HTTP exchange of
//!   the same sizes (a server that answers a fixed body) plus the rusqlite
//!   read (goal: within 2x);
//! - 5b. creates per second in memory and with a data directory (durable
//!   commits) at 100 and at 10,000 databases: a create's cost must not grow
//!   with the state (goal: ratio at least 0.9);
//! - 5c. `Emulator::start()`, which users run once per test.
//!
//! Every ratio is measured within one run; the report gives the median of
//! `BENCH_REPEAT` runs (default 5). It never asserts on timings.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use turso_platform_benches::{median_of, micros, part, repeats};
use turso_platform_emulator::Emulator;

const ORG: &str = "acme";
/// Statements per data-plane run.
const OPS: usize = 1000;
/// Rows in the read table.
const ROWS: i64 = 10_000;
/// Creates measured at each size.
const CREATES: usize = 100;
/// Workers filling the emulator up to a size.
const FILLERS: usize = 16;

struct Platform {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Platform {
    async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}/v1/organizations/{ORG}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status(), 200, "{path}");
        resp.json().await.expect("json")
    }
}

fn platform(emu: &Emulator) -> Platform {
    Platform {
        http: reqwest::Client::new(),
        base: emu.base_url().to_string(),
        token: emu.token().to_string(),
    }
}

/// A held Hrana stream on one database.
struct Stream {
    http: reqwest::Client,
    url: String,
    token: String,
    baton: Option<String>,
}

impl Stream {
    async fn execute(&mut self, sql: &str, args: &[Value]) -> Value {
        let body = json!({
            "baton": self.baton,
            "requests": [{"type": "execute", "stmt": {"sql": sql, "args": args}}],
        });
        let answer: Value = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        assert_eq!(answer["results"][0]["type"], "ok", "{answer}");
        self.baton = answer["baton"].as_str().map(str::to_string);
        answer
    }
}

/// A loopback HTTP server that answers every request with `answer` after
/// reading its body: the exchange a data-plane statement cannot go below.
async fn bare_server(answer: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("address");
    let answer = bytes::Bytes::from(answer);
    let app = axum::Router::new().fallback(move |body: bytes::Bytes| {
        let answer = answer.clone();
        async move {
            std::hint::black_box(body);
            ([("content-type", "application/json")], answer)
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/v3/pipeline")
}

fn int(i: i64) -> Value {
    json!({"type": "integer", "value": i.to_string()})
}

/// 5a: per-statement time through the data plane and through rusqlite.
async fn data_plane() {
    println!(
        "\n5a. Data plane against rusqlite on the same file ({OPS} statements per run, median of runs)"
    );
    let emu = Emulator::start().await.expect("emulator starts");
    let api = platform(&emu);
    api.post("/groups", json!({"name": "g", "location": "aws-us-east-1"}))
        .await;
    api.post("/databases", json!({"name": "bench", "group": "g"}))
        .await;
    let token = api.post("/databases/bench/auth/tokens", json!({})).await["jwt"]
        .as_str()
        .expect("jwt")
        .to_string();
    let mut stream = Stream {
        http: reqwest::Client::new(),
        url: format!("{}v3/pipeline", emu.database_url(ORG, "bench")),
        token,
        baton: None,
    };
    stream
        .execute(
            "CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)",
            &[],
        )
        .await;
    let file = emu.database_file(ORG, "bench").expect("file");
    let direct = rusqlite::Connection::open(&file).expect("opens the same file");
    // The data plane's settings: WAL, synchronous=NORMAL.
    direct
        .execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        .expect("pragmas");
    direct
        .execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?1)
             INSERT INTO kv SELECT x, hex(randomblob(16)) FROM c",
            [ROWS],
        )
        .expect("fill");
    // The bare exchange sends the point read's request and gets its answer,
    // byte for byte, from a server that does nothing else; its client reads
    // the answer as the data plane's client does (parsed, for the baton), so
    // the ratio compares what the servers do.
    let read_request = json!({
        "baton": "b",
        "requests": [{"type": "execute", "stmt": {"sql": "SELECT v FROM kv WHERE k = ?", "args": [int(1)]}}],
    });
    let read_answer = stream
        .execute("SELECT v FROM kv WHERE k = ?", &[int(1)])
        .await;
    let bare_url = bare_server(serde_json::to_vec(&read_answer).expect("json")).await;
    let bare_http = reqwest::Client::new();
    let (mut reads, mut writes, mut floors) = (Vec::new(), Vec::new(), Vec::new());
    let mut bare_read = Vec::new();
    let (mut hrana_read, mut hrana_write, mut sqlite_read, mut sqlite_write) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..repeats() {
        let key = |i: usize| ((i * 7919 + run) as i64 % ROWS) + 1;
        let t = Instant::now();
        for i in 0..OPS {
            stream
                .execute("SELECT v FROM kv WHERE k = ?", &[int(key(i))])
                .await;
        }
        let hr = t.elapsed() / OPS as u32;
        let t = Instant::now();
        for i in 0..OPS {
            stream
                .execute(
                    "INSERT INTO kv (v) VALUES (?)",
                    &[json!({"type": "text", "value": format!("w{i}")})],
                )
                .await;
        }
        let hw = t.elapsed() / OPS as u32;
        let t = Instant::now();
        for i in 0..OPS {
            let mut stmt = direct
                .prepare_cached("SELECT v FROM kv WHERE k = ?")
                .expect("prepare");
            let v: String = stmt.query_row([key(i)], |r| r.get(0)).expect("row");
            std::hint::black_box(v);
        }
        let sr = t.elapsed() / OPS as u32;
        let t = Instant::now();
        for i in 0..OPS {
            direct
                .prepare_cached("INSERT INTO kv (v) VALUES (?)")
                .expect("prepare")
                .execute([format!("d{i}")])
                .expect("insert");
        }
        let sw = t.elapsed() / OPS as u32;
        let t = Instant::now();
        for _ in 0..OPS {
            let answer = bare_http
                .post(&bare_url)
                .bearer_auth(&stream.token)
                .json(&read_request)
                .send()
                .await
                .expect("sent")
                .json::<Value>()
                .await
                .expect("json");
            std::hint::black_box(answer);
        }
        let br = t.elapsed() / OPS as u32;
        floors.push(hr.as_secs_f64() / (br + sr).as_secs_f64());
        bare_read.push(micros(br));
        reads.push(hr.as_secs_f64() / sr.as_secs_f64());
        writes.push(hw.as_secs_f64() / sw.as_secs_f64());
        hrana_read.push(micros(hr));
        hrana_write.push(micros(hw));
        sqlite_read.push(micros(sr));
        sqlite_write.push(micros(sw));
    }
    println!(
        "   bare loopback exchange of a point read's sizes: {:.1} µs; point read / (exchange + rusqlite read): {:.2}x (goal <= 2)",
        median_of(bare_read),
        median_of(floors)
    );
    println!("   statement      data plane (µs)   rusqlite (µs)   ratio");
    println!(
        "   point read     {:>15.1}   {:>13.1}   {:>5.1}x",
        median_of(hrana_read),
        median_of(sqlite_read),
        median_of(reads)
    );
    println!(
        "   small write    {:>15.1}   {:>13.1}   {:>5.1}x",
        median_of(hrana_write),
        median_of(sqlite_write),
        median_of(writes)
    );
}

/// Create `count` databases named `{prefix}-{i}` with `workers` at a time;
/// the time it took.
async fn create(api: &Platform, prefix: &str, count: usize, workers: usize) -> Duration {
    let start = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let next = next.clone();
        let (http, base, token) = (api.http.clone(), api.base.clone(), api.token.clone());
        let prefix = prefix.to_string();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    return;
                }
                let resp = http
                    .post(format!("{base}/v1/organizations/{ORG}/databases"))
                    .bearer_auth(&token)
                    .json(&json!({"name": format!("{prefix}-{i}"), "group": "g"}))
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(resp.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    start.elapsed()
}

/// 5b: sequential creates per second at 100 and at 10,000 databases, in
/// memory and with a data directory: the ratio says whether a create's cost
/// grows with the state (goal: at least 0.9).
async fn creates(durable: bool) {
    let kind = if durable {
        "with a data directory"
    } else {
        "in memory"
    };
    println!("\n5b. Creates per second {kind} (sequential, {CREATES} creates per run)");
    let dir = std::env::temp_dir().join(format!("turso-emulator-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let builder = Emulator::builder();
    let builder = if durable {
        builder.data_dir(&dir)
    } else {
        builder
    };
    let emu = builder.start().await.expect("emulator starts");
    let api = platform(&emu);
    api.post("/groups", json!({"name": "g", "location": "aws-us-east-1"}))
        .await;
    let mut rates = Vec::new();
    let mut existing = 0;
    for (size, label) in [(100, "at 100 databases"), (10_000, "at 10,000 databases")] {
        let fill = create(&api, &format!("fill{size}"), size - existing, FILLERS).await;
        existing = size;
        let mut per_run = Vec::new();
        for run in 0..repeats() {
            let took = create(&api, &format!("m{size}-{run}"), CREATES, 1).await;
            per_run.push(CREATES as f64 / took.as_secs_f64());
            existing += CREATES;
        }
        let rate = median_of(per_run);
        println!(
            "   {label:<22} {rate:>8.0} creates/s   (filled in {:.1} s)",
            fill.as_secs_f64()
        );
        rates.push(rate);
    }
    println!(
        "   ratio 10,000 / 100: {:.2} (1.0 = a create's cost does not grow with the state; goal >= 0.9)",
        rates[1] / rates[0]
    );
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

/// 5c: `Emulator::start()`.
async fn start_time() {
    println!("\n5c. Emulator::start() (in memory; 20 starts per run)");
    let mut medians = Vec::new();
    for _ in 0..repeats() {
        let mut times = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let emu = Emulator::start().await.expect("starts");
            times.push(micros(t.elapsed()));
            drop(emu);
        }
        medians.push(median_of(times));
    }
    println!("   median start: {:.0} µs", median_of(medians));
}

#[tokio::main]
async fn main() {
    // The first start compiles the spec's schemas once per process.
    let t = Instant::now();
    drop(Emulator::start().await.expect("starts"));
    println!(
        "5. Emulator (first start in this process, spec compiled: {:.0} ms)",
        t.elapsed().as_secs_f64() * 1e3
    );
    if part("5c") {
        start_time().await;
    }
    if part("5a") {
        data_plane().await;
    }
    if part("5b") {
        creates(false).await;
        creates(true).await;
    }
}
