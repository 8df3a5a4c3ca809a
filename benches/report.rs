//! The performance report: `cargo bench -p turso-platform-benches` (this
//! target, then `report_listing`, section 4).
//!
//! Prints, for this machine and this run, each figure as a median over
//! repeated runs and, where there is a baseline, its ratio to that baseline
//! measured in the same run:
//! 1. client overhead: the facade against a bare `reqwest::Client` sending the
//!    same requests (a read, a list, a create and a delete) to the same
//!    in-process emulator, sequentially and at concurrency 32;
//! 2. emulator throughput for a read-heavy mix at concurrency 1, 8 and 32;
//! 3. regeneration: `generate` (render) and `check`, in-process.
//!
//! The overhead ratios are paired: each run measures both sides back to back,
//! and the report gives the median of the runs' own ratios with the lowest and
//! highest run.
//!
//! This target keeps the system allocator: a counting allocator would add
//! contended atomic operations to every allocation and so penalise whichever
//! side allocates more. It never asserts on timings. `BENCH_REPEAT` (default
//! 5) sets the repeats; `BENCH_SECTIONS` (e.g. `1,3`) runs only some sections.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use turso_platform::{Client, CreateDatabase, CreateGroup};
use turso_platform_benches::{Samples, median_of, micros, repeats, section};
use turso_platform_emulator::Emulator;

#[path = "common.rs"]
mod common;
#[path = "sequence.rs"]
mod sequence;
use common::{ORG, client_builder};
const SEQUENCES_SEQUENTIAL: usize = 200;
/// Sequential runs alternate between the sides in blocks of this many
/// sequences, so that each side runs with its own code and data in the
/// processor's caches, as in a program that uses one client (see
/// `sequential`).
const BLOCK: usize = 20;
const CONCURRENCY: usize = 32;
const SEQUENCES_PER_WORKER: usize = 25;

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
            Sender::Facade(client) => sequence::through_facade(client, ORG, unique).await,
            Sender::Bare { http, base, token } => {
                sequence::bare(http, base, token, ORG, unique).await
            }
        }
    }
}

static NEXT_NAME: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    format!("seq-{}", NEXT_NAME.fetch_add(1, Ordering::Relaxed))
}

/// One sequence at a time, facade and bare interleaved in blocks of `block`
/// sequences (in alternating order) so that both meet the same conditions on
/// a noisy machine; returns the (facade, bare) samples. With blocks, each
/// block runs one sequence more, first, which warms up and is not kept.
///
/// With blocks of one, each sequence runs right after one of the other side,
/// whose code and data have just taken the processor's first-level caches:
/// the report prints that case too, since it penalises the side with more
/// distinct code (the facade, with its code per operation) more than a
/// program using one of the two clients would see.
async fn sequential(facade: &Sender, bare: &Sender, block: usize) -> (Samples, Samples) {
    let (mut f, mut b) = (Samples::new(), Samples::new());
    for i in 0..SEQUENCES_SEQUENTIAL / block {
        let order = if i % 2 == 0 {
            [facade, bare]
        } else {
            [bare, facade]
        };
        for sender in order {
            // In blocks, the first sequence of each (which finds the other
            // side's code and data in the caches) warms up and is not kept.
            let warm_up = usize::from(block > 1);
            for i in 0..block + warm_up {
                let name = unique_name();
                let started = Instant::now();
                sender.sequence(&name).await;
                let elapsed = started.elapsed();
                match sender {
                    _ if i < warm_up => {}
                    Sender::Facade(_) => f.push(elapsed),
                    Sender::Bare { .. } => b.push(elapsed),
                }
            }
        }
    }
    (f, b)
}

