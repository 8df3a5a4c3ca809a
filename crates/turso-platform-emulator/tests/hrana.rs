//! Hrana over HTTP at the wire: routing by `Host` and by path prefix, the
//! version endpoints, batons, every stream request type, the cursor's line
//! format, and refusals.

use crate::common;

use common::{Api, assert_no_violations, database, group};
use serde_json::{Value, json};
use turso_platform_emulator::Emulator;

struct Sql {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Sql {
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn pipeline(&self, baton: Option<&str>, requests: Value) -> Value {
        let (s, b) = self
            .post("v3/pipeline", json!({"baton": baton, "requests": requests}))
            .await;
        assert_eq!(s, 200, "{b}");
        b
    }
}

async fn setup() -> (Emulator, Api, Sql) {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    database(&api, "db", "g").await;
    let (s, t) = api
        .post_empty("/v1/organizations/acme/databases/db/auth/tokens")
        .await;
    assert_eq!(s, 200);
    let sql = Sql {
        http: reqwest::Client::new(),
        url: emu.database_url("acme", "db"),
        token: t["jwt"].as_str().expect("jwt").to_string(),
    };
    (emu, api, sql)
}

fn stmt(sql: &str) -> Value {
    json!({"type": "execute", "stmt": {"sql": sql}})
}

#[tokio::test]
async fn version_endpoints_and_protobuf_answer_as_the_service() {
    let (emu, _api, sql) = setup().await;
    for (path, status) in [
        ("health", 200),
        ("version", 200),
        ("v2", 200),
        ("v3", 200),
        ("v3-protobuf", 404),
        ("nothing", 404),
    ] {
        let got = sql
            .http
            .get(format!("{}{path}", sql.url))
            .send()
            .await
            .expect("sent")
            .status();
        assert_eq!(got, status, "{path}");
    }
    let (s, _) = sql.post("v3-protobuf/pipeline", json!({})).await;
    assert_eq!(s, 404);
    let missing = emu.database_url("acme", "missing");
    let got = sql
        .http
        .get(format!("{missing}health"))
        .send()
        .await
        .expect("sent");
    assert_eq!(got.status(), 404);
}

#[tokio::test]
async fn the_host_header_reaches_the_database_too() {
    let (emu, _api, sql) = setup().await;
    let resp = sql
        .http
        .post(format!("{}/v2/pipeline", emu.base_url()))
        .header("host", emu.database_hostname("acme", "db"))
        .bearer_auth(&sql.token)
        .json(&json!({"baton": null, "requests": [stmt("SELECT 40 + 2"), {"type": "close"}]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        body["results"][0]["response"]["result"]["rows"][0][0],
        json!({"type": "integer", "value": "42"})
    );
    assert_eq!(body["baton"], Value::Null, "closed");
    // An instance hostname works as well.
    let resp = sql
        .http
        .get(format!("{}/health", emu.base_url()))
        .header(
            "host",
            format!("aws-us-east-1-{}", emu.database_hostname("acme", "db")),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn batons_carry_a_transaction_across_requests() {
    let (emu, _api, sql) = setup().await;
    let r = sql
        .pipeline(
            None,
            json!([stmt("CREATE TABLE t (x)"), stmt("BEGIN"), stmt("INSERT INTO t VALUES (1)"), {"type": "get_autocommit"}]),
        )
        .await;
    assert_eq!(r["results"][3]["response"]["is_autocommit"], false);
    let baton = r["baton"].as_str().expect("a baton").to_string();
    // Another stream does not see the uncommitted row.
    let other = sql
        .pipeline(
            None,
            json!([stmt("SELECT count(*) FROM t"), {"type": "close"}]),
        )
        .await;
    assert_eq!(
        other["results"][0]["response"]["result"]["rows"][0][0]["value"],
        "0"
    );
    let r = sql
        .pipeline(
            Some(&baton),
            json!([stmt("ROLLBACK"), stmt("SELECT count(*) FROM t")]),
        )
        .await;
    assert_eq!(
        r["results"][1]["response"]["result"]["rows"][0][0]["value"],
        "0"
    );
    let next = r["baton"].as_str().expect("a new baton");
    assert_ne!(next, baton);
    // The old baton is spent; a forged one is refused.
    for bad in [baton.as_str(), "1.forged"] {
        let (s, b) = sql
            .post("v3/pipeline", json!({"baton": bad, "requests": []}))
            .await;
        assert_eq!(s, 400, "{b}");
        assert_eq!(b["code"], "STREAM_EXPIRED");
    }
    let r = sql
        .pipeline(Some(next), json!([{"type": "close"}, stmt("SELECT 1")]))
        .await;
    assert_eq!(r["baton"], Value::Null);
    assert_eq!(r["results"][1]["type"], "error");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn every_request_type_answers() {
    let (_emu, _api, sql) = setup().await;
    let r = sql
        .pipeline(
            None,
            json!([
                {"type": "sequence", "sql": "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a');"},
                {"type": "store_sql", "sql_id": 1, "sql": "SELECT v FROM t WHERE id = ?"},
                {"type": "execute", "stmt": {"sql_id": 1, "args": [{"type": "integer", "value": "1"}]}},
                {"type": "describe", "sql_id": 1},
                {"type": "close_sql", "sql_id": 1},
                {"type": "execute", "stmt": {"sql_id": 1, "args": []}},
                {"type": "batch", "batch": {"steps": [
                    {"stmt": {"sql": "INSERT INTO t (id, v) VALUES (1, 'dup')"}},
                    {"condition": {"type": "error", "step": 0}, "stmt": {"sql": "SELECT 'handled'"}},
                    {"condition": {"type": "is_autocommit"}, "stmt": {"sql": "SELECT 1", "want_rows": false}}
                ]}},
                {"type": "execute", "stmt": {"sql": "SELEKT"}},
                {"type": "get_autocommit"},
                {"type": "close"}
            ]),
        )
        .await;
    let res = &r["results"];
    assert_eq!(res[0]["response"]["type"], "sequence");
    assert_eq!(res[1]["response"]["type"], "store_sql");
    assert_eq!(res[2]["response"]["result"]["rows"][0][0]["value"], "a");
    assert_eq!(
        res[2]["response"]["result"]["cols"][0],
        json!({"name": "v", "decltype": "TEXT"})
    );
    assert_eq!(
        res[3]["response"]["result"]["params"],
        json!([{"name": null}])
    );
    assert_eq!(res[3]["response"]["result"]["is_readonly"], true);
    assert_eq!(res[4]["response"]["type"], "close_sql");
    assert_eq!(res[5]["type"], "error", "the SQL text was closed");
    let batch = &res[6]["response"]["result"];
    assert_eq!(batch["step_errors"][0]["code"], "SQLITE_CONSTRAINT");
    assert_eq!(batch["step_results"][1]["rows"][0][0]["value"], "handled");
    assert_eq!(batch["step_results"][2]["rows"], json!([]));
    assert_eq!(res[7]["error"]["code"], "SQL_PARSE_ERROR");
    assert_eq!(res[8]["response"]["is_autocommit"], true);
    assert_eq!(res[9]["response"]["type"], "close");
}

#[tokio::test]
async fn the_cursor_answers_in_lines() {
    let (_emu, _api, sql) = setup().await;
    let resp = sql
        .http
        .post(format!("{}v3/cursor", sql.url))
        .bearer_auth(&sql.token)
        .json(&json!({"baton": null, "batch": {"steps": [
            {"stmt": {"sql": "SELECT 1 AS one UNION ALL SELECT 2"}},
            {"stmt": {"sql": "SELECT * FROM nowhere"}}
        ]}}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("body");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert!(lines[0]["baton"].is_string());
    let kinds: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        kinds,
        ["step_begin", "row", "row", "step_end", "step_error"]
    );
    assert_eq!(lines[1]["cols"][0]["name"], "one");
    assert_eq!(lines[3]["row"][0]["value"], "2");
    assert_eq!(lines[5]["step"], 1);
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let (emu, api, sql) = setup().await;
    let anonymous = Sql {
        token: String::new(),
        ..sql
    };
    let (s, _) = anonymous
        .post("v3/pipeline", json!({"baton": null, "requests": []}))
        .await;
    assert_eq!(s, 401);
    // A token of another database does not open this one.
    database(&api, "other", "g").await;
    let (_, t) = api
        .post_empty("/v1/organizations/acme/databases/other/auth/tokens")
        .await;
    let foreign = Sql {
        token: t["jwt"].as_str().expect("jwt").to_string(),
        ..anonymous
    };
    let (s, _) = foreign
        .post("v3/pipeline", json!({"baton": null, "requests": []}))
        .await;
    assert_eq!(s, 401);
    let (s, b) = foreign.post("v3/pipeline", json!({"nonsense": true})).await;
    assert_eq!(s, 401, "authentication comes first: {b}");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn data_and_state_survive_a_restart_and_a_second_emulator_is_refused() {
    let data = tempfile::tempdir().expect("tempdir");
    let token = {
        let emu = Emulator::builder()
            .data_dir(data.path())
            .start()
            .await
            .expect("starts");
        let api = Api::new(&emu);
        group(&api, "g", "aws-us-east-1").await;
        for name in ["a", "b", "c"] {
            database(&api, name, "g").await;
        }
        assert_eq!(
            api.delete("/v1/organizations/acme/databases/b").await.0,
            200
        );
        let second = Emulator::builder().data_dir(data.path()).start().await;
        let err = second.expect_err("the directory is in use");
        assert!(err.to_string().contains("in use"), "{err}");
        let (_, t) = api
            .post_empty("/v1/organizations/acme/groups/g/auth/tokens")
            .await;
        let token = t["jwt"].as_str().expect("jwt").to_string();
        let sql = Sql {
            http: reqwest::Client::new(),
            url: emu.database_url("acme", "a"),
            token: token.clone(),
        };
        sql.pipeline(
            None,
            json!([
                stmt("CREATE TABLE t (x)"),
                stmt("INSERT INTO t VALUES ('kept')")
            ]),
        )
        .await;
        token
    };
    let emu = Emulator::builder()
        .data_dir(data.path())
        .start()
        .await
        .expect("restarts");
    let api = Api::new(&emu);
    let (_, list) = api.get("/v1/organizations/acme/databases").await;
    let names: Vec<&str> = list["databases"]
        .as_array()
        .expect("databases")
        .iter()
        .map(|d| d["Name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["a", "c"]);
    let sql = Sql {
        http: reqwest::Client::new(),
        url: emu.database_url("acme", "a"),
        token,
    };
    let r = sql.pipeline(None, json!([stmt("SELECT x FROM t")])).await;
    assert_eq!(
        r["results"][0]["response"]["result"]["rows"][0][0]["value"],
        "kept"
    );
    assert_no_violations(&emu);
}

#[tokio::test]
async fn a_request_that_fails_midway_changes_nothing() {
    let (emu, api, _sql) = setup().await;
    let (_, before) = api.get("/v1/organizations/acme/audit-logs").await;
    // Take the seed's file away: copying it fails after the create was
    // checked and applied in memory.
    let file = emu.database_file("acme", "db").expect("file");
    std::fs::remove_file(&file).expect("removed");
    let (s, b) = api
        .post(
            "/v1/organizations/acme/databases",
            json!({"name": "copy", "group": "g", "seed": {"type": "database", "name": "db"}}),
        )
        .await;
    assert_eq!(s, 500, "{b}");
    let (s, _) = api.get("/v1/organizations/acme/databases/copy").await;
    assert_eq!(s, 404, "the failed create left no database");
    let (_, after) = api.get("/v1/organizations/acme/audit-logs").await;
    assert_eq!(before, after, "nor an audit entry");
    assert!(emu.database_file("acme", "copy").is_none());
    // The name is free: a plain create succeeds.
    database(&api, "copy", "g").await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let (_emu, api, sql) = setup().await;
    let (s, t) = api
        .post_empty("/v1/organizations/acme/databases/db/auth/tokens?expiration=1s")
        .await;
    assert_eq!(s, 200);
    let short = Sql {
        token: t["jwt"].as_str().expect("jwt").to_string(),
        ..sql
    };
    short
        .pipeline(None, json!([stmt("SELECT 1"), {"type": "close"}]))
        .await;
    // `exp` has a one-second resolution: two seconds are surely past it.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (s, b) = short
        .post(
            "v3/pipeline",
            json!({"baton": null, "requests": [stmt("SELECT 1")]}),
        )
        .await;
    assert_eq!(s, 401, "{b}");
    assert!(b.to_string().contains("expired"), "{b}");
}
