//! A small client of the emulator's HTTP API for the tests (plain reqwest,
//! so the tests see statuses and bodies exactly as sent).

#![allow(dead_code)]

use std::time::Duration;

use databases_api_emulator::Emulator;
use serde_json::{Value, json};

/// Calls the emulator with its read-write token.
pub struct Api {
    pub base: String,
    pub token: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(emu: &Emulator) -> Api {
        Api::with_token(emu, emu.token())
    }

    pub fn with_token(emu: &Emulator, token: &str) -> Api {
        Api {
            base: format!("{}/api/v1/databases", emu.base_url()),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.bearer_auth(&self.token).send().await.expect("sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    pub async fn create(&self, body: Value) -> (u16, Value) {
        self.send(self.http.post(&self.base).json(&body)).await
    }

    pub async fn list(&self) -> (u16, Value) {
        self.send(self.http.get(&self.base)).await
    }

    pub async fn get(&self, id: &str) -> (u16, Value) {
        self.send(self.http.get(format!("{}/{id}", self.base)))
            .await
    }

    pub async fn credentials(&self, id: &str) -> (u16, Value) {
        self.send(self.http.get(format!("{}/{id}/credentials", self.base)))
            .await
    }

    pub async fn delete(&self, id: &str) -> (u16, Value) {
        self.send(self.http.delete(format!("{}/{id}", self.base)))
            .await
    }

    /// Create a database of `engine` named `name`; its id.
    pub async fn create_ok(&self, name: &str, engine: &str) -> String {
        let (status, body) = self.create(input(name, engine)).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["status"], "provisioning");
        body["id"].as_str().expect("an id").to_string()
    }

    /// Poll until the database leaves `provisioning`; its status.
    pub async fn wait_settled(&self, id: &str, limit: Duration) -> String {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let (status, body) = self.get(id).await;
            assert_eq!(status, 200, "{body}");
            let s = body["status"].as_str().expect("a status").to_string();
            if s != "provisioning" || tokio::time::Instant::now() > deadline {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A valid create input.
pub fn input(name: &str, engine: &str) -> Value {
    json!({"name": name, "db_type": engine, "plan_id": "db-s-1vcpu-1gb", "region": "nyc1"})
}
