//! Engines that fail to start: the error says which step failed and ends
//! with the program's output, in which the password is redacted, and nothing
//! is left behind. Fake programs stand in for the engines so the failures are
//! certain; they echo what they were given, password included, as a server
//! echoing a failing statement might.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

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
    let search = SearchPath::new(vec![bin.clone()], scratch.path().join("none"));
    let engines = Engines::with_search_path(&search, scratch.path()).unwrap();
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

    // Failed starts leave no directory behind.
    assert_eq!(std::fs::read_dir(engines.root()).unwrap().count(), 0);
}
