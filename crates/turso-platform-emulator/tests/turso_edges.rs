//! The Turso-specific rough edges, each seen from outside: name limits in
//! characters, empty query values taken as absent, an absurd token lifetime
//! refused with 400, the upload endpoints authenticating before they read a
//! body, the rules an organization-scoped token follows for the user's other
//! tokens, and the new endpoints' refusals.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{Value, json};
use turso_platform_emulator::Emulator;

struct Api {
    emu: Emulator,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        Api {
            emu: Emulator::start().await.expect("starts"),
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.emu.base_url()))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, self.emu.token(), body).await;
        assert_eq!(status, 200, "{method} {path}: {v}");
        v
    }

    async fn databases(&self) {
        self.ok(
            "POST",
            "/v1/organizations/acme/groups",
            Some(json!({"name": "g", "location": "aws-us-east-1"})),
        )
        .await;
        for name in ["one", "two"] {
            self.ok(
                "POST",
                "/v1/organizations/acme/databases",
                Some(json!({"name": name, "group": "g"})),
            )
            .await;
        }
    }
}

#[tokio::test]
async fn name_limits_count_characters_not_bytes() {
    let api = Api::start().await;
    // 40 characters, 80 bytes: under the 64-character limit.
    let forty = "é".repeat(40);
    let v = api
        .ok("POST", &format!("/v1/auth/api-tokens/{forty}"), None)
        .await;
    assert_eq!(v["name"], forty.as_str());
    let too_long = "é".repeat(65);
    let (status, _) = api
        .call(
            "POST",
            &format!("/v1/auth/api-tokens/{too_long}"),
            api.emu.token(),
            None,
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn empty_query_values_count_as_absent() {
    let api = Api::start().await;
    api.databases().await;
    for query in ["cursor=", "group=", "cursor=&group=&parent="] {
        let v = api
            .ok(
                "GET",
                &format!("/v1/organizations/acme/databases?{query}"),
                None,
            )
            .await;
        assert_eq!(
            v["databases"].as_array().map(Vec::len),
            Some(2),
            "{query}: {v}"
        );
    }
    // An empty expiration is the default (never), not a malformed one.
    let v = api
        .ok(
            "POST",
            "/v1/organizations/acme/databases/one/auth/tokens?expiration=&authorization=",
            None,
        )
        .await;
    assert!(v["jwt"].is_string());
}

#[tokio::test]
async fn a_token_lifetime_past_the_end_of_time_is_a_400() {
    let api = Api::start().await;
    api.databases().await;
    for path in [
        "/v1/organizations/acme/databases/one/auth/tokens?expiration=9223372036854775000s",
        "/v1/organizations/acme/groups/g/auth/tokens?expiration=9223372036854775000s",
    ] {
        let (status, v) = api.call("POST", path, api.emu.token(), None).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert!(v["error"].is_string());
    }
    // The emulator is still serving.
    api.ok("GET", "/v1/organizations/acme/databases", None)
        .await;
}

/// Sends a request announcing a 1 GiB body and none of it; the answer must
/// come without the body being read.
fn announce_gigabyte(addr: std::net::SocketAddr, method: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1073741824\r\n\r\n"
    )
    .expect("writes");
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).expect("an answer before any body byte");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn the_upload_endpoints_authenticate_before_reading_the_body() {
    let api = Api::start().await;
    api.ok(
        "POST",
        "/v1/organizations/acme/groups",
        Some(json!({"name": "g", "location": "aws-us-east-1"})),
    )
    .await;
    api.ok(
        "POST",
        "/v1/organizations/acme/databases",
        Some(json!({"name": "up", "group": "g", "seed": {"type": "database_upload"}})),
    )
    .await;
    let addr = api.emu.addr();
    for (method, path) in [
        ("POST", "/db/acme/up/v1/upload"),
        ("PUT", "/db/acme/up/v2/upload/chunk/0"),
    ] {
        let answer = tokio::task::spawn_blocking(move || announce_gigabyte(addr, method, path))
            .await
            .expect("joins");
        assert!(answer.starts_with("HTTP/1.1 401"), "{path}: {answer}");
    }
}

#[tokio::test]
async fn an_organization_scoped_token_reaches_only_its_organizations_tokens() {
    let api = Api::start().await;
    api.ok("POST", "/v1/auth/api-tokens/everywhere", None).await;
    let scoped = api
        .ok(
            "POST",
            "/v1/auth/api-tokens/acme-only",
            Some(json!({"organization": "acme"})),
        )
        .await;
    let scoped = scoped["token"].as_str().expect("token").to_string();
    let (status, v) = api.call("GET", "/v1/auth/api-tokens", &scoped, None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = v["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["acme-only"], "the unrestricted token is not listed");
    let (status, _) = api
        .call("DELETE", "/v1/auth/api-tokens/everywhere", &scoped, None)
        .await;
    assert_eq!(status, 404, "the unrestricted token is out of its reach");
    // An unrestricted token still sees both (and the emulator's own).
    let v = api.ok("GET", "/v1/auth/api-tokens", None).await;
    let names: Vec<&str> = v["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"everywhere") && names.contains(&"acme-only"),
        "{names:?}"
    );
}

#[tokio::test]
async fn chunks_and_finalize_refuse_what_does_not_fit() {
    let api = Api::start().await;
    api.ok(
        "POST",
        "/v1/organizations/acme/groups",
        Some(json!({"name": "g", "location": "aws-us-east-1"})),
    )
    .await;
    api.ok(
        "POST",
        "/v1/organizations/acme/databases",
        Some(json!({"name": "up", "group": "g", "seed": {"type": "database_upload"}})),
    )
    .await;
    let token = api
        .ok(
            "POST",
            "/v1/organizations/acme/databases/up/auth/tokens",
            None,
        )
        .await["jwt"]
        .as_str()
        .expect("jwt")
        .to_string();
    let put = |path: &str, body: Vec<u8>| {
        api.http
            .put(format!("{}/db/acme/up{path}", api.emu.base_url()))
            .bearer_auth(&token)
            .body(body)
            .send()
    };
    // A chunk before any start.
    assert_eq!(
        put("/v2/upload/chunk/0", vec![0; 10])
            .await
            .unwrap()
            .status(),
        400
    );
    let start = put(
        "/v2/upload/start",
        serde_json::to_vec(&json!({"db_size_bytes": 12288, "chunk_size": 4096})).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(start.status(), 200);
    let v: Value = start.json().await.unwrap();
    assert_eq!(v["chunk_size"], 4096);
    // The wrong length, a chunk past the end, a finalize with chunks missing.
    assert_eq!(
        put("/v2/upload/chunk/0", vec![0; 10])
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        put("/v2/upload/chunk/3", vec![0; 4096])
            .await
            .unwrap()
            .status(),
        400
    );
    let mut first = vec![0u8; 4096];
    first[..16].copy_from_slice(b"SQLite format 3\0");
    first[16..18].copy_from_slice(&4096u16.to_be_bytes());
    first[18] = 2;
    first[19] = 2;
    assert_eq!(
        put("/v2/upload/chunk/0", first.clone())
            .await
            .unwrap()
            .status(),
        200
    );
    let missing = put("/v2/upload/finalize", Vec::new()).await.unwrap();
    assert_eq!(missing.status(), 400);
    let v: Value = missing.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("[1, 2]"), "{v}");
    assert_eq!(
        put("/v2/upload/chunk/2", vec![2; 4096])
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        put("/v2/upload/chunk/1", vec![1; 4096])
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        put("/v2/upload/finalize", Vec::new())
            .await
            .unwrap()
            .status(),
        200
    );
    let file = api.emu.uploaded_file("acme", "up").expect("uploaded");
    assert_eq!(file.len(), 12288);
    assert_eq!(&file[..4096], first.as_slice());
    assert!(file[4096..8192].iter().all(|b| *b == 1));
    assert!(file[8192..].iter().all(|b| *b == 2));
    // Uploaded once: a second finalize is a conflict.
    assert_eq!(
        put("/v2/upload/finalize", Vec::new())
            .await
            .unwrap()
            .status(),
        409
    );
}

#[tokio::test]
async fn a_deleted_organization_stays_deleted_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .expect("starts");
    let api = Api {
        emu,
        http: reqwest::Client::new(),
    };
    api.ok("DELETE", "/v1/organizations/acme", None).await;
    let token = api.emu.token().to_string();
    drop(api);
    let emu = Emulator::builder()
        .data_dir(dir.path())
        .start()
        .await
        .expect("restarts");
    let api = Api {
        emu,
        http: reqwest::Client::new(),
    };
    let (status, _) = api
        .call("GET", "/v1/organizations/acme", &token, None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_empty_read_attach_is_refused() {
    let api = Api::start().await;
    api.databases().await;
    for body in [
        json!({"permissions": {"read_attach": {"databases": []}}}),
        json!({"permissions": {"read_attach": {}}}),
    ] {
        let (status, v) = api
            .call(
                "POST",
                "/v1/organizations/acme/databases/one/auth/tokens",
                api.emu.token(),
                Some(body),
            )
            .await;
        assert_eq!(status, 400, "{v}");
    }
    // No permissions at all, or a list naming a database, is fine.
    api.ok(
        "POST",
        "/v1/organizations/acme/databases/one/auth/tokens",
        Some(json!({})),
    )
    .await;
    api.ok(
        "POST",
        "/v1/organizations/acme/databases/one/auth/tokens",
        Some(json!({"permissions": {"read_attach": {"databases": ["two"]}}})),
    )
    .await;
}
