//! What the facade accepts: every JSON example of the vendored reference
//! page (`spec/databases-api/reference.txt`), served byte for byte as
//! printed; answers outside the request patterns (a region `local`, a name
//! with `_`), single and in a list; a list with items that cannot be read;
//! credentials without `db_type` (the page's), of an unknown engine, and
//! `mongodb+srv://`; a base URL pasted with its `/api/v1`.

use crate::common;

use common::fake::{Fake, Reply, database};
use databases_api::{Client, CreateDatabase, Credentials, Engine, ErrorKind, Status, Version};
use serde_json::{Value, json};

/// The vendor's reference page, as vendored.
const PAGE: &str = include_str!("../../../spec/databases-api/reference.txt");

/// Every JSON block of the page (a line `{` or `[` up to the line that
/// closes it), with the line of text before it, which says what it is.
fn page_examples() -> Vec<(String, String)> {
    let mut examples = Vec::new();
    let lines: Vec<&str> = PAGE.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let closing = match lines[i] {
            "{" => "}",
            "[" => "]",
            _ => {
                i += 1;
                continue;
            }
        };
        let end = (i..lines.len())
            .find(|&j| lines[j] == closing)
            .expect("a closed JSON block");
        examples.push((lines[i - 1].to_string(), lines[i..=end].join("\n")));
        i = end + 1;
    }
    examples
}

/// The page's example introduced by `label`.
fn example(label: &str) -> String {
    let examples = page_examples();
    let found: Vec<&String> = examples
        .iter()
        .filter(|(l, _)| l == label)
        .map(|(_, text)| text)
        .collect();
    assert_eq!(found.len(), 1, "the page has one example after {label:?}");
    found[0].clone()
}

#[test]
fn the_page_has_the_examples_these_tests_serve() {
    let labels: Vec<String> = page_examples().into_iter().map(|(l, _)| l).collect();
    // Every block is JSON, and there are the five the page shows.
    for (label, text) in page_examples() {
        serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{label}: {e}"));
    }
    assert_eq!(
        labels,
        [
            "Response:",
            "Number of replicas for HA (default: 1)",
            "Response: 201 Created",
            "Response (PostgreSQL):",
            "Response (Redis):",
        ]
    );
}

#[tokio::test]
async fn the_pages_list_answer_decodes() {
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases",
        [Reply::raw(200, &example("Response:"))],
    );
    let all = fake.client().databases().list().await.unwrap();
    assert_eq!(all.len(), 1);
    let db = &all[0];
    assert_eq!(
        (db.id.as_str(), db.name.as_str()),
        ("db_a1b2c3d4", "main-postgres")
    );
    assert_eq!(db.project_id.as_deref(), Some("proj_default"));
    assert_eq!(db.slug.as_deref(), Some("main-postgres"));
    assert_eq!(
        (db.engine.clone(), db.version.clone()),
        (Some(Engine::Postgresql), Some(Version::V16))
    );
    assert_eq!(db.plan_id.as_deref(), Some("db-s-2vcpu-4gb"));
    assert!(db.is(&Status::Running));
    assert_eq!(db.region.as_deref(), Some("nyc1"));
    assert_eq!((db.storage_gb, db.replicas), (Some(50), Some(1)));
    assert_eq!(
        db.created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-01-15T10:30:00+00:00")
    );
}

#[tokio::test]
async fn the_pages_create_is_what_the_facade_sends_and_its_answer_decodes() {
    let fake = Fake::start().await;
    fake.on(
        "POST /api/v1/databases",
        [Reply::raw(201, &example("Response: 201 Created"))],
    );
    let input = CreateDatabase::new(
        "main-postgres",
        Engine::Postgresql,
        "db-s-2vcpu-4gb",
        "nyc1",
    )
    .version(Version::V16)
    .storage_gb(50)
    .replicas(1);
    let created = fake.client().databases().create(&input).await.unwrap();
    assert_eq!(
        (created.id.as_str(), created.name.as_str()),
        ("db_a1b2c3d4", "main-postgres")
    );
    assert_eq!(
        (created.engine, created.status),
        (Some(Engine::Postgresql), Some(Status::Provisioning))
    );
    let request: Value =
        serde_json::from_str(&example("Number of replicas for HA (default: 1)")).unwrap();
    assert_eq!(fake.seen()[0].body.as_ref(), Some(&request));
}

