//! The performance report: `cargo bench -p turso-platform-benches`.
//!
//! Prints, for this machine and this run, each figure as a median over
//! repeated runs and, where there is a baseline, its ratio to that baseline
//! measured in the same run:
//! 1. client overhead: the facade against a bare `reqwest::Client` sending the
//!    same requests (a read, a list, a create and a delete) to the same
//!    in-process emulator, sequentially and at concurrency 32;
//! 2. emulator throughput for a read-heavy mix at concurrency 1, 8 and 32;
//! 3. listing 10,000 databases through the pagination stream: time and peak
//!    memory, against collecting the whole list in one request;
//! 4. regeneration: `generate` (render) and `check`, in-process.
//!
//! It never asserts on timings. `BENCH_REPEAT` (default 5) sets the repeats;
//! `BENCH_SECTIONS` (e.g. `1,3`) runs only some sections.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures::TryStreamExt;
use peak_alloc::PeakAlloc;
use serde_json::{Value, json};
use turso_platform::{Client, CreateDatabase, CreateGroup, DatabaseListOptions, RetryPolicy};
use turso_platform_benches::{Samples, median_of, micros};
use turso_platform_emulator::Emulator;

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

const ORG: &str = "acme";
const SEQUENCES_SEQUENTIAL: usize = 100;
const CONCURRENCY: usize = 32;
const SEQUENCES_PER_WORKER: usize = 10;
const LISTED: usize = 10_000;

/// Whether section `n` was asked for (all by default).
fn section(n: u32) -> bool {
    std::env::var("BENCH_SECTIONS")
        .map(|v| v.split(',').any(|s| s.trim() == n.to_string()))
        .unwrap_or(true)
}

fn repeats() -> usize {
    std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1)
}

/// The same four requests, sent either through the facade or bare.
#[derive(Clone)]
enum Sender {
    Facade(Client),
    Bare {
        http: reqwest::Client,
        base: String,
        token: String,
    },
}

impl Sender {
    async fn sequence(&self, unique: &str) {
        match self {
            Sender::Facade(client) => {
                let dbs = client.organization(ORG).databases();
                dbs.get("bench-fixed").await.expect("read");
                client
                    .organization(ORG)
                    .groups()
                    .list()
                    .await
                    .expect("list");
                dbs.create(&CreateDatabase::new(unique, "bench"))
                    .await
                    .expect("create");
                dbs.delete(unique).await.expect("delete");
            }
            Sender::Bare { http, base, token } => {
                let send = |req: reqwest::RequestBuilder| async move {
                    let resp = req.bearer_auth(token).send().await.expect("bare request");
                    assert!(
                        resp.status().is_success(),
                        "bare request failed: {}",
                        resp.status()
                    );
                    resp.json::<Value>().await.expect("bare body")
                };
                let dbs = format!("{base}/v1/organizations/{ORG}/databases");
                send(http.get(format!("{dbs}/bench-fixed"))).await;
                send(http.get(format!("{base}/v1/organizations/{ORG}/groups"))).await;
                send(
                    http.post(&dbs)
                        .json(&json!({"name": unique, "group": "bench"})),
                )
                .await;
                send(http.delete(format!("{dbs}/{unique}"))).await;
            }
        }
    }
}

static NEXT_NAME: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    format!("seq-{}", NEXT_NAME.fetch_add(1, Ordering::Relaxed))
}

async fn sequential(sender: &Sender) -> Samples {
    let mut samples = Samples::new();
    for _ in 0..SEQUENCES_SEQUENTIAL {
        let name = unique_name();
        let started = Instant::now();
        sender.sequence(&name).await;
        samples.push(started.elapsed());
    }
    samples
}

async fn concurrent(sender: &Sender) -> Samples {
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let sender = sender.clone();
            tokio::spawn(async move {
                let mut samples = Samples::new();
                for _ in 0..SEQUENCES_PER_WORKER {
                    let name = unique_name();
                    let started = Instant::now();
                    sender.sequence(&name).await;
                    samples.push(started.elapsed());
                }
                samples
            })
        })
        .collect();
    let mut all = Samples::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    all
}

