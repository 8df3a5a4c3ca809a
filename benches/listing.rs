//! The pagination part of the performance report (`cargo bench -p
//! turso-platform-benches` runs it after `report`): listing 10,000 databases
//! through the pagination stream, time and peak memory, against collecting the
//! whole list in one request.
//!
//! Section 4, a bench target of its own because it counts allocations: the counting
//! allocator adds contended atomic operations to every allocation, which would
//! distort the latency figures of the other sections. `BENCH_REPEAT` (default
//! 5) sets the repeats. It never asserts on timings.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures::TryStreamExt;
use peak_alloc::PeakAlloc;
use turso_platform::{Client, CreateDatabase, CreateGroup, DatabaseListOptions};
use turso_platform_benches::{median_of, repeats, section};
use turso_platform_emulator::Emulator;

#[path = "common.rs"]
mod common;
use common::{ORG, client_builder};

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

const SEEDERS: usize = 32;
const LISTED: usize = 10_000;

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

/// Listing many databases: the stream against one unpaged request.
async fn listing(client: &Client) {
    let dbs = client.organization(ORG).databases();
    println!("\n4. Listing {LISTED} databases");
    let seeding = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let seeders: Vec<_> = (0..SEEDERS)
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
        "  (seeded in {:.1} s through the facade at concurrency {SEEDERS})",
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

#[tokio::main]
async fn main() {
    if !section(4) {
        return;
    }
    let emu = Emulator::start().await.expect("emulator starts");
    let client = client_builder(&emu).build().expect("client");
    client
        .organization(ORG)
        .groups()
        .create(&CreateGroup::new("listing", "aws-us-east-1"))
        .await
        .expect("group");
    listing(&client).await;
}
