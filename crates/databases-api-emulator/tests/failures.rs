//! Engines that fail to start: the error says which step failed (or timed
//! out) and ends with the program's output, in which the password is
//! redacted, and nothing is left behind. Fake programs stand in for the engines so the failures are
//! certain; they echo what they were given, password included, as a server
//! echoing a failing statement might.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use databases_api_emulator::engines::process::runs;
use databases_api_emulator::engines::{EngineError, Engines, SearchPath, Setup};
use databases_api_emulator::{Engine, Secret};

const PASSWORD: &str = "Sup3r-s3cret-passw0rd";

fn program(dir: &Path, name: &str, script: &str) {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

// One test, so that no other thread of this process forks while a script is
// open for writing (which would make executing it fail with ETXTBSY).
#[tokio::test]
async fn failures_are_typed_name_the_step_and_never_show_the_password() {
    let scratch = tempfile::tempdir().unwrap();
    // Engines may run under their own accounts (as root): let them reach the programs.
    std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = scratch.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    // redis-server prints its config file (with `requirepass`) and exits.
    program(
        &bin,
        "redis-server",
        r#"[ "$1" = --version ] && { echo "fake redis"; exit 0; }; cat "$1"; exit 1"#,
    );
    // initdb prints its password file and fails; postgres is never reached.
    program(
        &bin,
        "initdb",
        r#"for a in "$@"; do case "$a" in --pwfile=*) cat "${a#--pwfile=}"; echo;; esac; done; echo "initdb: could not create directory"; exit 1"#,
    );
    program(&bin, "postgres", r#"echo "fake postgres""#);
    // mariadb-install-db hangs.
    program(
        &bin,
        "mariadbd",
        r#"[ "$1" = --version ] && echo "mariadbd  Ver 10.11.6-MariaDB-0+deb12u1 for debian-linux-gnu""#,
    );
    program(
        &bin,
        "mariadb-install-db",
        r#"echo "install-db pid $$"; exec sleep 600"#,
    );
    let search = SearchPath::new(vec![bin.clone()], scratch.path().join("none"));
    let engines = Engines::with_search_path(&search, scratch.path())
        .unwrap()
        .with_step_timeout(Duration::from_secs(2));
    let setup = Setup::new("main", "app_user", Secret::new(PASSWORD)).unwrap();

    let err = engines.start(Engine::Redis, &setup).await.unwrap_err();
    let shown = format!("{err}\n{err:?}");
    assert!(
        matches!(
            err,
            EngineError::ExitedEarly {
                engine: Engine::Redis,
                ..
            }
        ),
        "{shown}"
    );
    assert!(
        shown.contains("requirepass [redacted]"),
        "the log excerpt is missing: {shown}"
    );
    assert!(shown.contains("exit code 1"), "{shown}");
    assert!(!shown.contains(PASSWORD), "the password leaked: {shown}");

    let err = engines.start(Engine::Postgresql, &setup).await.unwrap_err();
    let shown = format!("{err}\n{err:?}");
    assert!(
        matches!(
            err,
            EngineError::SetupFailed {
                engine: Engine::Postgresql,
                step: "initdb",
                ..
            }
        ),
        "{shown}"
    );
    assert!(shown.contains("could not create directory"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(!shown.contains(PASSWORD), "the password leaked: {shown}");

    // A setup step that hangs is stopped at its time limit.
    let err = engines.start(Engine::Mysql, &setup).await.unwrap_err();
    let shown = format!("{err}");
    assert!(
        matches!(
            err,
            EngineError::TimedOut {
                engine: Engine::Mysql,
                step: "mariadb-install-db",
                ..
            }
        ),
        "{shown}"
    );
    assert!(shown.contains("within 2.0 s"), "{shown}");
    let pid: u32 = shown
        .split("install-db pid ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {shown}"));
    // SIGKILL is sent when the step times out; it takes effect a moment later.
    for _ in 0..250 {
        if !runs(pid) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!runs(pid), "the hung mariadb-install-db ({pid}) still runs");

    // Failed starts leave no directory behind, only the name of the emulator
    // that owns the engines' directory.
    let left: Vec<_> = std::fs::read_dir(engines.root())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["owner"]);
}