/// Runs `measure` for facade and bare alternately `repeats` times and prints
/// median/p99 (medians over the repeats) with the facade/bare ratio.
async fn overhead<F, Fut>(label: &str, facade: &Sender, bare: &Sender, measure: F)
where
    F: Fn(Sender) -> Fut,
    Fut: std::future::Future<Output = Samples>,
{
    let (mut f50, mut f99, mut b50, mut b99) = (vec![], vec![], vec![], vec![]);
    for rep in 0..repeats() {
        // Alternate the order so neither side always runs on a warmer server.
        let order = if rep % 2 == 0 {
            [bare, facade]
        } else {
            [facade, bare]
        };
        for sender in order {
            let s = measure(sender.clone()).await;
            let (p50, p99) = (micros(s.median()), micros(s.p99()));
            if matches!(sender, Sender::Facade(_)) {
                f50.push(p50);
                f99.push(p99);
            } else {
                b50.push(p50);
                b99.push(p99);
            }
        }
    }
    let (f50, f99, b50, b99) = (
        median_of(f50),
        median_of(f99),
        median_of(b50),
        median_of(b99),
    );
    println!(
        "  {label:<22} median {:>9.0} µs vs {:>9.0} µs  ratio {:.3}   p99 {:>9.0} µs vs {:>9.0} µs  ratio {:.3}",
        f50,
        b50,
        f50 / b50,
        f99,
        b99,
        f99 / b99
    );
}

/// The emulator's read-heavy mix: 80% getDatabase/listDatabases, 20%
/// getGroup/listLocations.
fn mix_path(base: &str, i: usize) -> String {
    match i % 10 {
        0..=4 => format!("{base}/v1/organizations/{ORG}/databases/mix-{}", i % 20),
        5..=7 => format!("{base}/v1/organizations/{ORG}/databases?group=mix"),
        8 => format!("{base}/v1/organizations/{ORG}/groups/mix"),
        _ => format!("{base}/v1/locations"),
    }
}

async fn throughput(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    concurrency: usize,
    requests: usize,
) -> (f64, Samples) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, base, token, next) = (
                http.clone(),
                base.to_string(),
                token.to_string(),
                next.clone(),
            );
            tokio::spawn(async move {
                let mut samples = Samples::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests {
                        return samples;
                    }
                    let t = Instant::now();
                    let resp = http
                        .get(mix_path(&base, i))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("request");
                    assert!(resp.status().is_success(), "{}", resp.status());
                    resp.bytes().await.expect("body");
                    samples.push(t.elapsed());
                }
            })
        })
        .collect();
    let mut all = Samples::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    (requests as f64 / started.elapsed().as_secs_f64(), all)
}

/// Streams (or lists) every database; returns (seconds, peak bytes above the
/// allocation level before it started, databases seen).
async fn list_all(client: &Client, page_size: Option<u64>) -> (f64, usize, usize) {
    let dbs = client.organization(ORG).databases();
    let options = DatabaseListOptions::new().group("listing");
    let before = PEAK.current_usage();
    PEAK.reset_peak_usage();
    let started = Instant::now();
    let count = match page_size {
        Some(size) => {
            let mut stream = std::pin::pin!(dbs.stream(options.page_size(size)));
            let mut n = 0;
            while stream.try_next().await.expect("page").is_some() {
                n += 1;
            }
            n
        }
        None => dbs.list_with(&options).await.expect("list").len(),
    };
    let secs = started.elapsed().as_secs_f64();
    (secs, PEAK.peak_usage().saturating_sub(before), count)
}

/// 1. The same sequence through the facade and through bare reqwest.
async fn client_overhead(emu: &Emulator, client: &Client) {
    let facade = Sender::Facade(client.clone());
    let bare = Sender::Bare {
        http: reqwest::Client::new(),
        base: emu.base_url().to_string(),
        token: emu.token().to_string(),
    };
    // Warm both paths (connection pools, lazy statics) before measuring.
    sequential(&facade).await;
    sequential(&bare).await;
    println!(
        "\n1. Client overhead: facade vs bare reqwest, per sequence (read + list + create + delete)"
    );
    overhead("sequential", &facade, &bare, |s| async move {
        sequential(&s).await
    })
    .await;
    overhead(
        &format!("concurrency {CONCURRENCY}"),
        &facade,
        &bare,
        |s| async move { concurrent(&s).await },
    )
    .await;
}

