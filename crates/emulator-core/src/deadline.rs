//! A time limit on reading a request's body: the accept loop wraps every
//! body in a [`DeadlineBody`], so a client that trickles its body (a byte
//! every few seconds) cannot hold a connection, a task and a buffer for
//! long. The clock starts when the body is first read, so a handler that
//! waits before reading (an injected latency) does not eat into it; the
//! handler sees a [`BodyTimedOut`] error (which `read_body`, in the `http`
//! module that uses this one, answers with a 408).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::Sleep;

/// The error a body gives when it did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} s", .0.as_secs_f64())]
pub(crate) struct BodyTimedOut(pub Duration);

/// A request body that fails with [`BodyTimedOut`] once `within` has passed
/// since it was first read.
pub(crate) struct DeadlineBody {
    inner: Incoming,
    within: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl DeadlineBody {
    pub(crate) fn new(inner: Incoming, within: Duration) -> DeadlineBody {
        DeadlineBody {
            inner,
            within,
            deadline: None,
        }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        let within = this.within;
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(within)));
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut(within))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        // The announced `Content-Length`, which `read_body` checks before
        // reading a byte.
        self.inner.size_hint()
    }
}
