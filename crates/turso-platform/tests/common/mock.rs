//! A tiny scripted HTTP/1.1 server: answers requests from a queue of canned
//! responses and records what it received. Used to observe the exact requests
//! the client sends (headers, paths, retries) independently of the emulator.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A canned answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Status, extra headers, body.
    Http(u16, Vec<(String, String)>, String),
    /// Close the connection without answering.
    Drop,
    /// Send the status line, the headers and half of `body`, then hold the
    /// connection open without sending the rest (a stalled answer).
    Stall(u16, String),
    /// A chunked body that never ends: `[` and then zeros, forever.
    Endless(u16),
    /// Read the request, then say nothing and hold the connection.
    Silent,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Http(status, vec![], body.to_string())
    }
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Http(s, mut h, b) => {
                h.push((name.to_string(), value.to_string()));
                Reply::Http(s, h, b)
            }
            r => r,
        }
    }
}

/// A request as received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
pub struct Mock {
    pub base_url: String,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    fallback: Arc<Mutex<Reply>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    pub async fn start() -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mock = Mock {
            base_url: format!("http://{addr}"),
            replies: Arc::default(),
            fallback: Arc::new(Mutex::new(Reply::json(
                404,
                r#"{"error":"no reply scripted"}"#,
            ))),
            seen: Arc::default(),
        };
        let m = mock.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let m = m.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut tmp = [0u8; 8192];
                    let head_end = loop {
                        let Ok(n) = sock.read(&mut tmp).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&tmp[..n]);
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p + 4;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let mut lines = head.split("\r\n");
                    let mut first = lines.next().unwrap_or("").split(' ');
                    let method = first.next().unwrap_or("").to_string();
                    let target = first.next().unwrap_or("").to_string();
                    let headers: Vec<(String, String)> = lines
                        .filter(|l| !l.is_empty())
                        .filter_map(|l| l.split_once(':'))
                        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                        .collect();
                    let len = headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                        .unwrap_or(0);
                    let mut body = buf[head_end..].to_vec();
                    while body.len() < len {
                        let Ok(n) = sock.read(&mut tmp).await else {
                            return;
                        };
                        if n == 0 {
                            break;
                        }
                        body.extend_from_slice(&tmp[..n]);
                    }
                    m.seen.lock().unwrap().push(Seen {
                        method,
                        target,
                        headers,
                        body,
                    });
                    let reply = m
                        .replies
                        .lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or_else(|| m.fallback.lock().unwrap().clone());
                    match reply {
                        Reply::Drop => {
                            let _ = sock.shutdown().await;
                        }
                        Reply::Stall(status, body) => {
                            let half = &body[..body.len() / 2];
                            let out = format!(
                                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{half}",
                                body.len()
                            );
                            let _ = sock.write_all(out.as_bytes()).await;
                            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                        }
                        Reply::Endless(status) => {
                            let head = format!(
                                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n[\r\n"
                            );
                            if sock.write_all(head.as_bytes()).await.is_err() {
                                return;
                            }
                            let chunk = format!("10000\r\n{}\r\n", "0".repeat(0x10000));
                            while sock.write_all(chunk.as_bytes()).await.is_ok() {}
                        }
                        Reply::Silent => {
                            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                        }
                        Reply::Http(status, extra, body) => {
                            // JSON unless the reply says otherwise.
                            let typed = extra
                                .iter()
                                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
                            let content_type = if typed {
                                ""
                            } else {
                                "content-type: application/json\r\n"
                            };
                            let mut out = format!(
                                "HTTP/1.1 {status} X\r\n{content_type}content-length: {}\r\nconnection: close\r\n",
                                body.len()
                            );
                            for (n, v) in extra {
                                out.push_str(&format!("{n}: {v}\r\n"));
                            }
                            out.push_str("\r\n");
                            out.push_str(&body);
                            let _ = sock.write_all(out.as_bytes()).await;
                            let _ = sock.shutdown().await;
                        }
                    }
                });
            }
        });
        mock
    }

    pub fn push(&self, reply: Reply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    pub fn set_fallback(&self, reply: Reply) {
        *self.fallback.lock().unwrap() = reply;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}
