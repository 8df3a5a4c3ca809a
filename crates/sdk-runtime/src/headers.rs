//! Reading the response headers the runtime acts on: `Retry-After`.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Parses `Retry-After`: delay-seconds (`"20"`, also `"0.5"`) or an HTTP date
/// (`"Wed, 21 Oct 2026 07:28:00 GMT"`, RFC 9110 section 10.2.3), read with
/// the `httpdate` crate and turned into the time left from now (a date in the
/// past is no wait). Values no `Duration` can hold (`1e20`,
/// `18446744073709551616`) count as the longest wait, which the retry
/// policy's cap then refuses; what is neither a number nor a date counts as
/// absent. Never a panic.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    parse_retry_after_at(headers, SystemTime::now())
}

/// [`parse_retry_after`] with the current time given (so a date's wait is
/// testable without a clock).
pub(crate) fn parse_retry_after_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(at) = httpdate::parse_http_date(value) {
        return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
    }
    let secs = value
        .parse::<f64>()
        .ok()
        .filter(|s| *s >= 0.0 && !s.is_nan())?;
    Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}