#[tokio::test]
async fn the_pages_credentials_decode_without_db_type() {
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases/db_pg/credentials",
        [Reply::raw(200, &example("Response (PostgreSQL):"))],
    );
    fake.on(
        "GET /api/v1/databases/db_rd/credentials",
        [Reply::raw(200, &example("Response (Redis):"))],
    );
    let dbs = fake.client().databases();
    let pg = dbs.credentials("db_pg").await.unwrap();
    let Credentials::Postgresql(fields) = &pg else {
        panic!("{pg:?}")
    };
    assert_eq!(
        (fields.host.as_str(), fields.port),
        ("main-postgres.production.svc", 5432)
    );
    assert_eq!(fields.username.as_deref(), Some("app_user"));
    assert_eq!(fields.database.as_deref(), Some("main_postgres"));
    assert_eq!(fields.ssl_mode.as_deref(), Some("require"));
    assert_eq!(
        pg.connection_string().unwrap().expose(),
        "postgresql://app_user:generated-password@main-postgres.production.svc:5432/main_postgres?sslmode=require"
    );
    let redis = dbs.credentials("db_rd").await.unwrap();
    let Credentials::Redis(fields) = &redis else {
        panic!("{redis:?}")
    };
    assert_eq!(
        (fields.host.as_str(), fields.port, fields.tls),
        ("cache-redis.production.svc", 6379, false)
    );
    assert_eq!(
        redis.connection_string().unwrap().expose(),
        "redis://:generated-password@cache-redis.production.svc:6379"
    );
    // The scheme told the engines apart: no database was read.
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn names_and_regions_outside_the_request_patterns_are_kept() {
    let fake = Fake::start().await;
    let mut odd = database("db_1", "Legacy_DB", "postgresql", "running");
    odd["region"] = json!("local");
    odd["plan_id"] = json!("custom-plan");
    odd["storage_gb"] = json!(0);
    fake.on(
        "GET /api/v1/databases/db_1",
        [Reply::json(200, odd.clone())],
    );
    fake.on(
        "GET /api/v1/databases",
        [Reply::json(
            200,
            json!([odd, database("db_2", "b", "redis", "running")]),
        )],
    );
    let dbs = fake.client().databases();
    let one = dbs.get("db_1").await.unwrap();
    assert_eq!(
        (
            one.name.as_str(),
            one.region.as_deref(),
            one.plan_id.as_deref()
        ),
        ("Legacy_DB", Some("local"), Some("custom-plan"))
    );
    assert_eq!(one.storage_gb, Some(0));
    let all = dbs.list().await.unwrap();
    let names: Vec<&str> = all.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Legacy_DB", "b"]);
}

#[tokio::test]
async fn a_list_keeps_every_item_it_can_identify() {
    let fake = Fake::start().await;
    let mut no_id = database("db_2", "no-id", "redis", "running");
    no_id.as_object_mut().unwrap().remove("id");
    let mut wrong_types = database("db_3", "odd", "mysql", "running");
    wrong_types["storage_gb"] = json!("fifty");
    wrong_types["created_at"] = json!(12);
    wrong_types["status"] = json!(null);
    let mut sparse = json!({"id": "db_4", "name": "sparse"});
    sparse["replicas"] = json!(null);
    fake.on(
        "GET /api/v1/databases",
        [Reply::json(
            200,
            json!([
                database("db_1", "good", "postgresql", "running"),
                no_id,
                wrong_types,
                "not a database",
                sparse,
            ]),
        )],
    );
    let all = fake.client().databases().list().await.unwrap();
    let ids: Vec<&str> = all.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        ["db_1", "db_3", "db_4"],
        "the unidentifiable are skipped"
    );
    let odd = &all[1];
    assert_eq!((odd.status.clone(), odd.created_at), (None, None));
    assert_eq!(odd.storage_gb, Some(10), "unreadable: the page's default");
    assert_eq!(odd.engine, Some(Engine::Mysql), "its other fields are kept");
    let sparse = &all[2];
    assert_eq!((sparse.engine.clone(), sparse.replicas), (None, Some(1)));
}

