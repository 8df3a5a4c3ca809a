//! [`Wait`]: polling something until it is ready, within a limit. Every wait
//! of the facades (a database known, serving, running or destroyed, a
//! group's location serving) is one: a probe is called, then called again
//! after a pause that grows (×1.5 up to a longest pause), until it says
//! [`Poll::Done`] or fails. `tokio::time::timeout` bounds the whole wait by
//! its limit, the request in flight included (it is dropped); past the limit
//! the wait fails with [`ErrorKind::Timeout`](crate::ErrorKind::Timeout),
//! saying what it waited for, how many polls it made and the last thing it
//! saw.
//!
//! ```
//! # async fn run() -> sdk_runtime::Result<()> {
//! use std::time::Duration;
//! use sdk_runtime::wait::{Poll, Wait};
//!
//! let wait = Wait::new("waitUntilTen", "the counter did not reach 10", Duration::from_secs(5))
//!     .pauses(Duration::from_millis(1), Duration::from_millis(10));
//! let mut counter = 0;
//! let ten = wait
//!     .poll(|| {
//!         counter += 1;
//!         let seen = counter;
//!         async move {
//!             Ok::<_, sdk_runtime::Error>(if seen == 10 { Poll::Done(seen) } else { Poll::Waiting(format!("{seen}")) })
//!         }
//!     })
//!     .await?;
//! assert_eq!(ten, 10);
//! # Ok(()) }
//! ```

use std::future::Future;
use std::time::Duration;

use tokio::time::{Instant, sleep, timeout};

use crate::error::{Error, convert};

/// What one poll saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll<T> {
    /// The wait is over, with this.
    Done(T),
    /// Not yet: what was seen (said in the timeout error if time runs out).
    Waiting(String),
}

/// A wait: the operation its errors name, what it waits for, its limit and
/// its pauses. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Wait {
    operation: &'static str,
    what: String,
    limit: Duration,
    started: Instant,
    first_pause: Duration,
    longest_pause: Duration,
}

impl Wait {
    /// A wait for `operation` that fails after `limit` (from now) saying
    /// `what` (`"database \"orders\" was not running"`). Pauses 250 ms at
    /// first, growing to 5 s.
    pub fn new(operation: &'static str, what: impl Into<String>, limit: Duration) -> Wait {
        Wait {
            operation,
            what: what.into(),
            limit,
            started: Instant::now(),
            first_pause: Duration::from_millis(250),
            longest_pause: Duration::from_secs(5),
        }
    }

    /// The first pause between two polls, and the longest it grows to.
    pub fn pauses(mut self, first: Duration, longest: Duration) -> Wait {
        self.first_pause = first;
        self.longest_pause = longest.max(first);
        self
    }

    /// The time left before the limit.
    pub fn left(&self) -> Duration {
        self.limit.saturating_sub(self.started.elapsed())
    }

    /// `step` (a look-up before polling, say), bounded by the time left.
    pub async fn step<T, A>(
        &self,
        step: impl Future<Output = Result<T, Error<A>>>,
    ) -> Result<T, Error<A>> {
        match timeout(self.left(), step).await {
            Ok(result) => result.map_err(|e| convert::with_operation(e, self.operation)),
            Err(_) => Err(self.timed_out(0, None)),
        }
    }

    /// Calls `probe` until it says [`Poll::Done`], fails (its error ends the
    /// wait) or the time left runs out.
    pub async fn poll<T, A, F, Fut>(&self, mut probe: F) -> Result<T, Error<A>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Poll<T>, Error<A>>>,
    {
        let mut polls = 0u32;
        let mut last_seen: Option<String> = None;
        let polling = async {
            let mut pause = self.first_pause;
            loop {
                polls += 1;
                match probe().await {
                    Ok(Poll::Done(value)) => return Ok(value),
                    Ok(Poll::Waiting(seen)) => last_seen = Some(seen),
                    Err(e) => return Err(convert::with_operation(e, self.operation)),
                }
                sleep(pause).await;
                pause = pause.mul_f64(1.5).min(self.longest_pause);
            }
        };
        match timeout(self.left(), polling).await {
            Ok(result) => result,
            Err(_) => Err(self.timed_out(polls, last_seen.as_deref())),
        }
    }

    fn timed_out<A>(&self, polls: u32, last_seen: Option<&str>) -> Error<A> {
        let e = convert::timed_out(format!(
            "{} after {:.1}s ({polls} polls; last seen: {})",
            self.what,
            self.limit.as_secs_f64(),
            last_seen.unwrap_or("nothing yet")
        ));
        convert::with_operation(e, self.operation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[tokio::test]
    async fn the_limit_ends_the_wait_naming_what_was_seen() {
        let wait = Wait::new("waitForIt", "it did not come", Duration::from_millis(200))
            .pauses(Duration::from_millis(10), Duration::from_millis(20));
        let e: Error = wait
            .poll(|| async { Ok::<Poll<()>, Error>(Poll::Waiting("status pending".into())) })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Timeout);
        assert_eq!(e.operation(), Some("waitForIt"));
        let message = e.message().unwrap();
        assert!(
            message.starts_with("it did not come after 0.2s ("),
            "{message}"
        );
        assert!(
            message.ends_with("polls; last seen: status pending)"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn an_error_ends_the_wait_at_once() {
        let wait = Wait::new("waitForIt", "it did not come", Duration::from_secs(60));
        let mut polls = 0;
        let e: Error = wait
            .poll(|| {
                polls += 1;
                async { Err::<Poll<()>, Error>(convert::invalid_input("no")) }
            })
            .await
            .unwrap_err();
        assert_eq!(polls, 1);
        assert_eq!(e.kind(), &ErrorKind::InvalidInput);
        assert_eq!(e.operation(), Some("waitForIt"));
    }

    #[tokio::test]
    async fn a_step_is_bounded_by_the_same_limit() {
        let wait = Wait::new("waitForIt", "it did not come", Duration::from_millis(100));
        let e: Error = wait
            .step(async {
                sleep(Duration::from_secs(600)).await;
                Ok::<(), Error>(())
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Timeout);
        assert!(
            e.to_string().contains("0 polls; last seen: nothing yet"),
            "{e}"
        );
    }
}
