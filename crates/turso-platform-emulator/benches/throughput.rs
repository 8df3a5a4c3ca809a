//! Throughput of the emulator on loopback for a read-heavy mix
//! (80% getDatabase/listDatabases, 20% getGroup/listLocations) at
//! concurrency 1, 8 and 32. Prints a table; never asserts on timings.
//!
//! Run with `cargo bench -p turso-platform-emulator --bench throughput`
//! (`BENCH_REQUESTS` sets the requests per concurrency level, default 2000).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use turso_platform_emulator::Emulator;

const DATABASES: usize = 20;

/// The path of request number `i` of the mix.
fn path(i: usize) -> String {
    match i % 10 {
        0..=4 => format!("/v1/organizations/acme/databases/db-{}", i % DATABASES),
        5..=7 => "/v1/organizations/acme/databases".to_string(),
        8 => "/v1/organizations/acme/groups/bench".to_string(),
        _ => "/v1/locations".to_string(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn run(
    emu: &Emulator,
    client: &reqwest::Client,
    concurrency: usize,
    requests: usize,
) -> (f64, Duration, Duration, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let next = next.clone();
            let client = client.clone();
            let base = emu.base_url().to_string();
            let token = emu.token().to_string();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests {
                        break;
                    }
                    let t = Instant::now();
                    let ok = match client
                        .get(format!("{base}{}", path(i)))
                        .bearer_auth(&token)
                        .send()
                        .await
                    {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    latencies.push(t.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(requests);
    let mut errors = 0;
    for w in workers {
        if let Ok((l, e)) = w.await {
            all.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed();
    all.sort();
    let rps = all.len() as f64 / elapsed.as_secs_f64();
    (rps, percentile(&all, 0.5), percentile(&all, 0.99), errors)
}

fn main() {
    let requests: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let emu = Emulator::start().await.expect("emulator starts");
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .expect("client");
        let create = |path: &str, body: serde_json::Value| {
            client
                .post(format!("{}{path}", emu.base_url()))
                .bearer_auth(emu.token())
                .json(&body)
                .send()
        };
        create(
            "/v1/organizations/acme/groups",
            json!({"name": "bench", "location": "aws-us-east-1"}),
        )
        .await
        .expect("group created");
        for i in 0..DATABASES {
            create(
                "/v1/organizations/acme/databases",
                json!({"name": format!("db-{i}"), "group": "bench"}),
            )
            .await
            .expect("database created");
        }
        // Warm up connections and caches.
        run(&emu, &client, 8, 200).await;
        println!("read-heavy mix, {requests} requests per level, {DATABASES} databases");
        println!(
            "{:>11} {:>10} {:>10} {:>10} {:>7}",
            "concurrency", "req/s", "p50", "p99", "errors"
        );
        for concurrency in [1, 8, 32] {
            let (rps, p50, p99, errors) = run(&emu, &client, concurrency, requests).await;
            println!(
                "{concurrency:>11} {rps:>10.0} {:>8.2}ms {:>8.2}ms {errors:>7}",
                p50.as_secs_f64() * 1000.0,
                p99.as_secs_f64() * 1000.0
            );
        }
        let violations = emu.violations();
        if !violations.is_empty() {
            println!("spec violations: {violations:?}");
        }
    });
}