async fn concurrent(sender: &Sender) -> Samples {
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let sender = sender.clone();
            tokio::spawn(async move {
                let mut samples = Samples::new();
                // The first sequence of each worker warms up (it finds the
                // other side's code and data in the caches) and is not kept.
                for i in 0..=SEQUENCES_PER_WORKER {
                    let name = unique_name();
                    let started = Instant::now();
                    sender.sequence(&name).await;
                    if i > 0 {
                        samples.push(started.elapsed());
                    }
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

/// Median and p99 of each run, kept per side; run `i` of one side was measured
/// right next to run `i` of the other.
#[derive(Default)]
struct Runs {
    f50: Vec<f64>,
    f99: Vec<f64>,
    b50: Vec<f64>,
    b99: Vec<f64>,
}

impl Runs {
    fn push(&mut self, facade: Samples, bare: Samples) {
        self.f50.push(micros(facade.median()));
        self.f99.push(micros(facade.p99()));
        self.b50.push(micros(bare.median()));
        self.b99.push(micros(bare.p99()));
    }
}

/// The ratio facade/bare: the median over runs of each run's own ratio (a
/// paired estimate, which a slow spell of the machine during one run moves
/// less than a ratio of medians would), with the lowest and highest run.
fn paired_ratio(facade: &[f64], bare: &[f64]) -> (f64, f64, f64) {
    let ratios: Vec<f64> = facade.iter().zip(bare).map(|(f, b)| f / b).collect();
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (median_of(ratios), low, high)
}

/// Prints median and p99 (medians over the runs) with their paired
/// facade/bare ratios (see [`paired_ratio`]).
///
/// Paired and taken over runs, the p99 ratio is steady against the hiccups of
/// a shared machine: one that hits a run of one side sets that run's p99, and
/// the median over the runs leaves that run out, where a p99 over all runs'
/// samples together would keep it.
fn print_overhead(label: &str, runs: Runs) {
    let (r50, lo50, hi50) = paired_ratio(&runs.f50, &runs.b50);
    let (r99, lo99, hi99) = paired_ratio(&runs.f99, &runs.b99);
    println!(
        "    {label:<16} median {:>6.0} µs vs {:>6.0} µs  ratio {r50:.3} (runs {lo50:.2}–{hi50:.2})   \
         p99 {:>6.0} µs vs {:>6.0} µs  ratio {r99:.3} (runs {lo99:.2}–{hi99:.2})",
        median_of(runs.f50),
        median_of(runs.b50),
        median_of(runs.f99),
        median_of(runs.b99),
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

/// 1. The same sequence through the facade and through bare reqwest.
///
/// Measured twice: with the facade's default settings, and without the
/// per-request timeout (a tokio timer per request) that the bare client lacks,
/// which shows what that safety net costs.
async fn client_overhead(emu: &Emulator, client: &Client) {
    println!(
        "\n1. Client overhead: facade vs bare reqwest, per sequence (read + list + create + delete)"
    );
    println!("  default settings (60 s request timeout):");
    facade_against_bare(emu, client).await;
    let untimed = client_builder(emu)
        .request_timeout(None)
        .build()
        .expect("client");
    println!("  without the per-request timeout (request_timeout(None)):");
    facade_against_bare(emu, &untimed).await;
}

async fn facade_against_bare(emu: &Emulator, client: &Client) {
    let facade = Sender::Facade(client.clone());
    let bare = Sender::Bare {
        http: reqwest::Client::new(),
        base: emu.base_url().to_string(),
        token: emu.token().to_string(),
    };
    // Warm both paths (connection pools, lazy statics) before measuring.
    sequential(&facade, &bare, 1).await;
    // Many runs (forty by default): a run is short, and the blocks make it
    // noisier than interleaving one by one.
    for (label, block, runs) in [
        ("sequential", BLOCK, repeats() * 8),
        ("seq., one by one", 1, repeats() * 4),
    ] {
        let mut paired = Runs::default();
        for _ in 0..runs {
            let (f, b) = sequential(&facade, &bare, block).await;
            paired.push(f, b);
        }
        print_overhead(label, paired);
    }
    // At concurrency each side runs alone (mixing them would spread the
    // facade's cost over the bare requests' queueing), in alternating order,
    // and 24 times as often as the other figures (120 pairs by default)
    // because a short run under load is much noisier.
    let mut runs = Runs::default();
    for rep in 0..repeats() * 24 {
        let (f, b) = if rep % 2 == 0 {
            let b = concurrent(&bare).await;
            (concurrent(&facade).await, b)
        } else {
            let f = concurrent(&facade).await;
            (f, concurrent(&bare).await)
        };
        runs.push(f, b);
    }
    print_overhead(&format!("concurrency {CONCURRENCY}"), runs);
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

/// 3. Regeneration time, in-process.
fn regeneration() {
    println!("\n3. Regeneration (in-process, the work `cargo xtask generate|check` do once built)");
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
    let client = client_builder(&emu).build().expect("client");
    let groups = client.organization(ORG).groups();
    for g in [sequence::GROUP, "mix"] {
        groups
            .create(&CreateGroup::new(g, "aws-us-east-1"))
            .await
            .expect("group");
    }
    let dbs = client.organization(ORG).databases();
    dbs.create(&CreateDatabase::new(
        sequence::FIXED_DATABASE,
        sequence::GROUP,
    ))
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
        regeneration();
    }
}
