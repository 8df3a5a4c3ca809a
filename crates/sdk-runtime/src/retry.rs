//! Retries: the [`RetryPolicy`] and [`run`], the loop that applies it to a
//! call, over plain `tokio::time::sleep`.
//!
//! A call is repeated after a transient failure (HTTP 408, 429, 502, 503,
//! 504, a timeout, a broken connection) only when repeating it is safe
//! (reads, deletes, idempotent updates, or what the caller vouches for); a
//! request that never left the client (no connection could be opened) is
//! repeated for every operation. A `Retry-After` answer is honoured up to
//! [`RetryPolicy::retry_after_cap`].

use std::future::Future;
use std::time::{Duration, Instant};

use tracing::Instrument;

use crate::error::{Error, ErrorKind, convert};
pub use crate::headers::parse_retry_after;

/// How failed requests are retried.
///
/// Exponential backoff with jitter; see the [module docs](self) for what is
/// retried. An attempt whose answer never arrived may still have been carried
/// out: errors after one say so ([`Error::after_lost_answer`]).
///
/// ```
/// use std::time::Duration;
/// use sdk_runtime::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(100))
///     .deadline(Some(Duration::from_secs(20)));
/// assert_eq!(policy.get_max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().get_max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    deadline: Option<Duration>,
    retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, 200 ms base delay doubling up to 5 s, a 60 s overall
    /// deadline and `Retry-After` honoured up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            deadline: Some(Duration::from_secs(60)),
            retry_after_cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent exactly once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The total number of attempts, including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the first retry; it doubles with each further retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest delay between two attempts.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The time after which no further attempt is started (`None`: bounded by
    /// the number of attempts only).
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The longest `Retry-After` the client waits for before retrying; a
    /// longer one ends the call with the error.
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// The configured number of attempts.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The configured base delay.
    pub fn get_base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The configured deadline.
    pub fn get_deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The backoff before retry number `retry` (1-based), with "equal jitter":
    /// half the exponential delay plus a random part of the other half.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let capped = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(jitter())
    }
}

/// A random number in `[0, 1)`, from the standard library's random hasher
/// keys (no random number crate needed for jitter).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether a call may be repeated after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Repeating it is safe: reads, deletes, idempotent updates, and calls
    /// the caller vouches for (a create that treats "already exists" as done).
    Safe,
    /// Sent once (beyond requests that never left the client).
    Unsafe,
}

