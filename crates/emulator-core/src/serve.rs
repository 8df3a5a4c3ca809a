//! The accept loop: hyper's HTTP/1 server on each connection, serving every
//! request with the emulator's handler.
//!
//! Served with hyper directly (rather than `axum::serve`) so that a fault can
//! close a connection without an answer ([`crate::http::ConnKill`]), so that
//! a client whose headers never finish is cut off (hyper's
//! `header_read_timeout`), so that a body that takes too long to arrive is
//! cut off too (`body_read_timeout`, see the `deadline` module), and so that the HTTP layer's own error answers
//! (400, 414, 431) carry a JSON body (see the `error_bodies` module).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::Response;
use http::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::deadline::DeadlineBody;
use crate::error_bodies::JsonErrorBodies;
use crate::http::ConnKill;

/// A boxed response future.
pub type BoxResponse = Pin<Box<dyn Future<Output = Response> + Send>>;

/// How connections are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// How long a client may take to send a request's headers (from the
    /// connection's start, or from the end of its previous answer) before
    /// the connection is closed: a client that never finishes them would
    /// otherwise hold its connection forever.
    pub header_read_timeout: Duration,
    /// How long a request's body may take to arrive once a handler starts
    /// reading it, in all (not between two bytes: a client trickling a byte
    /// every few seconds is cut off too). The handler sees an error
    /// ([`crate::http::read_body`] answers 408) and the connection closes.
    pub body_read_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
        }
    }
}

/// Accept connections until `shutdown` flips, answering every request with
/// `handler` (which sees a [`ConnKill`] in the request's extensions), with
/// the default [`ServeOptions`].
pub async fn serve<H>(listener: TcpListener, handler: H, shutdown: watch::Receiver<bool>)
where
    H: Fn(Request<Body>) -> BoxResponse + Clone + Send + Sync + 'static,
{
    serve_with(listener, handler, shutdown, ServeOptions::default()).await;
}

/// [`serve`] with these options. Each request is logged at `debug` (method,
/// path, status, time taken); the query is left out, as it may carry
/// secrets some APIs take there.
pub async fn serve_with<H>(
    listener: TcpListener,
    handler: H,
    mut shutdown: watch::Receiver<bool>,
    options: ServeOptions,
) where
    H: Fn(Request<Body>) -> BoxResponse + Clone + Send + Sync + 'static,
{
    loop {
        let (stream, _) = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(Notify::new());
        let svc_kill = kill.clone();
        let handler = handler.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let mut req =
                    req.map(|b| Body::new(DeadlineBody::new(b, options.body_read_timeout)));
                req.extensions_mut().insert(ConnKill(svc_kill.clone()));
                let method = req.method().clone();
                let path = req.uri().path().to_string();
                let started = Instant::now();
                let answer = handler(req);
                async move {
                    let resp = answer.await;
                    tracing::debug!(
                        %method,
                        path,
                        status = resp.status().as_u16(),
                        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
                        "request"
                    );
                    Ok::<_, std::convert::Infallible>(resp)
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(options.header_read_timeout)
                .serve_connection(TokioIo::new(JsonErrorBodies::new(stream)), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                // Dropping the connection closes the socket without a response.
                _ = kill.notified() => {}
                _ = shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}
