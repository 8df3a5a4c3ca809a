//! Chunked uploads against the emulator: a multi-chunk file through injected
//! chunk failures (statuses, dropped connections, lost answers, a 401 that
//! mints a new database token) arrives exact, and
//! an interrupted resumable upload continues from its last acknowledged
//! chunk instead of starting again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use turso_platform::*;
use turso_platform_emulator::{Emulator, Fault, FaultPlan};

const CHUNK: u64 = 8192;

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization(emu.organization())
        .database_host_base_url(emu.base_url())
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(10))
                .max_delay(Duration::from_millis(50)),
        )
        .build()
        .unwrap()
}

async fn start() -> (Emulator, Client, tempfile::TempDir) {
    let emu = Emulator::start().await.unwrap();
    let c = client(&emu);
    c.groups()
        .create(&CreateGroup::new("default", "aws-us-east-1"))
        .await
        .unwrap();
    (emu, c, tempfile::tempdir().unwrap())
}

/// A file that passes the upload checks (SQLite header, 4096-byte pages, WAL)
/// of `pages` pages, each page filled with its own bytes, so a chunk sent
/// twice or out of place shows in the result.
fn database_file(dir: &std::path::Path, pages: usize) -> (std::path::PathBuf, Vec<u8>) {
    let mut bytes: Vec<u8> = (0..pages * 4096)
        .map(|i| (i / 4096 * 31 + i % 251) as u8)
        .collect();
    bytes[..16].copy_from_slice(b"SQLite format 3\0");
    bytes[16..18].copy_from_slice(&4096u16.to_be_bytes());
    bytes[18] = 2;
    bytes[19] = 2;
    let path = dir.join("big.db");
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes)
}

/// Chunked from the first byte, small chunks, fast retries.
fn chunked(name: &str, path: &std::path::Path) -> UploadDatabase {
    UploadDatabase::new(name, "default", path)
        .chunked_above(0)
        .chunk_size(CHUNK)
        .chunk_retries(5, Duration::from_millis(10))
}

/// A fault that lets the request through untouched.
fn pass() -> Fault {
    Fault::latency(Duration::ZERO)
}

fn no_violations(emu: &Emulator) {
    let v = emu.violations();
    assert!(v.is_empty(), "{v:#?}");
}

#[tokio::test]
async fn a_multi_chunk_upload_survives_chunk_failures_and_arrives_exact() {
    let (emu, c, dir) = start().await;
    // 11 pages in 8 KiB chunks: 6 chunks, the last one a single page.
    let (path, bytes) = database_file(dir.path(), 11);
    emu.set_faults(
        FaultPlan::new()
            .on(
                "uploadChunk",
                // Each chunk request takes the next fault: failures land
                // on chunks 0, 1, 2 and 3 (a pass lets a chunk through).
                [
                    Fault::status(503),
                    pass(),
                    Fault::drop_connection(),
                    pass(),
                    Fault::rate_limited(0),
                    // Carried out, then the answer is lost: sent again, replaced.
                    Fault::lose_answer(),
                    Fault::lose_answer(),
                    pass(),
                    Fault::status(500),
                    // The database token refused as expired: a new one is minted.
                    Fault::status(401),
                ],
            )
            .on("uploadStart", [Fault::status(502)])
            // A 504, then a finalize carried out whose answer is lost: the
            // retry's 409 "already uploaded" means it is done.
            .on("uploadFinalize", [Fault::status(504), Fault::lose_answer()]),
    );
    let progress = Arc::new(Mutex::new(Vec::new()));
    let p = progress.clone();
    let created = c
        .databases()
        .upload(chunked("big", &path).on_progress(move |u| p.lock().unwrap().push(u.sent)))
        .await
        .unwrap();
    assert_eq!(created.name, "big");
    assert_eq!(
        emu.uploaded_file("acme", "big").as_deref(),
        Some(bytes.as_slice()),
        "the assembled file is the local file"
    );
    let file = emu
        .database_file("acme", "big")
        .expect("the database has a file");
    assert_eq!(std::fs::read(file).unwrap(), bytes);
    // Progress once per acknowledged chunk, ending at the file's size.
    let seen = progress.lock().unwrap().clone();
    assert_eq!(seen, vec![8192, 16384, 24576, 32768, 40960, 45056]);
    assert!(emu.faults_left().is_empty(), "every fault was met");
    no_violations(&emu);
}

