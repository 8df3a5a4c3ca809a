//! Platform API behaviour through HTTP: lifecycle, auth, scoping, paging,
//! protection, duplicates, provisioning delay and concurrency.

use crate::common;

use std::time::Duration;

use common::{Api, assert_no_violations, database, group};
use serde_json::{Value, json};
use turso_platform_emulator::Emulator;

#[tokio::test]
async fn full_lifecycle() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    assert_eq!(emu.organization(), "acme");
    assert_eq!(emu.username(), "alice");

    let (s, user) = api.get("/v1/user").await;
    assert_eq!(s, 200);
    assert_eq!(user["user"]["username"], "alice");

    let (s, orgs) = api.get("/v1/organizations").await;
    assert_eq!(s, 200);
    let slugs: Vec<&str> = orgs
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["slug"].as_str())
        .collect();
    assert_eq!(slugs, ["alice", "acme"]);

    let (s, locs) = api.get("/v1/locations").await;
    assert_eq!(s, 200);
    assert!(locs["locations"]["aws-us-east-1"].is_string());

    // Group, then database.
    let (s, g) = api
        .post(
            "/v1/organizations/acme/groups",
            json!({"name": "prod", "location": "aws-us-east-1"}),
        )
        .await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(g["group"]["primary"], "aws-us-east-1");
    let (s, e) = api
        .post(
            "/v1/organizations/acme/groups",
            json!({"name": "prod", "location": "aws-us-east-1"}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    let (s, e) = api
        .post(
            "/v1/organizations/acme/groups",
            json!({"name": "other", "location": "mars-1"}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (400, Some("invalid location: mars-1"))
    );

    let created = database(&api, "db1", "prod").await;
    assert_eq!(created["database"]["Name"], "db1");
    assert_eq!(
        created["database"]["Hostname"],
        emu.database_hostname("acme", "db1")
    );
    let (s, db) = api.get("/v1/organizations/acme/databases/db1").await;
    assert_eq!(s, 200);
    assert_eq!(db["database"]["group"], "prod");
    assert_eq!(db["database"]["primaryRegion"], "aws-us-east-1");
    assert_eq!(db["database"]["parent"], Value::Null);

    // Instances follow the group's locations.
    let (s, g) = api
        .post_empty("/v1/organizations/acme/groups/prod/locations/aws-eu-west-1")
        .await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(
        g["group"]["locations"],
        json!(["aws-us-east-1", "aws-eu-west-1"])
    );
    let (s, inst) = api
        .get("/v1/organizations/acme/databases/db1/instances")
        .await;
    assert_eq!(s, 200);
    let inst = inst["instances"].as_array().expect("array").clone();
    assert_eq!(inst.len(), 2);
    assert_eq!(inst[0]["type"], "primary");
    assert_eq!(inst[1]["type"], "replica");
    assert_eq!(inst[1]["name"], "aws-eu-west-1");
    let (s, one) = api
        .get("/v1/organizations/acme/databases/db1/instances/aws-eu-west-1")
        .await;
    assert_eq!(s, 200);
    assert_eq!(one["instance"]["region"], "aws-eu-west-1");
    let (s, _) = api
        .delete("/v1/organizations/acme/groups/prod/locations/aws-us-east-1")
        .await;
    assert_eq!(s, 400, "the primary cannot be removed");
    let (s, _) = api
        .delete("/v1/organizations/acme/groups/prod/locations/aws-eu-west-1")
        .await;
    assert_eq!(s, 200);
    let (_, inst) = api
        .get("/v1/organizations/acme/databases/db1/instances")
        .await;
    assert_eq!(inst["instances"].as_array().map(Vec::len), Some(1));

    // Configuration.
    let (s, cfg) = api
        .patch(
            "/v1/organizations/acme/databases/db1/configuration",
            json!({"block_writes": true, "allowed_ips": ["10.0.0.0/8"]}),
        )
        .await;
    assert_eq!(s, 200, "{cfg}");
    assert_eq!(cfg["block_writes"], true);
    let (_, db) = api.get("/v1/organizations/acme/databases/db1").await;
    assert_eq!(db["database"]["block_writes"], true);
    let (_, cfg) = api
        .get("/v1/organizations/acme/databases/db1/configuration")
        .await;
    assert_eq!(cfg["allowed_ips"], json!(["10.0.0.0/8"]));

    // Tokens.
    let (s, t) = api
        .post_empty("/v1/organizations/acme/databases/db1/auth/tokens?expiration=2w1d30m&authorization=read-only")
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["jwt"].as_str().map(|j| j.split('.').count()), Some(3));
    let (s, e) = api
        .post_empty("/v1/organizations/acme/databases/db1/auth/tokens?expiration=soon")
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (400, Some("Invalid expiration format"))
    );
    let (s, _) = api
        .post_empty("/v1/organizations/acme/groups/prod/auth/tokens")
        .await;
    assert_eq!(s, 200);
    let (s, body) = api
        .post_empty("/v1/organizations/acme/databases/db1/auth/rotate")
        .await;
    assert_eq!((s, body), (200, Value::Null));

    // Usage and stats.
    let (s, u) = api.get("/v1/organizations/acme/databases/db1/usage").await;
    assert_eq!(s, 200);
    assert_eq!(u["database"]["total"]["storage_bytes"], 4096);
    let (s, _) = api.get("/v1/organizations/acme/databases/db1/stats").await;
    assert_eq!(s, 200);
    let (s, ou) = api.get("/v1/organizations/acme/usage").await;
    assert_eq!(s, 200);
    assert_eq!(ou["organization"]["usage"]["databases"], 1);

    // Everything else of the organization answers.
    for path in [
        "/v1/organizations/acme",
        "/v1/organizations/acme/plans",
        "/v1/organizations/acme/subscription",
        "/v1/organizations/acme/invoices?type=issued",
        "/v1/organizations/acme/members",
        "/v1/organizations/acme/members/alice",
        "/v1/organizations/acme/groups",
        "/v1/organizations/acme/groups/prod",
        "/v1/organizations/acme/groups/prod/configuration",
        "/v2/organizations/acme/invites",
        "/v1/organizations/acme/api-tokens",
        "/v1/auth/api-tokens",
        "/v1/auth/validate",
    ] {
        let (s, b) = api.get(path).await;
        assert_eq!(s, 200, "{path}: {b}");
    }

    // Audit log, newest first.
    let (s, logs) = api
        .get("/v1/organizations/acme/audit-logs?page_size=100")
        .await;
    assert_eq!(s, 200);
    let codes: Vec<&str> = logs["audit_logs"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|l| l["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "group-token-create",
            "db-token-create",
            "instance-delete",
            "instance-create",
            "db-create",
            "group-create",
            "org-create"
        ]
    );
    assert_eq!(logs["audit_logs"][0]["author"], "alice");

    // Delete.
    let (s, d) = api.delete("/v1/organizations/acme/databases/db1").await;
    assert_eq!((s, d["database"].as_str()), (200, Some("db1")));
    let (s, _) = api.get("/v1/organizations/acme/databases/db1").await;
    assert_eq!(s, 404);
    let (s, _) = api.delete("/v1/organizations/acme/groups/prod").await;
    assert_eq!(s, 200);
    assert_no_violations(&emu);
}

