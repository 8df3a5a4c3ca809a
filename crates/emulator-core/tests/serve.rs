//! The accept loop over real sockets: the HTTP layer's own error answers
//! carry JSON bodies, a client whose headers never finish is cut off, a
//! body over the limit or trickled too slowly is refused, and handlers'
//! answers pass untouched.

use std::time::Duration;

use emulator_core::http::{error_response, json_response, read_body};
use emulator_core::serve::{BoxResponse, ServeOptions, serve_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

async fn start(timeout: Duration) -> (std::net::SocketAddr, watch::Sender<bool>) {
    let options = ServeOptions {
        header_read_timeout: timeout,
        ..ServeOptions::default()
    };
    start_with(options).await
}

/// Answers `{"ok": true}`, or on `POST /body` the length of the body it
/// reads with a limit of [`LIMIT`] bytes (or the error `read_body` gives).
async fn start_with(options: ServeOptions) -> (std::net::SocketAddr, watch::Sender<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = watch::channel(false);
    let handler = |req: http::Request<axum::body::Body>| -> BoxResponse {
        Box::pin(async move {
            if req.uri().path() != "/body" {
                return json_response(200, &serde_json::json!({"ok": true}));
            }
            match read_body(req.into_body(), LIMIT).await {
                Ok(b) => json_response(200, &serde_json::json!({"read": b.len()})),
                Err(e) => error_response(e.status, &e.message, None),
            }
        })
    };
    tokio::spawn(serve_with(listener, handler, rx, options));
    (addr, tx)
}

const LIMIT: usize = 1000;

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

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_before_it_is_sent() {
    let (addr, _stop) = start(Duration::from_secs(30)).await;
    // 2^62 bytes announced, none sent (and the client waits for 100 Continue):
    // the answer cannot depend on reading the body.
    for expect in ["", "Expect: 100-continue\r\n"] {
        let raw = format!(
            "POST /body HTTP/1.1\r\nHost: x\r\n{expect}Content-Length: 4611686018427387904\r\n\r\n"
        );
        let mut s = TcpStream::connect(addr).await.expect("connects");
        s.write_all(raw.as_bytes()).await.expect("writes");
        let mut out = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
        let answer = String::from_utf8_lossy(&out);
        assert!(read.is_ok(), "no answer within 5 s: {answer:?}");
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(!answer.contains("100 Continue"), "{answer}");
        assert!(answer.contains("request body too large"), "{answer}");
    }

    // A body within its announced length but over the limit, and one within.
    let big = format!(
        "POST /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        LIMIT + 1,
        "a".repeat(LIMIT + 1)
    );
    assert!(
        exchange(addr, big.as_bytes())
            .await
            .starts_with("HTTP/1.1 413")
    );
    let fits = format!(
        "POST /body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {LIMIT}\r\n\r\n{}",
        "a".repeat(LIMIT)
    );
    let answer = exchange(addr, fits.as_bytes()).await;
    assert!(
        answer.ends_with(&format!("{{\"read\":{LIMIT}}}")),
        "{answer}"
    );
}

#[tokio::test]
async fn a_trickled_body_is_cut_off() {
    let options = ServeOptions {
        body_read_timeout: Duration::from_millis(500),
        ..ServeOptions::default()
    };
    let (addr, _stop) = start_with(options).await;
    let s = TcpStream::connect(addr).await.expect("connects");
    let (mut r, mut w) = s.into_split();
    w.write_all(b"POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        .await
        .expect("writes");
    // A byte every 100 ms: never idle long, but the body would take 10 s.
    let trickle = tokio::spawn(async move {
        while w.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), r.read_to_end(&mut out)).await;
    trickle.abort();
    let answer = String::from_utf8_lossy(&out);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 0.5 s"), "{answer}");
}
