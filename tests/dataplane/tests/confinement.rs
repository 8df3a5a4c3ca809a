//! A tenant's SQL stays in its database, through the official `libsql`
//! client: ATTACH only in the service's form (by database id, with
//! `allow_attach` and the token's `read_attach`, read-only), no VACUUM INTO,
//! no `load_extension`, no pragma that reaches beyond the connection or
//! weakens durability, and read-only tokens that only read. Statements the
//! client's own parser will not send (most pragmas, `VACUUM INTO`) and
//! several statements on one stream go as raw Hrana.

use crate::common;

use common::{ORG, Platform, connect, describe, setup};
use reqwest::Method;
use serde_json::{Value, json};

/// A database's address and a token, for raw Hrana.
struct Raw {
    url: String,
    token: String,
}

impl Raw {
    fn new(emu: &turso_platform_emulator::Emulator, db: &str, token: &str) -> Raw {
        Raw {
            url: emu.database_url(ORG, db),
            token: token.to_string(),
        }
    }

    /// Run statements on one stream; each one's `{"type": "ok"|"error", ...}`.
    async fn run(&self, sqls: &[&str]) -> Vec<Value> {
        let mut requests: Vec<Value> = sqls
            .iter()
            .map(|s| json!({"type": "execute", "stmt": {"sql": s}}))
            .collect();
        requests.push(json!({"type": "close"}));
        let resp = reqwest::Client::new()
            .post(format!("{}v3/pipeline", self.url))
            .bearer_auth(&self.token)
            .json(&json!({"baton": null, "requests": requests}))
            .send()
            .await
            .expect("sent");
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.expect("json");
        body["results"].as_array().expect("results").clone()
    }
}

/// The error text of a statement that must fail with `SQLITE_AUTH`: sent
/// through `libsql`, or as raw Hrana when the client will not send it.
async fn refused(conn: &libsql::Connection, raw: &Raw, sql: &str) -> String {
    let err = conn
        .execute(sql, ())
        .await
        .expect_err(&format!("{sql} must be refused"));
    let mut text = describe(&err);
    if text.contains("UnsupportedStatement") {
        let r = raw.run(&[sql]).await;
        text = r[0].to_string();
        assert_eq!(r[0]["type"], "error", "{sql}: {text}");
        assert_eq!(r[0]["error"]["code"], "SQLITE_AUTH", "{sql}: {text}");
    }
    assert!(text.contains("SQLITE_AUTH"), "{sql}: {text}");
    text
}

async fn count(conn: &libsql::Connection, sql: &str) -> i64 {
    conn.query(sql, ())
        .await
        .expect("query")
        .next()
        .await
        .expect("row")
        .expect("a row")
        .get::<i64>(0)
        .expect("integer")
}

async fn token_with_attach(api: &Platform, db: &str, auth: &str, attach: &[&str]) -> String {
    let b = api
        .ok(
            Method::POST,
            &format!("/databases/{db}/auth/tokens?authorization={auth}"),
            Some(json!({"permissions": {"read_attach": {"databases": attach}}})),
        )
        .await;
    b["jwt"].as_str().expect("jwt").to_string()
}

async fn database_id(api: &Platform, db: &str) -> String {
    let b = api.ok(Method::GET, &format!("/databases/{db}"), None).await;
    b["database"]["DbId"].as_str().expect("DbId").to_string()
}

/// Databases `a` and `b` (with a row in `b.secret`), and a full-access and
/// a read-only token of `a`.
async fn two_databases() -> (turso_platform_emulator::Emulator, Platform, String, String) {
    let (emu, api, b_token) = setup("b").await;
    let b = connect(&emu, "b", &b_token).await;
    b.execute("CREATE TABLE secret (x)", ())
        .await
        .expect("creates");
    b.execute("INSERT INTO secret VALUES (42)", ())
        .await
        .expect("inserts");
    api.database("a", "g").await;
    let rw = api.token("a", "full-access").await;
    let ro = api.token("a", "read-only").await;
    (emu, api, rw, ro)
}

