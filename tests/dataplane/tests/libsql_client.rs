//! The emulator's databases serve SQL to the official Rust client, `libsql`
//! (features `remote` + `tls`), at `emu.database_url(org, db)`.

use crate::common;

use std::time::{Duration, Instant};

use common::{ORG, Platform, connect, describe, setup};
use libsql::{Value, named_params, params};
use reqwest::Method;
use serde_json::json;
use turso_platform_emulator::Emulator;

#[tokio::test]
async fn positional_and_named_parameters_and_every_value_type() {
    let (emu, _api, token) = setup("values").await;
    let conn = connect(&emu, "values", &token).await;
    conn.execute(
        "CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n ANY)",
        (),
    )
    .await
    .expect("create");
    let big = i64::MAX - 1;
    let affected = conn
        .execute(
            "INSERT INTO v VALUES (?1, ?2, ?3, ?4, ?5)",
            params![big, 2.5, "héllo", vec![0u8, 1, 255], Value::Null],
        )
        .await
        .expect("positional insert");
    assert_eq!(affected, 1);
    conn.execute(
        "INSERT INTO v VALUES (:i, :r, :t, :b, :n)",
        named_params! {":i": -7, ":r": -0.125, ":t": "", ":b": Vec::<u8>::new(), ":n": 3},
    )
    .await
    .expect("named insert");
    let mut rows = conn
        .query("SELECT i, r, t, b, n FROM v ORDER BY i DESC", ())
        .await
        .expect("select");
    let first = rows.next().await.expect("row").expect("a first row");
    assert_eq!(first.get_value(0).expect("i"), Value::Integer(big));
    assert_eq!(first.get_value(1).expect("r"), Value::Real(2.5));
    assert_eq!(first.get_value(2).expect("t"), Value::Text("héllo".into()));
    assert_eq!(first.get_value(3).expect("b"), Value::Blob(vec![0, 1, 255]));
    assert_eq!(first.get_value(4).expect("n"), Value::Null);
    let second = rows.next().await.expect("row").expect("a second row");
    assert_eq!(second.get::<i64>(0).expect("i"), -7);
    assert_eq!(second.get::<f64>(1).expect("r"), -0.125);
    assert_eq!(second.get::<String>(2).expect("t"), "");
    assert_eq!(second.get_value(4).expect("n"), Value::Integer(3));
    assert!(rows.next().await.expect("end").is_none());
    assert!(emu.violations().is_empty());
}

#[tokio::test]
async fn batches_run_every_statement() {
    let (emu, _api, token) = setup("batch").await;
    let conn = connect(&emu, "batch", &token).await;
    conn.execute_batch(
        "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);",
    )
    .await
    .expect("batch");
    conn.execute_transactional_batch("INSERT INTO t VALUES (3); INSERT INTO t VALUES (4);")
        .await
        .expect("transactional batch");
    // A failing transactional batch leaves nothing behind.
    let failed = conn
        .execute_transactional_batch("INSERT INTO t VALUES (5); INSERT INTO nowhere VALUES (6);")
        .await;
    assert!(failed.is_err());
    let mut rows = conn
        .query("SELECT sum(x), count(*) FROM t", ())
        .await
        .expect("sum");
    let row = rows.next().await.expect("row").expect("one row");
    assert_eq!(row.get::<i64>(0).expect("sum"), 10);
    assert_eq!(row.get::<i64>(1).expect("count"), 4);
}

