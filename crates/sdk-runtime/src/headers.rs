//! Reading the response headers the runtime acts on: `Retry-After`.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Parses `Retry-After` given in seconds. HTTP dates (rare for APIs) and
/// values no `Duration` can hold (`1e20`, `18446744073709551616`) count as
/// absent or as the longest wait, never as a panic.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let secs = value
        .parse::<f64>()
        .ok()
        .filter(|s| *s >= 0.0 && !s.is_nan())?;
    Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}
