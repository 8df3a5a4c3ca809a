//! The engine layer and the API with real engines asked for, where no real
//! server is needed: a missing engine is reported as simulated, once; the
//! next start removes what a crashed emulator left; MongoDB stays simulated.
//! (The tests that need real servers: tests/real_engines/.)

use std::time::Duration;

use databases_api_emulator::engines::{Availability, Engines, SearchPath, Setup, Started};
use databases_api_emulator::{Emulator, Engine, Secret};
use nix::sys::signal::Signal;

use crate::client::Api;

/// Starting a database, simulated here.
const START: Duration = Duration::from_secs(120);

fn setup() -> Setup {
    Setup::new("cache", "app_user", Secret::generate()).unwrap()
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

#[tokio::test]
async fn mongodb_stays_simulated() {
    let emu = Emulator::builder()
        .real_engines(true)
        .start()
        .await
        .expect("starts");
    if matches!(
        emu.engine_availability(Engine::Mongodb),
        Some(Availability::Real { .. })
    ) {
        return;
    }
    let api = Api::new(&emu);
    let id = api.create_ok("events-mongo", "mongodb").await;
    assert_eq!(api.wait_settled(&id, START).await, "running");
    assert!(!emu.is_real(&id));
    let (status, creds) = api.credentials(&id).await;
    assert_eq!(status, 200, "{creds}");
    assert!(
        creds["connection_string"]
            .as_str()
            .is_some_and(|uri| uri.starts_with("mongodb://")),
        "{creds}"
    );
}