#[tokio::test]
async fn an_interactive_transaction_rolls_back() {
    let (emu, _api, token) = setup("tx").await;
    let conn = connect(&emu, "tx", &token).await;
    conn.execute("CREATE TABLE t (x INTEGER)", ())
        .await
        .expect("create");
    conn.execute("INSERT INTO t VALUES (1)", ())
        .await
        .expect("insert");

    let tx = conn.transaction().await.expect("begin");
    tx.execute("INSERT INTO t VALUES (2)", ())
        .await
        .expect("insert in tx");
    // The transaction sees its own write across requests (one stream).
    let mut rows = tx
        .query("SELECT count(*) FROM t", ())
        .await
        .expect("count in tx");
    let n: i64 = rows
        .next()
        .await
        .expect("row")
        .expect("row")
        .get(0)
        .expect("n");
    assert_eq!(n, 2);
    drop(rows);
    tx.rollback().await.expect("rollback");

    let tx = conn.transaction().await.expect("begin");
    tx.execute("INSERT INTO t VALUES (3)", ())
        .await
        .expect("insert in tx");
    tx.commit().await.expect("commit");

    let mut rows = conn
        .query("SELECT group_concat(x) FROM t", ())
        .await
        .expect("select");
    let all: String = rows
        .next()
        .await
        .expect("row")
        .expect("row")
        .get(0)
        .expect("all");
    assert_eq!(all, "1,3");
}

#[tokio::test]
async fn a_cursor_query_streams_many_rows() {
    let (emu, _api, token) = setup("cursor").await;
    let conn = connect(&emu, "cursor", &token).await;
    conn.execute_batch(
        "CREATE TABLE n (i INTEGER PRIMARY KEY);
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000)
         INSERT INTO n SELECT x FROM c;",
    )
    .await
    .expect("fill");
    let mut rows = conn
        .query("SELECT i FROM n WHERE i > ?1 ORDER BY i", params![10])
        .await
        .expect("query");
    let mut expected = 11;
    while let Some(row) = rows.next().await.expect("row") {
        assert_eq!(row.get::<i64>(0).expect("i"), expected);
        expected += 1;
    }
    assert_eq!(expected, 2001);
}

#[tokio::test]
async fn a_constraint_error_carries_its_code() {
    let (emu, _api, token) = setup("constraint").await;
    let conn = connect(&emu, "constraint", &token).await;
    conn.execute("CREATE TABLE u (k TEXT PRIMARY KEY)", ())
        .await
        .expect("create");
    conn.execute("INSERT INTO u VALUES ('a')", ())
        .await
        .expect("insert");
    let err = conn
        .execute("INSERT INTO u VALUES ('a')", ())
        .await
        .expect_err("duplicate key");
    let text = describe(&err);
    assert!(text.contains("SQLITE_CONSTRAINT"), "{text}");
    assert!(text.contains("UNIQUE constraint failed"), "{text}");
}

#[tokio::test]
async fn a_read_only_token_reads_but_cannot_write() {
    let (emu, api, token) = setup("ro").await;
    let rw = connect(&emu, "ro", &token).await;
    rw.execute("CREATE TABLE t (x)", ()).await.expect("create");
    rw.execute("INSERT INTO t VALUES (1)", ())
        .await
        .expect("insert");
    let read_only = api.token("ro", "read-only").await;
    let ro = connect(&emu, "ro", &read_only).await;
    let mut rows = ro.query("SELECT x FROM t", ()).await.expect("read");
    assert_eq!(
        rows.next()
            .await
            .expect("row")
            .expect("row")
            .get::<i64>(0)
            .expect("x"),
        1
    );
    let err = ro
        .execute("INSERT INTO t VALUES (2)", ())
        .await
        .expect_err("a read-only token cannot write");
    let text = describe(&err);
    assert!(text.contains("SQLITE_AUTH"), "{text}");
    assert!(ro.execute("DROP TABLE t", ()).await.is_err());
}

#[tokio::test]
async fn rotated_tokens_are_refused_and_group_tokens_cover_the_group() {
    let (emu, api, token) = setup("rot").await;
    api.database("other", "g").await;
    let group_token = api.group_token("g").await;
    for db in ["rot", "other"] {
        let conn = connect(&emu, db, &group_token).await;
        conn.execute("CREATE TABLE t (x)", ())
            .await
            .expect("a group token works");
    }
    let conn = connect(&emu, "rot", &token).await;
    conn.query("SELECT 1", ())
        .await
        .expect("works before rotation");

    api.ok(Method::POST, "/databases/rot/auth/rotate", None)
        .await;
    let err = connect(&emu, "rot", &token)
        .await
        .query("SELECT 1", ())
        .await
        .expect_err("a token minted before the rotation");
    assert!(describe(&err).contains("401"), "{}", describe(&err));
    let fresh = api.token("rot", "full-access").await;
    connect(&emu, "rot", &fresh)
        .await
        .query("SELECT 1", ())
        .await
        .expect("a new token works");

    api.ok(Method::POST, "/groups/g/auth/rotate", None).await;
    for (db, t) in [("other", &group_token), ("rot", &fresh)] {
        let refused = connect(&emu, db, t).await.query("SELECT 1", ()).await;
        assert!(
            refused.is_err(),
            "{db}: rotating the group refuses older tokens"
        );
    }
}

