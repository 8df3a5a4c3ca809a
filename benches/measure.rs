//! Small statistics for the performance report: medians and percentiles of
//! latency samples, medians of repeated figures, and the report's settings.
#![forbid(unsafe_code)]

use std::time::Duration;

/// Latency samples of one run.
#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample.
    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    /// Adds all of `other`'s samples.
    pub fn extend(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    /// The `p`-quantile (0.0..=1.0), nearest rank; zero when empty.
    pub fn quantile(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((sorted.len() as f64 - 1.0) * p.clamp(0.0, 1.0)).round() as usize;
        sorted[rank]
    }

    /// The median.
    pub fn median(&self) -> Duration {
        self.quantile(0.5)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The median of several figures (e.g. one per repeated run).
pub fn median_of(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    match figures.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => figures[n / 2],
        n => (figures[n / 2 - 1] + figures[n / 2]) / 2.0,
    }
}

/// How many times each figure is measured: `BENCH_REPEAT`, default 5.
pub fn repeats() -> usize {
    std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1)
}

/// Whether section `n` of the report was asked for: all by default, or those
/// listed in `BENCH_SECTIONS` (e.g. `1,4`).
pub fn section(n: u32) -> bool {
    std::env::var("BENCH_SECTIONS")
        .map(|v| v.split(',').any(|s| s.trim() == n.to_string()))
        .unwrap_or(true)
}

/// Whether part `name` of a section (e.g. `5a`) was asked for: listed in
/// `BENCH_SECTIONS` itself, or its whole section is.
pub fn part(name: &str) -> bool {
    let section_number = name.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let listed =
        std::env::var("BENCH_SECTIONS").is_ok_and(|v| v.split(',').any(|s| s.trim() == name));
    listed || section_number.parse().is_ok_and(section)
}

/// Microseconds, for tables.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_nearest_rank() {
        let mut s = Samples::new();
        for ms in [5, 1, 4, 2, 3] {
            s.push(Duration::from_millis(ms));
        }
        assert_eq!(s.median(), Duration::from_millis(3));
        assert_eq!(s.quantile(0.0), Duration::from_millis(1));
        assert_eq!(s.p99(), Duration::from_millis(5));
        assert_eq!(Samples::new().median(), Duration::ZERO);
    }

    #[test]
    fn median_of_even_count_averages_the_middle() {
        assert_eq!(median_of(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median_of(vec![]).is_nan());
    }
}
