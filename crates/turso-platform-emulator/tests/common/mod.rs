//! Shared helpers for the HTTP-level tests: a tiny JSON client.

#![allow(dead_code)]

use reqwest::Method;
use serde_json::Value;
use turso_platform_emulator::Emulator;

/// A JSON client bound to one emulator and one token.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    pub fn new(emu: &Emulator) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: emu.base_url().to_string(),
            token: Some(emu.token().to_string()),
        }
    }

    pub fn with_token(&self, token: Option<&str>) -> Api {
        Api {
            token: token.map(str::to_string),
            ..self.clone()
        }
    }

    /// Send a request; answer (status, JSON body or Null when empty).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("body read");
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON body")
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn post_empty(&self, path: &str) -> (u16, Value) {
        self.call(Method::POST, path, None).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }
}

/// Create a group in `acme`.
pub async fn group(api: &Api, name: &str, location: &str) {
    let (s, b) = api
        .post(
            "/v1/organizations/acme/groups",
            serde_json::json!({"name": name, "location": location}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

/// Create a database in `acme`.
pub async fn database(api: &Api, name: &str, group: &str) -> Value {
    let (s, b) = api
        .post(
            "/v1/organizations/acme/databases",
            serde_json::json!({"name": name, "group": group}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

/// Fail if the emulator recorded spec violations.
pub fn assert_no_violations(emu: &Emulator) {
    let v = emu.violations();
    assert!(v.is_empty(), "spec violations: {v:#?}");
}