#[tokio::test]
async fn members_invites_and_organization() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    let (s, m) = api
        .post(
            "/v1/organizations/acme/members",
            json!({"username": "bob", "role": "admin"}),
        )
        .await;
    assert_eq!((s, m["member"].as_str()), (200, Some("bob")));
    let (s, _) = api
        .post("/v1/organizations/acme/members", json!({"username": "bob"}))
        .await;
    assert_eq!(s, 409);
    let (s, _) = api
        .post(
            "/v1/organizations/acme/members",
            json!({"username": "nobody"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, m) = api
        .patch(
            "/v1/organizations/acme/members/bob",
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!((s, m["member"]["role"].as_str()), (200, Some("viewer")));
    let (s, _) = api.delete("/v1/organizations/acme/members/bob").await;
    assert_eq!(s, 200);
    let (s, _) = api.delete("/v1/organizations/acme/members/bob").await;
    assert_eq!(s, 404);

    let (s, i) = api
        .post(
            "/v2/organizations/acme/invites",
            json!({"email": "dan@example.com"}),
        )
        .await;
    assert_eq!((s, i["invited"]["role"].as_str()), (200, Some("member")));
    let (s, _) = api
        .post(
            "/v2/organizations/acme/invites",
            json!({"email": "dan@example.com", "role": "admin"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = api
        .post(
            "/v2/organizations/acme/invites",
            json!({"username": "carol"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, list) = api.get("/v2/organizations/acme/invites").await;
    let invites = list["invites"].as_array().expect("array");
    assert_eq!(invites.len(), 2, "the second invite replaced the first");
    assert_eq!(invites[0]["role"], "admin");
    let (s, b) = api
        .delete("/v2/organizations/acme/invites/dan@example.com")
        .await;
    assert_eq!((s, b), (200, Value::Null));
    let (s, _) = api
        .delete("/v2/organizations/acme/invites/dan@example.com")
        .await;
    assert_eq!(s, 404);

    let (s, o) = api
        .patch("/v1/organizations/acme", json!({"overages": true}))
        .await;
    assert_eq!(
        (s, o["organization"]["overages"].as_bool()),
        (200, Some(true))
    );
    let (_, logs) = api.get("/v1/organizations/acme/audit-logs").await;
    assert_eq!(logs["audit_logs"][0]["code"], "org-set-overages");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn group_transfer_and_unarchive() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-west-2").await;
    database(&api, "moved", "g").await;
    assert!(emu.archive_group("acme", "g"));
    let (_, g) = api.get("/v1/organizations/acme/groups/g").await;
    assert_eq!(g["group"]["archived"], true);
    let (s, _) = api
        .post(
            "/v1/organizations/acme/databases",
            json!({"name": "x", "group": "g"}),
        )
        .await;
    assert_eq!(s, 400, "archived groups take no new databases");
    let (s, g) = api
        .post_empty("/v1/organizations/acme/groups/g/unarchive")
        .await;
    assert_eq!((s, g["group"]["archived"].as_bool()), (200, Some(false)));
    let (s, b) = api
        .post_empty("/v1/organizations/acme/groups/g/update")
        .await;
    assert_eq!((s, b), (200, Value::Null));

    let (s, g) = api
        .post(
            "/v1/organizations/acme/groups/g/transfer",
            json!({"organization": "alice"}),
        )
        .await;
    assert_eq!((s, g["name"].as_str()), (200, Some("g")));
    let (s, _) = api.get("/v1/organizations/acme/databases/moved").await;
    assert_eq!(s, 404);
    let (s, db) = api.get("/v1/organizations/alice/databases/moved").await;
    assert_eq!(s, 200);
    assert_eq!(db["database"]["Hostname"], "moved-alice.turso.emulator");
    let (s, _) = api
        .post(
            "/v1/organizations/alice/groups/g/transfer",
            json!({"organization": "bob"}),
        )
        .await;
    assert_eq!(s, 404, "alice is not a member of bob's organization");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn auth_failures_answer_401() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    let (s, e) = api.with_token(None).get("/v1/organizations").await;
    assert_eq!(s, 401);
    assert!(e["error"].is_string());
    let (s, _) = api.with_token(Some("not-a-token")).get("/v1/user").await;
    assert_eq!(s, 401);

    let (s, t) = api.post_empty("/v1/auth/api-tokens/ci").await;
    assert_eq!(s, 200, "{t}");
    let token = t["token"].as_str().expect("token").to_string();
    let ci = api.with_token(Some(&token));
    assert_eq!(ci.get("/v1/auth/validate").await, (200, json!({"exp": -1})));
    let (s, _) = api.post_empty("/v1/auth/api-tokens/ci").await;
    assert_eq!(s, 409, "names are unique per user");
    let (s, r) = api.delete("/v1/auth/api-tokens/ci").await;
    assert_eq!((s, r["token"].as_str()), (200, Some("ci")));
    let (s, _) = ci.get("/v1/user").await;
    assert_eq!(s, 401, "revoked tokens are refused");
    // Invalid bodies are refused after authentication.
    let (s, e) = api
        .post(
            "/v1/organizations/acme/databases",
            json!({"name": 5, "group": "x"}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|m| m.starts_with("invalid request body: $.name")),
        "{e}"
    );
    let (s, _) = api
        .with_token(None)
        .post("/v1/organizations/acme/databases", json!({"name": 5}))
        .await;
    assert_eq!(s, 401);
    assert_no_violations(&emu);
}

#[tokio::test]
async fn scoped_tokens_answer_403_outside_their_scope() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "ga", "aws-us-east-1").await;
    group(&api, "gb", "aws-us-east-1").await;
    database(&api, "in-a", "ga").await;
    database(&api, "in-b", "gb").await;

    let (s, t) = api
        .post("/v1/auth/api-tokens/org", json!({"organization": "acme"}))
        .await;
    assert_eq!(s, 200, "{t}");
    let org = api.with_token(t["token"].as_str());
    assert_eq!(org.get("/v1/organizations/acme/databases").await.0, 200);
    let (s, e) = org.get("/v1/organizations/alice/databases").await;
    assert_eq!(s, 403, "{e}");
    let (_, orgs) = org.get("/v1/organizations").await;
    assert_eq!(orgs.as_array().map(Vec::len), Some(1));

    let (s, t) = api
        .post(
            "/v1/auth/api-tokens/grp",
            json!({"organization": "acme", "group": "ga", "scopes": ["read-only", "db:create"]}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let grp = api.with_token(t["token"].as_str());
    let (s, list) = grp.get("/v1/organizations/acme/databases").await;
    assert_eq!(s, 200);
    let names: Vec<&str> = list["databases"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["Name"].as_str())
        .collect();
    assert_eq!(names, ["in-a"]);
    assert_eq!(
        grp.get("/v1/organizations/acme/databases/in-a").await.0,
        200
    );
    assert_eq!(
        grp.get("/v1/organizations/acme/databases/in-b").await.0,
        403
    );
    assert_eq!(grp.get("/v1/organizations/acme/groups/gb").await.0, 403);
    assert_eq!(
        grp.post(
            "/v1/organizations/acme/databases",
            json!({"name": "new", "group": "ga"})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        grp.post(
            "/v1/organizations/acme/databases",
            json!({"name": "new2", "group": "gb"})
        )
        .await
        .0,
        403
    );
    assert_eq!(
        grp.delete("/v1/organizations/acme/databases/in-a").await.0,
        403,
        "no db:delete scope"
    );
    assert_eq!(grp.get("/v1/organizations/acme/members").await.0, 403);
    assert_eq!(grp.get("/v1/organizations/alice/databases").await.0, 403);

    let (_, list) = api.get("/v1/organizations/acme/api-tokens").await;
    let tokens = list["tokens"].as_array().expect("array");
    assert_eq!(tokens.len(), 2);
    let grp_entry = tokens.iter().find(|t| t["name"] == "grp").expect("listed");
    assert_eq!(grp_entry["scopes"], json!(["read", "db:create"]));
    assert_eq!(grp_entry["owner"]["username"], "alice");
    let id = grp_entry["id"].as_str().expect("id");
    let (s, r) = api
        .delete(&format!("/v1/organizations/acme/api-tokens/{id}"))
        .await;
    assert_eq!((s, r["token"].as_str()), (200, Some(id)));
    assert_eq!(grp.get("/v1/organizations/acme/databases").await.0, 401);
    assert_eq!(
        api.delete("/v1/organizations/alice/api-tokens/nope")
            .await
            .0,
        404
    );
    assert_no_violations(&emu);
}

#[tokio::test]
async fn list_databases_pages_with_limit_and_cursor() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    for i in 0..25 {
        database(&api, &format!("db-{i:02}"), "g").await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/organizations/acme/databases?limit=10&cursor={c}"),
            None => "/v1/organizations/acme/databases?limit=10".to_string(),
        };
        let (s, page) = api.get(&path).await;
        assert_eq!(s, 200, "{page}");
        pages += 1;
        for d in page["databases"].as_array().expect("array") {
            seen.push(d["Name"].as_str().expect("name").to_string());
        }
        match page["pagination"]["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..25).map(|i| format!("db-{i:02}")).collect();
    assert_eq!(seen, expected);
    let (_, all) = api.get("/v1/organizations/acme/databases?group=g").await;
    assert_eq!(all["databases"].as_array().map(Vec::len), Some(25));
    let (_, none) = api
        .get("/v1/organizations/acme/databases?group=other")
        .await;
    assert_eq!(none["databases"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        api.get("/v1/organizations/acme/databases?cursor=garbage")
            .await
            .0,
        400
    );
    assert_eq!(
        api.get("/v1/organizations/acme/databases?limit=0").await.0,
        400
    );

    // Audit logs: 1 org-create + 1 group-create + 25 db-create = 27 rows.
    let (s, p1) = api
        .get("/v1/organizations/acme/audit-logs?page=1&page_size=10")
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        p1["pagination"],
        json!({"page": 1, "page_size": 10, "total_pages": 3, "total_rows": 27})
    );
    assert_eq!(p1["audit_logs"][0]["data"]["name"], "db-24");
    let (_, p3) = api
        .get("/v1/organizations/acme/audit-logs?page=3&page_size=10")
        .await;
    let last = p3["audit_logs"].as_array().expect("array");
    assert_eq!(last.len(), 7);
    assert_eq!(last[6]["code"], "org-create");
    assert_no_violations(&emu);
}

#[tokio::test]
async fn names_groups_and_seeds_are_checked() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    for bad in ["Upper", "under_score", "", &"a".repeat(65)] {
        let (s, e) = api
            .post(
                "/v1/organizations/acme/databases",
                json!({"name": bad, "group": "g"}),
            )
            .await;
        assert_eq!(s, 400, "{bad}: {e}");
    }
    let (s, e) = api
        .post(
            "/v1/organizations/acme/databases",
            json!({"name": "ok", "group": "nope"}),
        )
        .await;
    assert_eq!((s, e["error"].as_str()), (400, Some("group not found")));
    database(&api, "src", "g").await;
    let (s, _) = api
        .post(
            "/v1/organizations/acme/databases",
            json!({"name": "copy", "group": "g", "seed": {"type": "database", "name": "src"}}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, copy) = api.get("/v1/organizations/acme/databases/copy").await;
    assert_eq!(copy["database"]["parent"]["name"], "src");
    let (s, _) = api
        .post(
            "/v1/organizations/acme/databases",
            json!({"name": "copy2", "group": "g", "seed": {"type": "database", "name": "missing"}}),
        )
        .await;
    assert_eq!(s, 400);
    assert_no_violations(&emu);
}

#[tokio::test]
async fn delete_protection_prevents_deletion() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    database(&api, "keep", "g").await;
    let (s, _) = api
        .patch(
            "/v1/organizations/acme/databases/keep/configuration",
            json!({"delete_protection": true}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = api.delete("/v1/organizations/acme/databases/keep").await;
    assert_eq!(s, 400);
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|m| m.contains("delete protection"))
    );
    let (s, _) = api.delete("/v1/organizations/acme/groups/g").await;
    assert_eq!(s, 400, "a protected database protects its group");
    let (_, db) = api.get("/v1/organizations/acme/databases/keep").await;
    assert_eq!(db["database"]["delete_protection"], true);
    api.patch(
        "/v1/organizations/acme/databases/keep/configuration",
        json!({"delete_protection": false}),
    )
    .await;
    let (s, cfg) = api
        .patch(
            "/v1/organizations/acme/groups/g/configuration",
            json!({"delete_protection": true}),
        )
        .await;
    assert_eq!((s, cfg["delete_protection"].as_bool()), (200, Some(true)));
    assert_eq!(api.delete("/v1/organizations/acme/groups/g").await.0, 400);
    api.patch(
        "/v1/organizations/acme/groups/g/configuration",
        json!({"delete_protection": false}),
    )
    .await;
    assert_eq!(api.delete("/v1/organizations/acme/groups/g").await.0, 200);
    let (_, logs) = api
        .get("/v1/organizations/acme/audit-logs?page_size=100")
        .await;
    let codes: Vec<&str> = logs["audit_logs"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|l| l["code"].as_str())
        .collect();
    for code in [
        "db-protect",
        "db-unprotect",
        "group-protect",
        "group-unprotect",
        "group-delete",
        "db-delete",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    assert_no_violations(&emu);
}

#[tokio::test]
async fn duplicate_database_answers_409_or_400() {
    for (status, message) in [
        (409u16, "database with name [dup] already exists"),
        (400, "database with same name already exists"),
    ] {
        let emu = Emulator::builder()
            .duplicate_database_status(status)
            .start()
            .await
            .expect("starts");
        let api = Api::new(&emu);
        group(&api, "g", "aws-us-east-1").await;
        database(&api, "dup", "g").await;
        let (s, e) = api
            .post(
                "/v1/organizations/acme/databases",
                json!({"name": "dup", "group": "g"}),
            )
            .await;
        assert_eq!((s, e["error"].as_str()), (status, Some(message)));
        assert_no_violations(&emu);
    }
}

#[tokio::test]
async fn provisioning_delay_answers_404_for_a_while() {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::from_millis(400))
        .start()
        .await
        .expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;
    database(&api, "slow", "g").await;
    assert_eq!(
        api.get("/v1/organizations/acme/databases/slow").await.0,
        404
    );
    assert_eq!(
        api.get("/v1/organizations/acme/databases/slow/instances")
            .await
            .0,
        404
    );
    assert_eq!(
        api.post_empty("/v1/organizations/acme/databases/slow/auth/tokens")
            .await
            .0,
        404
    );
    let (_, list) = api.get("/v1/organizations/acme/databases").await;
    assert_eq!(list["databases"].as_array().map(Vec::len), Some(1));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        api.get("/v1/organizations/acme/databases/slow").await.0,
        200
    );
    assert_no_violations(&emu);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_are_atomic() {
    let emu = Emulator::start().await.expect("starts");
    let api = Api::new(&emu);
    group(&api, "g", "aws-us-east-1").await;

    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let api = api.clone();
            tokio::spawn(async move {
                api.post(
                    "/v1/organizations/acme/databases",
                    json!({"name": format!("c-{i}"), "group": "g"}),
                )
                .await
                .0
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("joined"), 200);
    }
    let (_, list) = api.get("/v1/organizations/acme/databases").await;
    assert_eq!(list["databases"].as_array().map(Vec::len), Some(200));

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move {
                api.post(
                    "/v1/organizations/acme/databases",
                    json!({"name": "same", "group": "g"}),
                )
                .await
                .0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("joined"));
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49);
    assert_no_violations(&emu);
}
