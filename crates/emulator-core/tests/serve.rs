//! The accept loop over real sockets: the HTTP layer's own error answers
//! carry JSON bodies, a client whose headers never finish is cut off, and
//! handlers' answers pass untouched.

use std::time::Duration;

use emulator_core::http::json_response;
use emulator_core::serve::{BoxResponse, ServeOptions, serve_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

async fn start(timeout: Duration) -> (std::net::SocketAddr, watch::Sender<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = watch::channel(false);
    let handler = |_req: http::Request<axum::body::Body>| -> BoxResponse {
        Box::pin(async { json_response(200, &serde_json::json!({"ok": true})) })
    };
    let options = ServeOptions {
        header_read_timeout: timeout,
    };
    tokio::spawn(serve_with(listener, handler, rx, options));
    (addr, tx)
}

/// Send `raw`, read until the server closes or 5 s pass.
async fn exchange(addr: std::net::SocketAddr, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connects");
    s.write_all(raw).await.expect("writes");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn assert_json_error(answer: &str, status: &str, message: &str) {
    assert!(
        answer.starts_with(&format!("HTTP/1.1 {status}")),
        "{answer}"
    );
    assert!(
        answer.contains("content-type: application/json"),
        "{answer}"
    );
    assert!(
        answer.ends_with(&format!("{{\"error\":\"{message}\"}}")),
        "{answer}"
    );
}

#[tokio::test]
async fn the_http_layers_own_errors_have_json_bodies() {
    let (addr, _stop) = start(Duration::from_secs(30)).await;
    let bad = exchange(addr, b"NOT HTTP AT ALL\r\n\r\n").await;
    assert_json_error(&bad, "400", "malformed HTTP request");

    let long_target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let too_long = exchange(addr, long_target.as_bytes()).await;
    assert!(
        too_long.starts_with("HTTP/1.1 414") || too_long.starts_with("HTTP/1.1 431"),
        "{too_long}"
    );
    assert!(
        too_long.contains("content-type: application/json"),
        "{too_long}"
    );
    assert!(too_long.contains("{\"error\":\""), "{too_long}");

    let many = (0..200)
        .map(|i| format!("x-h{i}: v\r\n"))
        .collect::<String>();
    let big_headers = format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    let answer = exchange(addr, big_headers.as_bytes()).await;
    assert_json_error(&answer, "431", "request header fields too large");

    let ok = exchange(
        addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(ok.ends_with("{\"ok\":true}"), "{ok}");
}

#[tokio::test]
async fn a_client_whose_headers_never_finish_is_cut_off() {
    let (addr, _stop) = start(Duration::from_millis(300)).await;
    let mut s = TcpStream::connect(addr).await.expect("connects");
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("writes");
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the connection is still open after 5 s");
}