#[tokio::test]
async fn a_single_answer_without_its_identity_is_a_decode_error_naming_it() {
    let fake = Fake::start().await;
    let mut nameless = database("db_1", "a", "redis", "running");
    nameless.as_object_mut().unwrap().remove("name");
    fake.on("GET /api/v1/databases/db_1", [Reply::json(200, nameless)]);
    let e = fake.client().databases().get("db_1").await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("name"), "{e}");
}

#[tokio::test]
async fn credentials_of_an_unknown_engine_still_give_host_port_and_string() {
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases/db_1/credentials",
        [Reply::json(
            200,
            json!({
                "db_type": "cassandra", "host": "ring.production.svc", "port": 9042,
                "username": "app_user", "password": "pw", "consistency": "quorum",
                "connection_string": "cassandra://app_user:pw@ring.production.svc:9042/app",
            }),
        )],
    );
    let creds = fake.client().databases().credentials("db_1").await.unwrap();
    let Credentials::Other(other) = &creds else {
        panic!("{creds:?}")
    };
    assert_eq!(other.engine, Some(Engine::Other("cassandra".into())));
    assert_eq!((creds.host(), creds.port()), ("ring.production.svc", 9042));
    assert_eq!(
        creds.connection_string().unwrap().expose(),
        "cassandra://app_user:pw@ring.production.svc:9042/app"
    );
    assert!(!format!("{creds:?}").contains("pw@"), "{creds:?}");
}

#[tokio::test]
async fn credentials_naming_no_engine_take_their_databases() {
    let fake = Fake::start().await;
    fake.on(
        "GET /api/v1/databases/db_1/credentials",
        [Reply::json(
            200,
            json!({
                "host": "orders.svc", "port": 3306, "username": "u", "password": "pw",
                "database": "orders", "ssl_mode": "disabled",
            }),
        )],
    );
    fake.on(
        "GET /api/v1/databases/db_1",
        [Reply::json(
            200,
            database("db_1", "orders", "mysql", "running"),
        )],
    );
    // And when the database cannot be read, the fields are still there.
    fake.on(
        "GET /api/v1/databases/db_2/credentials",
        [Reply::json(200, json!({"host": "h", "port": 1234}))],
    );
    fake.on("GET /api/v1/databases/db_2", [Reply::error(404, "gone")]);
    let dbs = fake.client().databases();
    let creds = dbs.credentials("db_1").await.unwrap();
    assert!(matches!(creds, Credentials::Mysql(_)), "{creds:?}");
    assert_eq!(
        creds.connection_string().unwrap().expose(),
        "mysql://u:pw@orders.svc:3306/orders"
    );
    let bare = dbs.credentials("db_2").await.unwrap();
    assert!(matches!(bare, Credentials::Other(_)), "{bare:?}");
    assert_eq!(
        (bare.host(), bare.port(), bare.connection_string()),
        ("h", 1234, None)
    );
}

#[tokio::test]
async fn mongodb_srv_strings_are_kept_srv() {
    let fake = Fake::start().await;
    let service =
        "mongodb+srv://app_user:pw@events.example.net/events?authSource=admin&retryWrites=true";
    fake.on(
        "GET /api/v1/databases/db_1/credentials",
        [Reply::json(
            200,
            json!({
                "host": "events.example.net", "port": 27017, "username": "app_user",
                "password": "pw", "database": "events", "connection_string": service,
            }),
        )],
    );
    let creds = fake.client().databases().credentials("db_1").await.unwrap();
    let Credentials::Mongodb(fields) = &creds else {
        panic!("{creds:?}")
    };
    assert!(fields.srv);
    assert_eq!(creds.connection_string().unwrap().expose(), service);
}

#[tokio::test]
async fn a_base_url_with_its_api_prefix_is_not_doubled() {
    let fake = Fake::start().await;
    fake.on("GET /api/v1/databases", [Reply::json(200, json!([]))]);
    for suffix in ["/api/v1", "/api/v1/"] {
        let client = Client::builder()
            .token(common::fake::TOKEN)
            .base_url(format!("{}{suffix}", fake.base_url))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), fake.base_url);
        assert!(client.databases().list().await.unwrap().is_empty());
    }
    assert_eq!(fake.count("GET /api/v1/databases"), 2, "{:?}", fake.seen());
}
