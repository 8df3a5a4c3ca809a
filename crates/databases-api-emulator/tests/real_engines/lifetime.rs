//! No real server outlives the standalone emulator, however it ends: with
//! `--real-engines` and a database of each engine (a PostgreSQL client
//! connected, so the postmaster has a backend too), SIGTERM and SIGHUP stop
//! every server and remove every data directory, as SIGINT does; after
//! `kill -9` every server is gone within seconds (parent-death signal), and
//! the next start removes the data left behind.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use databases_api_emulator::Engine;
use databases_api_emulator::engines::process::runs;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};

/// A running standalone emulator whose temporary directory is `tmp`.
struct Emulator {
    child: Child,
    base: String,
    token: String,
}

impl Emulator {
    fn start(tmp: &Path) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_databases-api-emulator"))
            .args(["--port", "0", "--real-engines"])
            .env("TMPDIR", tmp)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawns");
        let stdout = child.stdout.take().expect("stdout");
        let vars: HashMap<String, String> = BufReader::new(stdout)
            .lines()
            .take(3)
            .map(|l| {
                let l = l.expect("utf-8");
                let (k, v) = l.split_once('=').expect("KEY=value");
                (k.to_string(), v.to_string())
            })
            .collect();
        Emulator {
            child,
            base: format!("{}/api/v1/databases", vars["DATABASES_API_BASEURL"]),
            token: vars["DATABASES_API_TOKEN"].clone(),
        }
    }

    fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// `GET {base}/{path}` as JSON.
    async fn get(&self, http: &reqwest::Client, path: &str) -> Value {
        http.get(format!("{}/{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("JSON")
    }

    /// Creates a database of each engine, waits until every one runs, and
    /// connects a PostgreSQL client (kept open); the client and the servers'
    /// ports.
    async fn databases_of_each_engine(&self) -> (tokio_postgres::Client, Vec<u16>) {
        let http = reqwest::Client::new();
        let mut ids = Vec::new();
        for db_type in ["postgresql", "mysql", "redis"] {
            let created: Value = http
                .post(&self.base)
                .bearer_auth(&self.token)
                .json(&json!({"name": format!("main-{db_type}"), "db_type": db_type, "plan_id": "db-s-1vcpu-1gb", "region": "nyc1"}))
                .send()
                .await
                .expect("sent")
                .json()
                .await
                .expect("JSON");
            ids.push(created["id"].as_str().expect("an id").to_string());
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        for id in &ids {
            loop {
                let db = self.get(&http, id).await;
                match db["status"].as_str() {
                    Some("running") => break,
                    Some("provisioning") if Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    other => panic!("database {id} is {other:?}"),
                }
            }
        }
        let mut credentials = Vec::new();
        for id in &ids {
            credentials.push(self.get(&http, &format!("{id}/credentials")).await);
        }
        let ports = credentials
            .iter()
            .map(|c| {
                c["port"]
                    .as_u64()
                    .and_then(|p| u16::try_from(p).ok())
                    .expect("a port")
            })
            .collect();
        let url = credentials[0]["connection_string"].as_str().expect("a URL");
        let config: tokio_postgres::Config = url.parse().expect("a PostgreSQL URL");
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .expect("connects");
        tokio::spawn(connection);
        client.simple_query("SELECT 1").await.expect("serves");
        (client, ports)
    }

    /// Whether every one of `ports` refuses connections.
    async fn all_refuse(ports: &[u16]) -> bool {
        for port in ports {
            if !super::refuses_connections(*port).await {
                return false;
            }
        }
        true
    }

    /// Waits up to 5 s for the process to end; its exit code.
    async fn ended(&mut self) -> Option<i32> {
        for _ in 0..250 {
            if let Some(status) = self.child.try_wait().expect("waits") {
                return status.code();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the emulator still runs 5 s after it was signalled");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every process descended from `pid`, with its start time (from `/proc`).
fn descendants(pid: u32) -> Vec<(u32, String)> {
    let mut parents: HashMap<u32, Vec<(u32, String)>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if let (Some(ppid), Some(start)) =
            (fields.get(1).and_then(|p| p.parse().ok()), fields.get(19))
        {
            parents
                .entry(ppid)
                .or_default()
                .push((child, start.to_string()));
        }
    }
    let mut found = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for (child, start) in parents.get(&p).into_iter().flatten() {
            found.push((*child, start.clone()));
            todo.push(*child);
        }
    }
    found
}

/// Whether the process `pid` that started at `start` still runs.
fn still_runs((pid, start): &(u32, String)) -> bool {
    let same = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .and_then(|r| r.split_whitespace().nth(19))
            == Some(start.as_str())
    });
    same && runs(*pid)
}

/// Waits up to 5 s for every one of `processes` to end; those still running.
async fn survivors(processes: &[(u32, String)]) -> Vec<u32> {
    for _ in 0..250 {
        if !processes.iter().any(still_runs) {
            return Vec::new();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    processes
        .iter()
        .filter(|p| still_runs(p))
        .map(|p| p.0)
        .collect()
}

/// The engines' data directories in `tmp`.
fn data_dirs(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .expect("reads")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("databases-api-engines-")
        })
        .map(|e| e.path())
        .collect()
}

/// Fails the test unless every engine runs for real here.
fn require_every_engine() {
    for engine in [Engine::Postgresql, Engine::Mysql, Engine::Redis] {
        super::engines_for(engine);
    }
}

/// The temporary directory of one emulator, readable by the engines' own
/// accounts when it runs as root.
fn scratch() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("a directory");
    std::fs::set_permissions(
        tmp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    tmp
}

async fn a_signal_stops_every_server_and_removes_its_data(signal: Signal) {
    require_every_engine();
    let tmp = scratch();
    let mut emulator = Emulator::start(tmp.path());
    let (_client, ports) = emulator.databases_of_each_engine().await;
    let servers = descendants(emulator.child.id());
    // redis-server, mariadbd, and the postmaster with its children.
    assert!(servers.len() >= 5, "{servers:?}");
    assert_eq!(data_dirs(tmp.path()).len(), 1);

    kill(emulator.pid(), signal).expect("signals");
    assert_eq!(emulator.ended().await, Some(0), "after {signal}");
    assert_eq!(
        survivors(&servers).await,
        Vec::<u32>::new(),
        "after {signal}"
    );
    assert_eq!(
        data_dirs(tmp.path()),
        Vec::<PathBuf>::new(),
        "after {signal}"
    );
    assert!(Emulator::all_refuse(&ports).await, "after {signal}");
}

#[tokio::test]
#[ignore = "needs real PostgreSQL, Redis and MariaDB servers: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn sigterm_stops_every_server_and_removes_its_data() {
    a_signal_stops_every_server_and_removes_its_data(Signal::SIGTERM).await;
}

#[tokio::test]
#[ignore = "needs real PostgreSQL, Redis and MariaDB servers: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn sighup_stops_every_server_and_removes_its_data() {
    a_signal_stops_every_server_and_removes_its_data(Signal::SIGHUP).await;
}