#[tokio::test]
async fn block_writes_refuses_writes_and_block_reads_refuses_reads() {
    let (emu, api, token) = setup("blocked").await;
    let conn = connect(&emu, "blocked", &token).await;
    conn.execute("CREATE TABLE t (x)", ())
        .await
        .expect("create");
    api.ok(
        Method::PATCH,
        "/databases/blocked/configuration",
        Some(json!({"block_writes": true})),
    )
    .await;
    let err = conn
        .execute("INSERT INTO t VALUES (1)", ())
        .await
        .expect_err("writes are blocked");
    assert!(describe(&err).contains("BLOCKED"), "{}", describe(&err));
    conn.query("SELECT count(*) FROM t", ())
        .await
        .expect("reads still work");
    api.ok(
        Method::PATCH,
        "/databases/blocked/configuration",
        Some(json!({"block_writes": false, "block_reads": true})),
    )
    .await;
    let err = conn
        .query("SELECT count(*) FROM t", ())
        .await
        .expect_err("reads are blocked");
    assert!(describe(&err).contains("BLOCKED"), "{}", describe(&err));
}

/// An SQLite file the upload accepts: WAL mode, 4096-byte pages.
fn sqlite_file(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("upload.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(
        "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;
         CREATE TABLE fruit (name TEXT, n INTEGER);
         INSERT INTO fruit VALUES ('apple', 3), ('pear', 5);",
    )
    .expect("fill");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    drop(conn);
    std::fs::read(&path).expect("read")
}

#[tokio::test]
async fn an_uploaded_file_is_queried() {
    let emu = Emulator::start().await.expect("starts");
    let api = Platform::new(&emu);
    api.group("g").await;
    api.create(json!({"name": "up", "group": "g", "seed": {"type": "database_upload"}}))
        .await;
    let token = api.token("up", "full-access").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = sqlite_file(dir.path());
    let resp = reqwest::Client::new()
        .post(format!("{}v1/upload", emu.database_url(ORG, "up")))
        .bearer_auth(&token)
        .body(file.clone())
        .send()
        .await
        .expect("upload sent");
    assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
    let conn = connect(&emu, "up", &token).await;
    let mut rows = conn
        .query("SELECT sum(n) FROM fruit", ())
        .await
        .expect("the uploaded table");
    assert_eq!(
        rows.next()
            .await
            .expect("row")
            .expect("row")
            .get::<i64>(0)
            .expect("sum"),
        8
    );
    conn.execute("INSERT INTO fruit VALUES ('fig', 1)", ())
        .await
        .expect("the uploaded database takes writes");
}

#[tokio::test]
async fn a_seeded_database_starts_with_its_parents_data() {
    let (emu, api, token) = setup("parent").await;
    let conn = connect(&emu, "parent", &token).await;
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES ('from the parent');")
        .await
        .expect("fill");
    api.create(
        json!({"name": "child", "group": "g", "seed": {"type": "database", "name": "parent"}}),
    )
    .await;
    conn.execute("INSERT INTO t VALUES ('after the copy')", ())
        .await
        .expect("the parent goes on");
    let child_token = api.token("child", "full-access").await;
    let child = connect(&emu, "child", &child_token).await;
    let mut rows = child
        .query("SELECT group_concat(x) FROM t", ())
        .await
        .expect("copy");
    let all: String = rows
        .next()
        .await
        .expect("row")
        .expect("row")
        .get(0)
        .expect("x");
    assert_eq!(all, "from the parent");
}