/// 2. The emulator's own throughput.
async fn emulator_throughput(emu: &Emulator) {
    println!("\n2. Emulator throughput, read-heavy mix on loopback (2000 requests per run)");
    let http = reqwest::Client::new();
    for concurrency in [1, 8, 32] {
        let (mut rps, mut p50, mut p99) = (vec![], vec![], vec![]);
        for _ in 0..repeats() {
            let (r, s) = throughput(&http, emu.base_url(), emu.token(), concurrency, 2000).await;
            rps.push(r);
            p50.push(micros(s.median()));
            p99.push(micros(s.p99()));
        }
        println!(
            "  concurrency {concurrency:>2}: {:>8.0} req/s   p50 {:>7.0} µs   p99 {:>7.0} µs",
            median_of(rps),
            median_of(p50),
            median_of(p99)
        );
    }
}

/// 3. Listing many databases: the stream against one unpaged request.
async fn listing(client: &Client) {
    let dbs = client.organization(ORG).databases();
    println!("\n3. Listing {LISTED} databases");
    let seeding = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let seeders: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (dbs, next) = (dbs.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= LISTED {
                        return;
                    }
                    dbs.create(&CreateDatabase::new(format!("list-{i:05}"), "listing"))
                        .await
                        .expect("seed");
                }
            })
        })
        .collect();
    for s in seeders {
        s.await.expect("seeder");
    }
    println!(
        "  (seeded in {:.1} s through the facade at concurrency {CONCURRENCY})",
        seeding.elapsed().as_secs_f64()
    );
    let mut baseline = (vec![], vec![]);
    for _ in 0..repeats() {
        let (secs, peak, n) = list_all(client, None).await;
        assert_eq!(n, LISTED, "the unpaged list returns every database");
        baseline.0.push(secs);
        baseline.1.push(peak as f64);
    }
    let (base_secs, base_peak) = (median_of(baseline.0), median_of(baseline.1));
    println!(
        "  one request, no paging   {:>7.3} s   peak {:>8.1} KiB   (baseline)",
        base_secs,
        base_peak / 1024.0
    );
    for page in [100u64, 1000] {
        let (mut secs, mut peaks) = (vec![], vec![]);
        for _ in 0..repeats() {
            let (s, p, n) = list_all(client, Some(page)).await;
            assert_eq!(n, LISTED, "the stream yields every database");
            secs.push(s);
            peaks.push(p as f64);
        }
        let (s, p) = (median_of(secs), median_of(peaks));
        println!(
            "  stream, page size {page:>4}   {:>7.3} s   peak {:>8.1} KiB   time ratio {:.2}   memory ratio {:.3}",
            s,
            p / 1024.0,
            s / base_secs,
            p / base_peak
        );
    }
    println!(
        "  (peak = bytes allocated above the level before listing, client and in-process emulator together)"
    );
}

/// 4. Regeneration time, in-process.
fn regeneration() {
    println!("\n4. Regeneration (in-process, the work `cargo xtask generate|check` do once built)");
    let ws = xtask::manifest::Workspace::load(&xtask::workspace_root()).expect("manifest");
    let (mut generate, mut check) = (vec![], vec![]);
    for _ in 0..repeats() {
        let t = Instant::now();
        xtask::generate::render_all(&ws).expect("generate");
        generate.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        xtask::check::run(&ws).expect("generated files are current");
        check.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "  generate {:>7.1} ms   check {:>7.1} ms",
        median_of(generate),
        median_of(check)
    );
}

#[tokio::main]
async fn main() {
    println!(
        "Turso Platform SDK performance report ({} repeats; medians over repeats)",
        repeats()
    );
    let emu = Emulator::start().await.expect("emulator starts");
    let client = Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization(ORG)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let groups = client.organization(ORG).groups();
    for g in ["bench", "mix", "listing"] {
        groups
            .create(&CreateGroup::new(g, "aws-us-east-1"))
            .await
            .expect("group");
    }
    let dbs = client.organization(ORG).databases();
    dbs.create(&CreateDatabase::new("bench-fixed", "bench"))
        .await
        .expect("db");
    for i in 0..20 {
        dbs.create(&CreateDatabase::new(format!("mix-{i}"), "mix"))
            .await
            .expect("db");
    }

    if section(1) {
        client_overhead(&emu, &client).await;
    }
    if section(2) {
        emulator_throughput(&emu).await;
    }
    if section(3) {
        listing(&client).await;
    }
    if section(4) {
        regeneration();
    }
}