/// Runs `attempt` until it succeeds, fails for good, or the policy says stop.
///
/// ```no_run
/// # async fn f() -> sdk_runtime::Result<()> {
/// use sdk_runtime::{Idempotency, RetryPolicy, retry};
/// let value = retry::run(&RetryPolicy::default(), Idempotency::Safe, || async {
///     Ok::<_, sdk_runtime::Error>(42)
/// })
/// .await?;
/// # let _ = value; Ok(()) }
/// ```
pub async fn run<T, A, F, Fut>(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    mut attempt: F,
) -> Result<T, Error<A>>
where
    A: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error<A>>>,
{
    let start = Instant::now();
    let mut lost_answer = false;
    let mut number = 0u32;
    loop {
        number += 1;
        // The transport's `sdk.request` span of each attempt nests in this one.
        let span = tracing::info_span!("sdk.attempt", attempt = number);
        let error = match attempt().instrument(span).await {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let delay = next_delay(policy, idempotency, &error, number, start.elapsed());
        let Some(delay) = delay else {
            return Err(convert::with_lost_answer(error, lost_answer));
        };
        lost_answer |= error.may_have_been_carried_out();
        tracing::debug!(attempt = number, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
        tokio::time::sleep(delay).await;
    }
}

/// The wait before the next attempt after `error`, or `None` to stop.
fn next_delay<A>(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    error: &Error<A>,
    number: u32,
    elapsed: Duration,
) -> Option<Duration> {
    let transient = match error.kind() {
        ErrorKind::RateLimited { .. } | ErrorKind::Timeout | ErrorKind::Transport => true,
        ErrorKind::Server => matches!(error.status(), Some(502..=504)),
        _ => false,
    };
    let may_repeat = error.never_sent() || (transient && idempotency == Idempotency::Safe);
    if !may_repeat || number >= policy.max_attempts {
        return None;
    }
    let mut delay = policy.backoff(number);
    if let Some(asked) = error.retry_after() {
        if asked > policy.retry_after_cap {
            tracing::debug!(
                retry_after_s = asked.as_secs_f64(),
                "Retry-After exceeds the cap; not retrying"
            );
            return None;
        }
        delay = delay.max(asked);
    }
    if policy
        .deadline
        .is_some_and(|d| elapsed.saturating_add(delay) >= d)
    {
        tracing::debug!("retry deadline reached; not retrying");
        return None;
    }
    Some(delay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(800));
        for retry in 1..10 {
            let d = p.backoff(retry);
            let full =
                (Duration::from_millis(100) * 2u32.pow(retry - 1)).min(Duration::from_millis(800));
            assert!(d >= full / 2 && d <= full, "{retry}: {d:?}");
        }
        assert!(p.backoff(40) <= Duration::from_millis(800));
    }

    #[test]
    fn parses_retry_after_without_panicking() {
        let parse = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_static(v));
            parse_retry_after(&h)
        };
        assert_eq!(parse_retry_after(&HeaderMap::new()), None);
        assert_eq!(parse("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO)); // in the past
        assert_eq!(parse("tomorrow"), None);
        assert_eq!(parse("1e20"), Some(Duration::MAX));
        assert_eq!(parse("18446744073709551616"), Some(Duration::MAX));
        assert_eq!(parse("inf"), Some(Duration::MAX));
        assert_eq!(parse("NaN"), None);
        assert_eq!(parse("-1"), None);
    }

    #[test]
    fn retry_after_as_an_http_date_is_the_time_left() {
        use crate::headers::parse_retry_after_at;
        use std::time::SystemTime;
        let at = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_static(v));
            h
        };
        // Wed, 21 Oct 2026 07:27:40 GMT: 20 s before the date the server gave.
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_792_567_660);
        let want = Some(Duration::from_secs(20));
        assert_eq!(
            parse_retry_after_at(&at("Wed, 21 Oct 2026 07:28:00 GMT"), now),
            want
        );
        // The obsolete forms RFC 9110 still asks recipients to accept.
        assert_eq!(
            parse_retry_after_at(&at("Wednesday, 21-Oct-26 07:28:00 GMT"), now),
            want
        );
        assert_eq!(
            parse_retry_after_at(&at("Wed Oct 21 07:28:00 2026"), now),
            want
        );
        // A date in the past is no wait; a far future one is refused by the cap.
        let past = at("Wed, 21 Oct 2026 07:27:00 GMT");
        assert_eq!(parse_retry_after_at(&past, now), Some(Duration::ZERO));
        let far = parse_retry_after_at(&at("Fri, 31 Dec 9999 23:59:59 GMT"), now).unwrap();
        let p = RetryPolicy::default();
        assert!(
            next_delay(
                &p,
                Idempotency::Safe,
                &status(429, Some(far)),
                1,
                Duration::ZERO
            )
            .is_none()
        );
    }

    fn status(code: u16, retry_after: Option<Duration>) -> Error {
        convert::from_status(code, b"", retry_after)
    }

    #[test]
    fn decides_what_to_retry() {
        let p = RetryPolicy::default();
        let safe = Idempotency::Safe;
        let zero = Duration::ZERO;
        assert!(next_delay(&p, safe, &status(503, None), 1, zero).is_some());
        assert!(next_delay(&p, safe, &status(500, None), 1, zero).is_none());
        assert!(next_delay(&p, safe, &status(404, None), 1, zero).is_none());
        assert!(next_delay(&p, Idempotency::Unsafe, &status(503, None), 1, zero).is_none());
        assert!(next_delay(&p, safe, &status(503, None), 4, zero).is_none());
        let huge = status(429, Some(Duration::MAX));
        assert!(next_delay(&p, safe, &huge, 1, zero).is_none());
        let asked = status(429, Some(Duration::from_secs(2)));
        assert!(next_delay(&p, safe, &asked, 1, zero).unwrap() >= Duration::from_secs(2));
        assert!(next_delay(&p, safe, &asked, 1, Duration::from_secs(59)).is_none());
    }

    #[tokio::test]
    async fn run_retries_then_reports_the_lost_answer() {
        let p = RetryPolicy::default().base_delay(Duration::from_millis(1));
        let mut calls = 0;
        let result: Result<(), Error> = run(&p, Idempotency::Safe, || {
            calls += 1;
            let e = if calls == 1 {
                status(504, None)
            } else {
                status(404, None)
            };
            async move { Err(e) }
        })
        .await;
        let e = result.unwrap_err();
        assert_eq!(calls, 2);
        assert!(e.is_not_found() && e.after_lost_answer(), "{e:?}");
        assert!(e.to_string().contains("answer was lost"), "{e}");
    }
}