#[tokio::test]
async fn a_deleted_database_is_gone() {
    let (emu, api, token) = setup("doomed").await;
    let conn = connect(&emu, "doomed", &token).await;
    conn.execute("CREATE TABLE t (x)", ())
        .await
        .expect("create");
    let file = emu.database_file(ORG, "doomed").expect("a file");
    assert!(file.exists());
    api.ok(Method::DELETE, "/databases/doomed", None).await;
    assert!(!file.exists(), "deleting the database deletes its file");
    let err = connect(&emu, "doomed", &token)
        .await
        .query("SELECT 1", ())
        .await
        .expect_err("nothing serves it");
    assert!(describe(&err).contains("404"), "{}", describe(&err));
    // A new database of the same name starts empty.
    api.database("doomed", "g").await;
    let token = api.token("doomed", "full-access").await;
    let err = connect(&emu, "doomed", &token)
        .await
        .query("SELECT * FROM t", ())
        .await
        .expect_err("no table t");
    assert!(
        describe(&err).contains("no such table"),
        "{}",
        describe(&err)
    );
}

#[tokio::test]
async fn the_data_plane_delay_is_seen_and_waited_out() {
    let delay = Duration::from_millis(800);
    let emu = Emulator::builder()
        .data_plane_delay(delay)
        .start()
        .await
        .expect("starts");
    let api = Platform::new(&emu);
    api.group("g").await;
    let created = Instant::now();
    api.database("late", "g").await;
    // The Platform API reports the database at once...
    api.ok(Method::GET, "/databases/late", None).await;
    let token = api.token("late", "full-access").await;
    // ...but its data plane answers 404 for a while.
    let err = connect(&emu, "late", &token)
        .await
        .query("SELECT 1", ())
        .await
        .expect_err("not served yet");
    assert!(describe(&err).contains("404"), "{}", describe(&err));
    // Wait the way a readiness check should: probe the data plane.
    let health = format!("{}health", emu.database_url(ORG, "late"));
    let http = reqwest::Client::new();
    loop {
        let status = http.get(&health).send().await.expect("probe").status();
        if status == 200 {
            break;
        }
        assert_eq!(status, 404);
        assert!(
            created.elapsed() < delay * 5,
            "the data plane never came up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(created.elapsed() >= delay);
    connect(&emu, "late", &token)
        .await
        .query("SELECT 1", ())
        .await
        .expect("served after the delay");
}

#[tokio::test]
async fn usage_and_stats_count_what_ran() {
    let (emu, api, token) = setup("counted").await;
    let conn = connect(&emu, "counted", &token).await;
    conn.execute("CREATE TABLE t (x)", ())
        .await
        .expect("create");
    for i in 0..5 {
        conn.execute("INSERT INTO t VALUES (?1)", params![i])
            .await
            .expect("insert");
    }
    // Twice: each run of a statement counts its own rows.
    for _ in 0..2 {
        let mut rows = conn.query("SELECT x FROM t", ()).await.expect("select");
        while rows.next().await.expect("row").is_some() {}
    }
    let usage = api.ok(Method::GET, "/databases/counted/usage", None).await;
    let total = &usage["database"]["total"];
    assert_eq!(total["rows_written"], 5, "{usage}");
    assert!(
        total["rows_read"].as_u64().expect("rows_read") >= 5,
        "{usage}"
    );
    assert!(
        total["storage_bytes"].as_u64().expect("bytes") >= 4096,
        "{usage}"
    );
    let stats = api.ok(Method::GET, "/databases/counted/stats", None).await;
    let top = stats["top_queries"].as_array().expect("top queries");
    let insert = top
        .iter()
        // The client ends each statement with a semicolon.
        .find(|q| q["query"] == "INSERT INTO t VALUES (?1);")
        .unwrap_or_else(|| panic!("the insert is among the top queries: {stats}"));
    assert_eq!(insert["rows_written"], 5);
    assert!(emu.violations().is_empty(), "{:?}", emu.violations());
}
