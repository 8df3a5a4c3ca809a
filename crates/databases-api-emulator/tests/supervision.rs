//! The engine layer's care of its processes, with real servers: a server
//! that dies is noticed, dropping an instance or `Engines` (also while a
//! panicking test unwinds) leaves no process and no data behind, and a
//! missing engine is reported as simulated, once.

mod support;

use std::time::Duration;

use databases_api_emulator::engines::CRASH_LINES;
use databases_api_emulator::engines::process::runs;
use databases_api_emulator::engines::{Availability, Engines, SearchPath, Setup, Started};
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
async fn a_server_that_dies_is_noticed() {
    let Some(engines) = support::engines_for(Engine::Redis) else {
        return;
    };
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
async fn dropping_leaves_no_process_and_no_data() {
    let Some(engines) = support::engines_for(Engine::Redis) else {
        return;
    };
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
    assert!(support::refuses_connections(port).await);

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
async fn a_panicking_test_leaves_no_process() {
    let Some(engines) = support::engines_for(Engine::Redis) else {
        return;
    };
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
async fn missing_engines_are_simulated_and_said_so_once() {
    let empty = tempfile::tempdir().unwrap();
    let search = SearchPath::new(vec![empty.path().to_path_buf()], empty.path().join("none"));
    let engines = Engines::with_search_path(&search, empty.path()).unwrap();
    for engine in Engine::ALL {
        let Availability::Simulated { reason } = engines.availability(engine) else {
            panic!("{engine} cannot be real without its programs");
        };
        assert!(!reason.is_empty());
        let first = engines.start(engine, &setup()).await.unwrap();
        assert!(
            matches!(
                first,
                Started::Simulated {
                    first_time: true,
                    ..
                }
            ),
            "{first:?}"
        );
        let second = engines.start(engine, &setup()).await.unwrap();
        assert!(
            matches!(
                second,
                Started::Simulated {
                    first_time: false,
                    ..
                }
            ),
            "{second:?}"
        );
    }
    // Nothing was started, so nothing was written but the name of the
    // emulator that owns the directory.
    let written: Vec<_> = std::fs::read_dir(engines.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(written, ["owner"]);
    // MongoDB is not packaged by Debian: it is simulated on a real machine too.
    let discovered = Engines::discover().unwrap();
    assert!(matches!(
        discovered.availability(Engine::Mongodb),
        Availability::Simulated { .. }
    ));
}

#[tokio::test]
async fn servers_of_one_engine_are_independent() {
    let Some(engines) = support::engines_for(Engine::Postgresql) else {
        return;
    };
    let a = start(&engines, Engine::Postgresql).await;
    let b = start(&engines, Engine::Postgresql).await;
    assert_ne!(a.credentials().port, b.credentials().port);
    assert_ne!(a.credentials().password, b.credentials().password);
    assert_ne!(a.dir(), b.dir());
    let port_a = a.credentials().port;
    a.stop().await.unwrap();
    assert!(support::refuses_connections(port_a).await);
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

/// What a crashed emulator left in its temporary directory is removed by
/// the next `Engines`: its recorded processes still running as themselves
/// are killed, a recorded pid that now belongs to another process (here:
/// this test's own) and a pid of 0 are never signalled, and the directory
/// of an emulator that still runs is left alone.
#[tokio::test]
async fn the_next_start_removes_what_a_crash_left() {
    let parent = tempfile::tempdir().unwrap();
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap();
    let boot = boot.trim();
    let start_of = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let rest = stat.rsplit(')').next().unwrap().to_string();
        rest.split_whitespace().nth(19).unwrap().parse().unwrap()
    };
    let me = std::process::id();

    // A server the crashed emulator left running, in a group of its own.
    let mut orphan = std::process::Command::new("sleep");
    std::os::unix::process::CommandExt::process_group(&mut orphan, 0);
    let mut orphan = orphan.arg("600").spawn().unwrap();
    let orphan_pid = orphan.id();

    let crashed = parent.path().join("databases-api-engines-crashed");
    let instance = crashed.join("redis-1");
    std::fs::create_dir_all(&instance).unwrap();
    // Its owner: this process's pid with another start time, so not us.
    std::fs::write(
        crashed.join("owner"),
        format!("{boot} {me} {}\n", start_of(me) + 1),
    )
    .unwrap();
    std::fs::write(
        instance.join("processes"),
        format!(
            "{boot} {orphan_pid} {}\n{boot} {me} {}\n{boot} 0 {}\n",
            start_of(orphan_pid),
            start_of(me) + 1,
            start_of(me)
        ),
    )
    .unwrap();
    // An emulator that still runs (this process) owns another directory.
    let alive = parent.path().join("databases-api-engines-alive");
    std::fs::create_dir(&alive).unwrap();
    std::fs::write(
        alive.join("owner"),
        format!("{boot} {me} {}\n", start_of(me)),
    )
    .unwrap();

    let empty = tempfile::tempdir().unwrap();
    let search = SearchPath::new(vec![empty.path().to_path_buf()], empty.path().join("none"));
    let engines = Engines::with_search_path(&search, parent.path()).unwrap();

    assert_eq!(engines.swept().killed, [orphan_pid]);
    assert_eq!(engines.swept().directories, std::slice::from_ref(&crashed));
    assert!(!crashed.exists());
    assert!(alive.exists(), "a running emulator's directory was removed");
    let status = orphan.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(Signal::SIGKILL as i32)
    );
}
