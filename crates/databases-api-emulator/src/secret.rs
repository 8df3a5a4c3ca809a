//! A string that never prints: passwords and connection strings that carry
//! them. `Debug` and `Display` show `[redacted]`; only [`Secret::expose`]
//! gives the text, so a secret reaches a log or an error message only where
//! the code says so explicitly.

use std::fmt;

use rand::Rng;
use rand::distr::Alphanumeric;

/// A secret string (a password, or a connection string that includes one).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// The length of [`Secret::generate`]'s passwords: 24 alphanumerics are
/// about 142 bits, and need no escaping in a URL, a config file or SQL.
const GENERATED_LEN: usize = 24;

impl Secret {
    /// Wraps a secret string.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// A fresh random password of ASCII letters and digits.
    pub fn generate() -> Self {
        let password: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(GENERATED_LEN)
            .map(char::from)
            .collect();
        Secret(password)
    }

    /// The secret text. Call it only where the secret must leave the process
    /// (a config file of an engine, a connection, an API answer).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints() {
        let secret = Secret::new("hunter2-password");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(format!("{secret:#?}"), "Secret([redacted])");
        assert_eq!(secret.expose(), "hunter2-password");
    }

    #[test]
    fn generated_passwords_are_fresh_and_plain() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), GENERATED_LEN);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