#[tokio::test]
#[ignore = "needs real PostgreSQL, Redis and MariaDB servers: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn after_kill_9_no_server_survives_and_the_next_start_removes_the_data() {
    require_every_engine();
    let tmp = scratch();
    let mut emulator = Emulator::start(tmp.path());
    let (_client, ports) = emulator.databases_of_each_engine().await;
    let servers = descendants(emulator.child.id());
    assert!(servers.len() >= 5, "{servers:?}");

    kill(emulator.pid(), Signal::SIGKILL).expect("signals");
    emulator.ended().await;
    assert_eq!(
        survivors(&servers).await,
        Vec::<u32>::new(),
        "after kill -9"
    );
    assert!(Emulator::all_refuse(&ports).await, "after kill -9");
    // Nothing could remove the data of a process killed outright...
    let left = data_dirs(tmp.path());
    assert_eq!(left.len(), 1);

    // ...so the next start does (before it prints its URL), and leaves its own.
    let mut next = Emulator::start(tmp.path());
    assert!(!left[0].exists(), "{} is still there", left[0].display());
    assert_eq!(data_dirs(tmp.path()).len(), 1);
    kill(next.pid(), Signal::SIGTERM).expect("signals");
    assert_eq!(next.ended().await, Some(0));
    assert_eq!(data_dirs(tmp.path()), Vec::<PathBuf>::new());
}
