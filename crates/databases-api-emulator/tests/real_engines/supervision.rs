//! The engine layer's care of its processes, with real servers: a server
//! that dies is noticed, dropping an instance or `Engines` (also while a
//! panicking test unwinds) leaves no process and no data behind. (Missing
//! engines and the sweep after a crash, which need no engine: tests/engines.rs.)

use std::time::Duration;

use databases_api_emulator::engines::CRASH_LINES;
use databases_api_emulator::engines::process::runs;
use databases_api_emulator::engines::{Engines, Setup, Started};
use databases_api_emulator::{Engine, Secret};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

fn setup() -> Setup {
    Setup::new("cache", "app_user", Secret::generate()).unwrap()
}

async fn start(engines: &Engines, engine: Engine) -> databases_api_emulator::engines::Instance {
    match engines.start(engine, &setup()).await.unwrap() {
        Started::Real(instance) => instance,
        Started::Simulated { reason, .. } => panic!("{engine} is simulated: {reason}"),
    }
}

/// Whether `pid` stops running within 10 s (see `process::runs`).
async fn gone(pid: u32) -> bool {
    for _ in 0..500 {
        if !runs(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
#[ignore = "needs a real redis-server: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn a_server_that_dies_is_noticed() {
    let engines = super::engines_for(Engine::Redis);
    let instance = start(&engines, Engine::Redis).await;
    assert_eq!(instance.exit(), None);
    let pid = Pid::from_raw(instance.pid() as i32);
    kill(pid, Signal::SIGKILL).unwrap();
    let exit = tokio::time::timeout(Duration::from_secs(10), instance.exited())
        .await
        .expect("the death must be noticed");
    assert_eq!(exit.signal, Some(Signal::SIGKILL as i32));
    assert_eq!(instance.exit(), Some(exit));
    assert_eq!(exit.to_string(), "killed by SIGKILL");
    // What the database's error reason says: how it ended and the end of
    // its log, bounded, without the password.
    let report = instance.crash_report(exit);
    assert!(
        report.starts_with("the redis server ended (killed by SIGKILL); its log ends with:\n"),
        "{report}"
    );
    assert!(report.contains("Ready to accept connections"), "{report}");
    assert!(report.lines().count() <= 1 + CRASH_LINES, "{report}");
    assert!(
        !report.contains(instance.credentials().password.expose()),
        "{report}"
    );
}

#[tokio::test]
#[ignore = "needs a real redis-server: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn dropping_leaves_no_process_and_no_data() {
    let engines = super::engines_for(Engine::Redis);
    // Dropping an instance kills its server and removes its directory.
    let instance = start(&engines, Engine::Redis).await;
    let (pid, dir, port) = (
        instance.pid(),
        instance.dir().to_path_buf(),
        instance.credentials().port,
    );
    drop(instance);
    assert!(gone(pid).await, "redis-server {pid} outlived its instance");
    assert!(!dir.exists());
    assert!(super::refuses_connections(port).await);

    // Dropping `Engines` kills what is still running, even an instance that
    // was leaked, and removes every directory.
    let leaked = start(&engines, Engine::Redis).await;
    let pid = leaked.pid();
    std::mem::forget(leaked);
    let root = engines.root().to_path_buf();
    drop(engines);
    assert!(gone(pid).await, "redis-server {pid} outlived the engines");
    assert!(!root.exists());
}

#[tokio::test]
#[ignore = "needs a real redis-server: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn a_panicking_test_leaves_no_process() {
    let engines = super::engines_for(Engine::Redis);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let instance = start(&engines, Engine::Redis).await;
        tx.send(instance.pid()).unwrap();
        panic!("a test failing with a server running");
    });
    let pid = rx.await.unwrap();
    let joined = task.await;
    assert!(joined.unwrap_err().is_panic());
    assert!(gone(pid).await, "redis-server {pid} outlived the panic");
}

#[tokio::test]
#[ignore = "needs a real PostgreSQL (initdb, postgres): .ci/run installs the engines and runs the ignored real_engines tests"]
async fn servers_of_one_engine_are_independent() {
    let engines = super::engines_for(Engine::Postgresql);
    let a = start(&engines, Engine::Postgresql).await;
    let b = start(&engines, Engine::Postgresql).await;
    assert_ne!(a.credentials().port, b.credentials().port);
    assert_ne!(a.credentials().password, b.credentials().password);
    assert_ne!(a.dir(), b.dir());
    let port_a = a.credentials().port;
    a.stop().await.unwrap();
    assert!(super::refuses_connections(port_a).await);
    // Stopping one leaves the other serving.
    let config: tokio_postgres::Config =
        b.credentials().connection_string.expose().parse().unwrap();
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);

    // PostgreSQL's children leave its process group; dropping the instance
    // still ends them all (the connection's backend among them).
    let postmaster = b.pid();
    let children = children_of(postmaster);
    assert!(!children.is_empty(), "a running postmaster has children");
    drop(b);
    for pid in std::iter::once(postmaster).chain(children) {
        assert!(
            gone(pid).await,
            "postgres process {pid} outlived its instance"
        );
    }
}

/// The processes whose parent is `parent`, from `/proc`.
fn children_of(parent: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After the parenthesised name: state, then the parent's pid.
        let ppid = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(1));
        if ppid == Some(parent.to_string().as_str()) {
            children.push(pid);
        }
    }
    children
}
