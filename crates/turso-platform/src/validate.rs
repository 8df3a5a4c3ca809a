//! Input checks made before anything is sent.
//!
//! Database and group names follow the service's rules (lowercase letters,
//! digits and dashes, 1 to 64 characters). Every other value that becomes a path
//! segment (organization slugs, usernames, emails, locations, token names, ...)
//! is percent-encoded by the generated client; these checks additionally refuse
//! the values that URL parsing would still interpret as path structure (`.`,
//! `..`, a backslash) or that cannot be sent at all (empty, control characters).

use crate::Result;

/// The longest database or group name the service accepts.
pub const MAX_NAME_LEN: usize = 64;

/// Checks a database or group name (`what` names it in the error).
fn resource_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(crate::error::invalid_input(format!(
            "the {what} name is empty"
        )));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(crate::error::invalid_input(format!(
            "the {what} name {name:?} is {} characters long; at most {MAX_NAME_LEN} are allowed",
            name.chars().count()
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(crate::error::invalid_input(format!(
            "the {what} name {name:?} contains {bad:?}; only lowercase letters, digits and dashes are allowed"
        )));
    }
    Ok(())
}

/// Checks a database name: lowercase letters, digits and dashes, 1 to 64 characters.
///
/// ```
/// assert!(turso_platform::validate::database_name("my-db-1").is_ok());
/// assert!(turso_platform::validate::database_name("My_DB").is_err());
/// assert!(turso_platform::validate::database_name("../x").is_err());
/// ```
pub fn database_name(name: &str) -> Result<()> {
    resource_name("database", name)
}

/// Checks a group name: the same rules as [`database_name`].
pub fn group_name(name: &str) -> Result<()> {
    resource_name("group", name)
}

/// Checks any other value that becomes one path segment.
///
/// ```
/// use turso_platform::validate::segment;
/// assert!(segment("username", "alice").is_ok());
/// assert!(segment("email", "a/b?c#d%e@example.com").is_ok()); // percent-encoded when sent
/// assert!(segment("username", "..").is_err());
/// assert!(segment("username", "a\\b").is_err());
/// ```
pub fn segment(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(crate::error::invalid_input(format!("the {what} is empty")));
    }
    if value == "." || value == ".." {
        return Err(crate::error::invalid_input(format!(
            "the {what} {value:?} would change the request path"
        )));
    }
    if value.contains('\\') {
        return Err(crate::error::invalid_input(format!(
            "the {what} {value:?} contains a backslash, which URLs treat as a path separator"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(crate::error::invalid_input(format!(
            "the {what} contains control characters"
        )));
    }
    if value.len() > 1024 {
        return Err(crate::error::invalid_input(format!(
            "the {what} is too long"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn names() {
        for ok in ["a", "db-1", "0", &"a".repeat(64)] {
            database_name(ok).unwrap();
            group_name(ok).unwrap();
        }
        for bad in [
            "",
            "A",
            "a_b",
            "a/b",
            "..",
            ".",
            "a?b",
            "a#b",
            "a%2F",
            "é",
            " a",
            &"a".repeat(65),
        ] {
            let e = database_name(bad).unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn segments() {
        for ok in [
            "acme",
            "aws-us-east-1",
            "a/b",
            "a?b",
            "a#b",
            "a%2Fb",
            "x@y.z",
            "...",
        ] {
            segment("x", ok).unwrap();
        }
        for bad in ["", ".", "..", "a\\b", "a\nb"] {
            assert!(segment("x", bad).is_err(), "{bad:?}");
        }
    }
}
