//! [`Token`]: a secret (an API token, a minted database token, a password) that
//! never prints. `Debug` and `Display` show `Token(****)`; only
//! [`Token::expose`] gives the value, where it must be sent.

use std::fmt;
use std::sync::Arc;

/// A secret value.
///
/// ```
/// let token = sdk_runtime::Token::new("eyJhbGciOi.secret");
/// assert_eq!(format!("{token}"), "Token(****)");
/// assert_eq!(format!("{token:?}"), "Token(****)");
/// assert_eq!(token.expose(), "eyJhbGciOi.secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Arc<str>);

impl Token {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Token(Arc::from(value.into()))
    }

    /// The secret value. Avoid logging it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(****)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(****)")
    }
}

impl From<String> for Token {
    fn from(value: String) -> Self {
        Token::new(value)
    }
}

impl From<&str> for Token {
    fn from(value: &str) -> Self {
        Token::new(value)
    }
}

impl<'de> serde::Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Token::new)
    }
}

/// Replaces what looks like a JSON Web Token (`eyJ...`, three base64url parts
/// joined by dots) in `text` with `****`: error messages quote answers, and an
/// answer may carry a freshly minted token.
pub fn redact_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let len = candidate
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
            .unwrap_or(candidate.len());
        // "eyJ" is base64 for `{"`; anything that long made of base64url
        // characters is treated as a token.
        if len >= 16 {
            out.push_str("****");
        } else {
            out.push_str(&candidate[..len]);
        }
        rest = &candidate[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_jwts() {
        let jwt = "eyJhbGciOiJFZERTQSJ9.eyJpYXQiOjE3MDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let text = format!(r#"{{"jwt":"{jwt}","n":1}}"#);
        assert_eq!(redact_tokens(&text), r#"{"jwt":"****","n":1}"#);
        assert_eq!(redact_tokens("eyJ short"), "eyJ short");
        assert_eq!(redact_tokens("plain"), "plain");
        assert_eq!(redact_tokens("é eyJ"), "é eyJ");
    }
}
