//! Logging: the standalone binaries log through `tracing`, filtered by
//! `RUST_LOG` (requests at `debug`, spec violations at `warn` or `error`);
//! and [`Violations`], the record of answers that broke the spec.

use std::sync::Mutex;

use crate::http::lock;

/// Log to stderr through `tracing`, filtered by `RUST_LOG` (`info` when it
/// is unset or invalid). For binaries; call it once, first thing.
pub fn init_from_env() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Fails only when a subscriber is already set, which is then kept.
    // Colours only on a terminal: piped logs are read by programs and tests.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The answers an emulator produced that violate its spec.
#[derive(Debug, Default)]
pub struct Violations(Mutex<Vec<String>>);

impl Violations {
    /// Record that the answer of `operation` violates the spec at `detail`,
    /// and log it: at `error` when it is replaced by a 500 (`strict`), at
    /// `warn` when it is sent anyway. Returns the message.
    pub fn record(&self, operation: &str, detail: &str, strict: bool) -> String {
        let message = format!("emulator response violates the spec for {operation} at {detail}");
        if strict {
            tracing::error!("{message}");
        } else {
            tracing::warn!("{message} (sent anyway: lenient)");
        }
        lock(&self.0).push(message.clone());
        message
    }

    /// Every violation so far.
    pub fn all(&self) -> Vec<String> {
        lock(&self.0).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::Arc;

    /// A log sink the test can read.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn violations_sent_anyway_are_warnings_and_replaced_ones_errors() {
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .finish();
        let v = Violations::default();
        tracing::subscriber::with_default(subscriber, || {
            v.record("getThing", "$.name: 3 is not a string", false);
            v.record("getThing", "$.id: missing", true);
        });
        let log = String::from_utf8(lock(&sink.0).clone()).expect("utf-8");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 2, "{log}");
        assert!(
            lines[0].contains("WARN") && lines[0].contains("sent anyway"),
            "{log}"
        );
        assert!(lines[0].contains("getThing at $.name"), "{log}");
        assert!(
            lines[1].contains("ERROR") && lines[1].contains("$.id: missing"),
            "{log}"
        );
        assert_eq!(v.all().len(), 2);
    }
}
