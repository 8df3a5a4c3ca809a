//! The database-host upload endpoint, token rotation, and persistence.

use crate::common;

use std::path::Path;

use common::{Api, assert_no_violations, group};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use turso_platform_emulator::Emulator;

/// A real SQLite file made by SQLite itself.
fn sqlite_file(dir: &Path, name: &str, page_size: u32, wal: bool) -> Vec<u8> {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "page_size", page_size)
        .expect("page_size");
    if wal {
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .expect("wal");
        assert_eq!(mode, "wal");
    }
    conn.execute_batch("CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('hello');")
        .expect("write");
    if wal {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
    }
    drop(conn);
    std::fs::read(&path).expect("read back")
}

/// Create a database waiting for an upload and mint a token for it.
async fn upload_target(api: &Api, name: &str, query: &str) -> String {
    let (s, b) = api
        .post(
            "/v1/organizations/acme/databases",
            json!({"name": name, "group": "g", "seed": {"type": "database_upload"}}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    token(api, name, query).await
}

async fn token(api: &Api, name: &str, query: &str) -> String {
    let (s, t) = api
        .post_empty(&format!(
            "/v1/organizations/acme/databases/{name}/auth/tokens{query}"
        ))
        .await;
    assert_eq!(s, 200, "{t}");
    t["jwt"].as_str().expect("jwt").to_string()
}

/// POST the bytes to the database host through the emulator's address.
async fn upload(emu: &Emulator, db: &str, token: &str, bytes: Vec<u8>) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/upload", emu.base_url()))
        .header("host", emu.database_hostname("acme", db))
        .header("x-turso-encryption-cipher", "aes256gcm")
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

#[tokio::test]
async fn upload_is_accepted_and_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    let jwt = upload_target(&api, "up", "?expiration=1h").await;
    let file = sqlite_file(dir.path(), "ok.db", 4096, true);
    let (s, b) = upload(&emu, "up", &jwt, file.clone()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(emu.uploaded_file("acme", "up"), Some(file.clone()));
    let (_, usage) = api.get("/v1/organizations/acme/databases/up/usage").await;
    assert_eq!(usage["database"]["total"]["storage_bytes"], file.len());
    let (s, _) = upload(&emu, "up", &jwt, file).await;
    assert_eq!(s, 409, "a database is uploaded once");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn bad_uploads_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    let jwt = upload_target(&api, "up", "").await;

    let (s, e) = upload(&emu, "up", &jwt, b"definitely not sqlite".repeat(300)).await;
    assert_eq!(s, 400, "{e}");
    let (s, e) = upload(
        &emu,
        "up",
        &jwt,
        sqlite_file(dir.path(), "p.db", 8192, true),
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        e["error"].as_str().is_some_and(|m| m.contains("page size")),
        "{e}"
    );
    let (s, e) = upload(
        &emu,
        "up",
        &jwt,
        sqlite_file(dir.path(), "j.db", 4096, false),
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        e["error"].as_str().is_some_and(|m| m.contains("WAL")),
        "{e}"
    );

    let good = sqlite_file(dir.path(), "g.db", 4096, true);
    let (s, _) = upload(&emu, "up", "not.a.token", good.clone()).await;
    assert_eq!(s, 401);
    let ro = token(&api, "up", "?authorization=read-only").await;
    let (s, _) = upload(&emu, "up", &ro, good.clone()).await;
    assert_eq!(s, 403);

    // No Content-Length: a chunked request written by hand.
    let mut sock = tokio::net::TcpStream::connect(emu.addr())
        .await
        .expect("connect");
    let request = format!(
        "POST /v1/upload HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {jwt}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        emu.database_hostname("acme", "up")
    );
    sock.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    sock.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 411"), "{answer}");

    // A database not created for upload.
    common::database(&api, "plain", "g").await;
    let plain = token(&api, "plain", "").await;
    let (s, _) = upload(&emu, "plain", &plain, good.clone()).await;
    assert_eq!(s, 400);

    assert_eq!(emu.uploaded_file("acme", "up"), None);
    let (s, _) = upload(&emu, "up", &jwt, good).await;
    assert_eq!(s, 200, "the database still accepts a good file");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn rotation_invalidates_earlier_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    let before = upload_target(&api, "rot", "").await;
    let (s, _) = api
        .post_empty("/v1/organizations/acme/databases/rot/auth/rotate")
        .await;
    assert_eq!(s, 200);
    let file = sqlite_file(dir.path(), "r.db", 4096, true);
    let (s, e) = upload(&emu, "rot", &before, file.clone()).await;
    assert_eq!(s, 401, "{e}");

    // Group rotation invalidates database tokens of the group too.
    let after_db_rotation = token(&api, "rot", "").await;
    let (s, _) = api
        .post_empty("/v1/organizations/acme/groups/g/auth/rotate")
        .await;
    assert_eq!(s, 200);
    let (s, _) = upload(&emu, "rot", &after_db_rotation, file.clone()).await;
    assert_eq!(s, 401);

    let fresh = token(&api, "rot", "").await;
    let (s, b) = upload(&emu, "rot", &fresh, file).await;
    assert_eq!(s, 200, "{b}");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn state_survives_a_restart_with_a_data_dir() {
    let data = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    let file = sqlite_file(files.path(), "p.db", 4096, true);
    let (token, ci_token) = {
        let emu = Emulator::builder()
            .data_dir(data.path())
            .start()
            .await
            .expect("starts");
        let api = Api::new(&emu);
        group(&api, "g", "aws-eu-west-1").await;
        let jwt = upload_target(&api, "kept", "").await;
        let (s, _) = upload(&emu, "kept", &jwt, file.clone()).await;
        assert_eq!(s, 200);
        let (_, t) = api.post_empty("/v1/auth/api-tokens/ci").await;
        (
            emu.token().to_string(),
            t["token"].as_str().expect("token").to_string(),
        )
    };
    // Let the old server's tasks wind down before reusing the directory.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let emu = Emulator::builder()
        .data_dir(data.path())
        .start()
        .await
        .expect("restarts");
    assert_eq!(emu.token(), token, "the printed token stays valid");
    let api = Api::new(&emu);
    let (s, db) = api.get("/v1/organizations/acme/databases/kept").await;
    assert_eq!(s, 200);
    assert_eq!(db["database"]["primaryRegion"], "aws-eu-west-1");
    assert_eq!(emu.uploaded_file("acme", "kept"), Some(file));
    assert_eq!(api.with_token(Some(&ci_token)).get("/v1/user").await.0, 200);
    let (_, logs) = api.get("/v1/organizations/acme/audit-logs").await;
    assert_eq!(logs["pagination"]["total_rows"], 4);
    // Deleting removes the stored file too.
    assert_eq!(
        api.delete("/v1/organizations/acme/databases/kept").await.0,
        200
    );
    let files: Vec<_> = std::fs::read_dir(data.path().join("databases"))
        .expect("databases dir")
        .collect();
    assert!(files.is_empty(), "{files:?}");
    assert_no_violations(&emu);
}
