//! Control-plane calls for the data-plane tests, with plain reqwest (the
//! facade is not used here), and a `libsql` connection helper.

#![allow(dead_code)]

use reqwest::Method;
use serde_json::{Value, json};
use turso_platform_emulator::Emulator;

pub const ORG: &str = "acme";

/// A Platform API client bound to one emulator.
pub struct Platform {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Platform {
    pub fn new(emu: &Emulator) -> Platform {
        Platform {
            http: reqwest::Client::new(),
            base: emu.base_url().to_string(),
            token: emu.token().to_string(),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(
                method,
                format!("{}/v1/organizations/{ORG}{path}", self.base),
            )
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("body");
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    pub async fn group(&self, name: &str) {
        let (s, b) = self
            .call(
                Method::POST,
                "/groups",
                Some(json!({"name": name, "location": "aws-us-east-1"})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }

    pub async fn create(&self, body: Value) {
        let (s, b) = self.call(Method::POST, "/databases", Some(body)).await;
        assert_eq!(s, 200, "{b}");
    }

    pub async fn database(&self, name: &str, group: &str) {
        self.create(json!({"name": name, "group": group})).await;
    }

    /// A database token (`authorization`: `full-access` or `read-only`).
    pub async fn token(&self, db: &str, authorization: &str) -> String {
        let (s, b) = self
            .call(
                Method::POST,
                &format!("/databases/{db}/auth/tokens?authorization={authorization}"),
                None,
            )
            .await;
        assert_eq!(s, 200, "{b}");
        b["jwt"].as_str().expect("jwt").to_string()
    }

    pub async fn group_token(&self, group: &str) -> String {
        let (s, b) = self
            .call(Method::POST, &format!("/groups/{group}/auth/tokens"), None)
            .await;
        assert_eq!(s, 200, "{b}");
        b["jwt"].as_str().expect("jwt").to_string()
    }

    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (s, b) = self.call(method, path, body).await;
        assert_eq!(s, 200, "{path}: {b}");
        b
    }
}

/// An emulator with group `g` and database `name` in it, and a full-access token.
pub async fn setup(name: &str) -> (Emulator, Platform, String) {
    let emu = Emulator::start().await.expect("emulator starts");
    let api = Platform::new(&emu);
    api.group("g").await;
    api.database(name, "g").await;
    let token = api.token(name, "full-access").await;
    (emu, api, token)
}

/// A `libsql` connection to a database of the emulator, by its path-prefix URL.
pub async fn connect(emu: &Emulator, db: &str, token: &str) -> libsql::Connection {
    libsql::Builder::new_remote(emu.database_url(ORG, db), token.to_string())
        .build()
        .await
        .expect("libsql database")
        .connect()
        .expect("libsql connection")
}

/// The error's full text (libsql puts the server's code in its Debug form).
pub fn describe(e: &libsql::Error) -> String {
    format!("{e} / {e:?}")
}
