//! A scripted fake of the Databases API on a loopback port (axum): each
//! `METHOD /path` answers from its own queue of scripted replies, in order,
//! the last one repeating; anything unscripted answers 500 naming itself.
//! Every request is recorded (method, path, `Authorization`, body), so tests
//! see exactly what the client sent, and how often.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use databases_api::{Client, RetryPolicy};
use serde_json::{Value, json};

/// The token the fake's clients send.
pub const TOKEN: &str = "fake-token-9f8e7d";

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    status: u16,
    body: Body,
    headers: Vec<(&'static str, String)>,
    delay: Duration,
}

/// A scripted body: JSON, or text sent byte for byte.
#[derive(Clone, Debug)]
enum Body {
    Json(Value),
    Raw(String),
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Body::Json(body),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// `text` exactly as given (`application/json`), or no body at all when
    /// it is empty (a 204).
    pub fn raw(status: u16, text: &str) -> Reply {
        Reply {
            body: Body::Raw(text.to_string()),
            ..Reply::json(status, Value::Null)
        }
    }

    /// `{"error": message}` with `status`.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, json!({ "error": message }))
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// Answers only after `delay` (an answer still in flight).
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// A request as the fake received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Option<Value>,
}

#[derive(Default)]
struct Script {
    replies: HashMap<String, VecDeque<Reply>>,
    seen: Vec<Seen>,
}

#[derive(Clone)]
pub struct Fake {
    pub base_url: String,
    script: Arc<Mutex<Script>>,
}

impl Fake {
    pub async fn start() -> Fake {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = Router::new().fallback(answer).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Fake { base_url, script }
    }

    /// Scripts `replies` for `route` (`"GET /api/v1/databases"`), after any
    /// scripted before.
    pub fn on(&self, route: &str, replies: impl IntoIterator<Item = Reply>) -> &Fake {
        let mut script = self.script.lock().unwrap();
        script
            .replies
            .entry(route.to_string())
            .or_default()
            .extend(replies);
        self
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.lock().unwrap().seen.clone()
    }

    /// How many requests `route` received.
    pub fn count(&self, route: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| format!("{} {}", s.method, s.path) == route)
            .count()
    }

    /// A client of the fake whose retries wait only a few milliseconds.
    pub fn client(&self) -> Client {
        self.builder().build().unwrap()
    }

    pub fn builder(&self) -> databases_api::ClientBuilder {
        Client::builder()
            .token(TOKEN)
            .base_url(&self.base_url)
            .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(5)))
    }
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let route = format!("{method} {}", uri.path());
    let reply = {
        let mut script = script.lock().unwrap();
        script.seen.push(Seen {
            method: method.to_string(),
            path: uri.path().to_string(),
            authorization: headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: serde_json::from_slice(&body).ok(),
        });
        let queue = script.replies.get_mut(&route);
        match queue {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().cloned(),
            None => None,
        }
    };
    let Some(reply) = reply else {
        let body = json!({ "error": format!("unscripted {route}") });
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let status = StatusCode::from_u16(reply.status).unwrap();
    let mut response = match reply.body {
        Body::Json(body) => (status, axum::Json(body)).into_response(),
        Body::Raw(text) if text.is_empty() => status.into_response(),
        Body::Raw(text) => (status, [("content-type", "application/json")], text).into_response(),
    };
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// A database as `getDatabase` answers it.
pub fn database(id: &str, name: &str, engine: &str, status: &str) -> Value {
    let version = match engine {
        "postgresql" => "16",
        "mysql" => "8.4",
        "redis" => "7.2",
        _ => "7.0",
    };
    json!({
        "id": id, "project_id": "proj_default", "name": name, "slug": name,
        "db_type": engine, "version": version, "plan_id": "db-s-2vcpu-4gb",
        "status": status, "region": "nyc1", "storage_gb": 10, "replicas": 1,
        "created_at": "2024-01-15T10:30:00Z",
    })
}

/// A database as `createDatabase` answers it.
pub fn created(id: &str, name: &str, engine: &str) -> Value {
    json!({
        "id": id, "name": name, "db_type": engine, "status": "provisioning",
        "created_at": "2024-01-15T10:30:00Z",
    })
}