#[tokio::test]
async fn attach_by_path_uri_or_memory_is_refused() {
    let (emu, _api, rw, ro) = two_databases().await;
    let path = emu.database_file(ORG, "b").expect("b's file");
    let path = path.display();
    for token in [&rw, &ro] {
        let a = connect(&emu, "a", token).await;
        let raw = Raw::new(&emu, "a", token);
        for sql in [
            format!("ATTACH '{path}' AS x"),
            format!("ATTACH 'file:{path}' AS x"),
            "ATTACH 'file:/etc/passwd' AS x".to_string(),
            "ATTACH ':memory:' AS m".to_string(),
            "ATTACH '' AS e".to_string(),
            format!("ATTACH '{path}' || '' AS x"),
        ] {
            refused(&a, &raw, &sql).await;
        }
        assert!(a.query("SELECT x FROM x.secret", ()).await.is_err());
    }
    let b_file = rusqlite::Connection::open_with_flags(
        emu.database_file(ORG, "b").expect("file"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("opens");
    let n: i64 = b_file
        .query_row("SELECT count(*) FROM secret", [], |r| r.get(0))
        .expect("counts");
    assert_eq!(n, 1, "nothing was written into b");
}

#[tokio::test]
async fn attach_by_id_needs_allow_attach_and_the_permission_and_is_read_only() {
    let (emu, api, rw, _ro) = two_databases().await;
    let id = database_id(&api, "b").await;
    let attach = format!("ATTACH \"{id}\" AS other");
    let permitted = token_with_attach(&api, "a", "full-access", &["b"]).await;
    let permitted_ro = token_with_attach(&api, "a", "read-only", &["b"]).await;

    // Neither allow_attach nor the permission; the permission alone.
    let (plain, with_permission) = (Raw::new(&emu, "a", &rw), Raw::new(&emu, "a", &permitted));
    refused(&connect(&emu, "a", &rw).await, &plain, &attach).await;
    let text = refused(
        &connect(&emu, "a", &permitted).await,
        &with_permission,
        &attach,
    )
    .await;
    assert!(text.contains("allows attach"), "{text}");

    api.ok(
        Method::PATCH,
        "/databases/b/configuration",
        Some(json!({"allow_attach": true})),
    )
    .await;
    // allow_attach alone.
    refused(&connect(&emu, "a", &rw).await, &plain, &attach).await;

    // Both: attached (the client sends it; the rest on one stream), readable, read-only.
    for token in [&permitted, &permitted_ro] {
        connect(&emu, "a", token)
            .await
            .execute(&attach, ())
            .await
            .expect("attaches by id");
        let r = Raw::new(&emu, "a", token)
            .run(&[
                &attach,
                "SELECT x FROM other.secret",
                "INSERT INTO other.secret VALUES (1)",
                "DETACH other",
            ])
            .await;
        assert_eq!(r[0]["type"], "ok", "{}", r[0]);
        let rows = &r[1]["response"]["result"]["rows"];
        assert_eq!(rows[0][0]["value"], "42", "{}", r[1]);
        let code = r[2]["error"]["code"].as_str().unwrap_or_default();
        assert!(
            code == "SQLITE_READONLY" || code == "SQLITE_AUTH",
            "attached databases are read-only: {}",
            r[2]
        );
        assert_eq!(r[3]["type"], "ok", "{}", r[3]);
    }

    // A small number at once.
    let sqls: Vec<String> = (0..5).map(|n| format!("ATTACH \"{id}\" AS o{n}")).collect();
    let sqls: Vec<&str> = sqls.iter().map(String::as_str).collect();
    let r = with_permission.run(&sqls).await;
    assert!(r[..4].iter().all(|r| r["type"] == "ok"), "{r:?}");
    assert!(
        r[4]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("too many attached")),
        "{}",
        r[4]
    );
    let b_file = rusqlite::Connection::open_with_flags(
        emu.database_file(ORG, "b").expect("file"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("opens");
    let n: i64 = b_file
        .query_row("SELECT count(*) FROM secret", [], |r| r.get(0))
        .expect("counts");
    assert_eq!(n, 1, "nothing was written into b");
}

#[tokio::test]
async fn vacuum_into_and_load_extension_are_refused() {
    let (emu, _api, rw, ro) = two_databases().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("escape.db");
    for token in [&rw, &ro] {
        let a = connect(&emu, "a", token).await;
        let raw = Raw::new(&emu, "a", token);
        refused(&a, &raw, &format!("VACUUM INTO '{}'", target.display())).await;
        refused(&a, &raw, "SELECT load_extension('/tmp/nothing')").await;
    }
    assert!(!target.exists(), "no file was created");
}

/// A value to set each refused pragma to.
fn setting(pragma: &str) -> &'static str {
    match pragma {
        "journal_mode" => "DELETE",
        "synchronous" | "fullfsync" | "checkpoint_fullfsync" | "trusted_schema" => "OFF",
        "writable_schema" => "ON",
        "locking_mode" => "EXCLUSIVE",
        "temp_store" => "MEMORY",
        "encoding" => "'UTF-16'",
        "temp_store_directory" | "data_store_directory" => "'/tmp'",
        "lock_proxy_file" => "'/tmp/x'",
        "page_size" => "512",
        "auto_vacuum" => "FULL",
        "schema_version" => "99",
        "cache_size" => "-1000000",
        "mmap_size" => "1000000000",
        _ => "20000",
    }
}

#[tokio::test]
async fn every_refused_pragma_is_refused_for_every_token() {
    let (emu, api, rw, ro) = two_databases().await;
    // The emulator's own list, in its README and in confine.rs.
    let process = [
        "hard_heap_limit",
        "soft_heap_limit",
        "temp_store_directory",
        "data_store_directory",
        "lock_proxy_file",
    ];
    let fixed = [
        "writable_schema",
        "journal_mode",
        "synchronous",
        "fullfsync",
        "checkpoint_fullfsync",
        "mmap_size",
        "wal_autocheckpoint",
        "journal_size_limit",
        "locking_mode",
        "cache_size",
        "cache_spill",
        "temp_store",
        "threads",
        "busy_timeout",
        "page_size",
        "auto_vacuum",
        "encoding",
        "schema_version",
        "trusted_schema",
    ];
    for token in [&rw, &ro] {
        let a = connect(&emu, "a", token).await;
        let raw = Raw::new(&emu, "a", token);
        for p in process {
            refused(&a, &raw, &format!("PRAGMA {p}")).await;
            refused(&a, &raw, &format!("PRAGMA {p}={}", setting(p))).await;
        }
        for p in fixed {
            refused(&a, &raw, &format!("PRAGMA {p}={}", setting(p))).await;
            refused(&a, &raw, &format!("PRAGMA main.{p}={}", setting(p))).await;
        }
    }
    // Nothing changed (reading is allowed to a full-access token).
    let r = Raw::new(&emu, "a", &rw)
        .run(&["PRAGMA journal_mode", "PRAGMA synchronous"])
        .await;
    assert_eq!(
        r[0]["response"]["result"]["rows"][0][0]["value"], "wal",
        "{r:?}"
    );
    assert_eq!(
        r[1]["response"]["result"]["rows"][0][0]["value"], "1",
        "NORMAL: {r:?}"
    );
    // Nothing changed for anyone: the server still answers.
    let a = connect(&emu, "a", &rw).await;
    a.execute("CREATE TABLE t (x)", ()).await.expect("writes");
    api.ok(Method::GET, "/databases", None).await;
}

#[tokio::test]
async fn a_read_only_token_changes_nothing_not_even_its_connection() {
    let (emu, _api, rw, ro) = two_databases().await;
    let a = connect(&emu, "a", &rw).await;
    a.execute("CREATE TABLE t (x)", ()).await.expect("creates");
    let r = connect(&emu, "a", &ro).await;
    let raw = Raw::new(&emu, "a", &ro);
    for sql in [
        "INSERT INTO t VALUES (1)",
        "CREATE TEMP TABLE tt (x)",
        "CREATE TABLE u (x)",
        "PRAGMA foreign_keys=ON",
        "PRAGMA user_version=5",
        "PRAGMA query_only=OFF",
        "PRAGMA optimize",
        "PRAGMA wal_checkpoint",
        "ANALYZE",
        "DELETE FROM t",
        "DROP TABLE t",
    ] {
        refused(&r, &raw, sql).await;
    }
    assert_eq!(count(&r, "SELECT count(*) FROM t").await, 0);
    assert!(r.query("PRAGMA table_info(t)", ()).await.is_ok());
    assert!(r.query("PRAGMA user_version", ()).await.is_ok());
    // A full-access token may change its own connection's settings.
    a.execute("PRAGMA foreign_keys=ON", ())
        .await
        .expect("full access");
}