#[tokio::test]
async fn a_chunk_refused_for_good_fails_the_upload_and_deletes_the_database() {
    let (emu, c, dir) = start().await;
    let (path, _) = database_file(dir.path(), 6);
    emu.set_faults(FaultPlan::new().on("uploadChunk", [Fault::status(400)]));
    let e = c
        .databases()
        .upload(chunked("refused", &path))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(e.operation(), Some("uploadChunk"), "{e}");
    assert!(
        c.databases()
            .get("refused")
            .await
            .unwrap_err()
            .is_not_found()
    );
    no_violations(&emu);
}

#[tokio::test]
async fn an_interrupted_resumable_upload_resumes_from_the_last_acknowledged_chunk() {
    let (emu, c, dir) = start().await;
    let (path, bytes) = database_file(dir.path(), 10);
    // Chunks 0 and 1 go through; chunk 2 fails every one of its tries.
    emu.set_faults(FaultPlan::new().on(
        "uploadChunk",
        [
            Fault::latency(Duration::ZERO),
            Fault::latency(Duration::ZERO),
            Fault::status(503),
            Fault::status(503),
        ],
    ));
    let last = Arc::new(Mutex::new(None::<UploadCheckpoint>));
    let l = last.clone();
    let e = c
        .databases()
        .upload(
            chunked("resumed", &path)
                .chunk_retries(2, Duration::from_millis(1))
                .resumable()
                .on_checkpoint(move |cp| *l.lock().unwrap() = Some(cp.clone())),
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503), "{e}");
    assert!(
        e.message().unwrap_or_default().contains("resume_upload"),
        "{e}"
    );
    let checkpoint = last
        .lock()
        .unwrap()
        .clone()
        .expect("a checkpoint was reported");
    assert_eq!(checkpoint.acknowledged, 2);
    assert_eq!(checkpoint.chunks(), 5);
    assert_eq!(checkpoint.sent(), 2 * CHUNK);
    // The database is kept, awaiting the rest.
    assert!(emu.uploaded_file("acme", "resumed").is_none());

    // Resuming sends chunks 2, 3 and 4 only: the checkpoints say so.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let s = sent.clone();
    c.databases()
        .resume_upload(
            chunked("resumed", &path)
                .on_checkpoint(move |cp| s.lock().unwrap().push(cp.acknowledged)),
            checkpoint,
        )
        .await
        .unwrap();
    assert_eq!(*sent.lock().unwrap(), vec![3, 4, 5]);
    assert_eq!(
        emu.uploaded_file("acme", "resumed").as_deref(),
        Some(bytes.as_slice())
    );
    no_violations(&emu);
}

#[tokio::test]
async fn resuming_refuses_a_file_changed_since_the_checkpoint() {
    let (_emu, c, dir) = start().await;
    let (path, mut bytes) = database_file(dir.path(), 4);
    let last = Arc::new(Mutex::new(None::<UploadCheckpoint>));
    let l = last.clone();
    c.databases()
        .upload(
            chunked("changing", &path)
                .on_checkpoint(move |cp| *l.lock().unwrap() = Some(cp.clone())),
        )
        .await
        .unwrap();
    let checkpoint = last.lock().unwrap().clone().unwrap();
    bytes.extend(std::iter::repeat_n(7u8, 4096));
    std::fs::write(&path, &bytes).unwrap();
    let e = c
        .databases()
        .resume_upload(chunked("changing", &path), checkpoint)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Api(ApiErrorKind::FileChanged), "{e}");
}

#[tokio::test]
async fn small_files_still_go_in_one_request() {
    let (emu, c, dir) = start().await;
    let (path, bytes) = database_file(dir.path(), 3);
    // A fault on the chunk endpoint would fail a chunked upload: unused here.
    emu.set_faults(FaultPlan::new().on("uploadStart", [Fault::status(400)]));
    c.databases()
        .upload(UploadDatabase::new("small", "default", &path).chunk_size(CHUNK))
        .await
        .unwrap();
    assert_eq!(
        emu.uploaded_file("acme", "small").as_deref(),
        Some(bytes.as_slice())
    );
    assert!(
        !emu.faults_left().is_empty(),
        "the chunked endpoints were not used"
    );
}
