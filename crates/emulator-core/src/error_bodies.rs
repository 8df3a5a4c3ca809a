//! JSON bodies for the answers hyper writes itself. When a request cannot be
//! parsed (400), its target is too long (414) or its headers are too large
//! (431), hyper answers before any handler runs, with an empty body. Clients
//! of an emulated API expect `{"error": "..."}` on every error, so the
//! connection's writer recognises such a bodiless answer (its head alone,
//! `content-length: 0`, no content type: no handler's answer looks like that)
//! and sends it with a JSON body instead.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose hyper-made error answers get a JSON body.
pub(crate) struct JsonErrorBodies<T> {
    inner: T,
    /// A rewritten answer not yet fully written, and how much of it was.
    pending: Vec<u8>,
    written: usize,
}

impl<T> JsonErrorBodies<T> {
    pub(crate) fn new(inner: T) -> Self {
        JsonErrorBodies {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> JsonErrorBodies<T> {
    /// Write what is pending of a rewritten answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

/// The message for a status hyper answers by itself.
fn message(status: &[u8]) -> Option<&'static str> {
    match status {
        b"400" => Some("malformed HTTP request"),
        b"414" => Some("request target too long"),
        b"431" => Some("request header fields too large"),
        _ => None,
    }
}

/// `head` with a JSON body, when it is a bodiless 400, 414 or 431 answer.
pub(crate) fn with_json_body(head: &[u8]) -> Option<Vec<u8>> {
    if head.len() < 12 || !head.starts_with(b"HTTP/1.") || head[8] != b' ' {
        return None;
    }
    let message = message(&head[9..12])?;
    // The head alone: it ends in the blank line and nothing follows.
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    if end + 4 != head.len() {
        return None;
    }
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let mut kept = Vec::new();
    let mut empty = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-type")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            return None;
        }
        if name.eq_ignore_ascii_case("content-length") {
            empty = value.trim() == "0";
            continue;
        }
        kept.push(line);
    }
    if !empty {
        return None;
    }
    let body = serde_json::json!({ "error": message }).to_string();
    let mut out = format!("{status_line}\r\n");
    for line in kept {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    ));
    Some(out.into_bytes())
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonErrorBodies<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonErrorBodies<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        match with_json_body(buf) {
            Some(rewritten) => {
                self.pending = rewritten;
                // The whole of `buf` is taken over: the rest goes out on the
                // next write, flush or shutdown.
                if let Poll::Ready(Err(e)) = self.poll_pending(cx) {
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Ok(buf.len()))
            }
            None => Pin::new(&mut self.inner).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // A bodiless answer is one slice; anything else passes through.
        let single = bufs.iter().filter(|b| !b.is_empty()).count() == 1;
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(first) if single && with_json_body(first).is_some() => self.poll_write(cx, first),
            _ => {
                ready!(self.poll_pending(cx))?;
                Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodiless_answers_of_the_http_layer_are_rewritten() {
        let head =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(with_json_body(head).expect("rewritten")).expect("utf-8");
        assert!(
            out.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\ndate: x\r\n"),
            "{out}"
        );
        assert!(
            out.ends_with("\r\n\r\n{\"error\":\"request header fields too large\"}"),
            "{out}"
        );
        let body = r#"{"error":"request header fields too large"}"#;
        assert!(
            out.contains(&format!("content-length: {}\r\n", body.len())),
            "{out}"
        );
        // A handler's answer has a content type, or a body, or another status.
        assert!(with_json_body(b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(
            with_json_body(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}").is_none()
        );
        assert!(with_json_body(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(with_json_body(b"HTTP/1.1 200 OK\r\n").is_none());
        assert!(with_json_body(b"").is_none());
    }
}
