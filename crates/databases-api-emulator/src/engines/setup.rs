//! What a real engine is set up with: the database, user and password the
//! API hands out. The values go into SQL statements, config files and URIs,
//! so they are checked here against plain character sets instead of being
//! quoted in three dialects.

use crate::engines::error::EngineError;
use crate::secret::Secret;

/// The database, user and password an engine is prepared with.
#[derive(Debug, Clone)]
pub struct Setup {
    database: String,
    username: String,
    password: Secret,
}

impl Setup {
    /// Checks and keeps the values.
    ///
    /// `database` and `username`: a lowercase letter or `_`, then lowercase
    /// letters, digits and `_`, at most 63 characters (PostgreSQL's identifier
    /// limit, the smallest of the engines'). `password`: 8 to 128 ASCII
    /// letters, digits and `-._~` (what a URI carries unescaped), as
    /// [`Secret::generate`] makes.
    pub fn new(
        database: impl Into<String>,
        username: impl Into<String>,
        password: Secret,
    ) -> Result<Self, EngineError> {
        let database = database.into();
        let username = username.into();
        check_identifier("database", &database)?;
        check_identifier("username", &username)?;
        let pw = password.expose();
        if !(8..=128).contains(&pw.len()) {
            return Err(EngineError::InvalidSetup {
                field: "password",
                reason: format!("must be 8 to 128 characters long, not {}", pw.len()),
            });
        }
        if !pw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        {
            return Err(EngineError::InvalidSetup {
                field: "password",
                reason: "may hold only ASCII letters, digits and `-._~`".into(),
            });
        }
        Ok(Setup {
            database,
            username,
            password,
        })
    }

    /// The database (schema) name.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &Secret {
        &self.password
    }
}

fn check_identifier(field: &'static str, value: &str) -> Result<(), EngineError> {
    let mut chars = value.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && value.len() <= 63 {
        Ok(())
    } else {
        Err(EngineError::InvalidSetup {
            field,
            reason: format!(
                "`{value}` must be a lowercase letter or `_`, then lowercase letters, digits \
                 and `_`, at most 63 characters"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_values() {
        let setup = Setup::new("main_postgres", "app_user", Secret::generate()).unwrap();
        assert_eq!(
            (setup.database(), setup.username()),
            ("main_postgres", "app_user")
        );
    }

    #[test]
    fn refuses_what_would_need_quoting() {
        let pw = || Secret::new("good-password");
        for bad in [
            "",
            "Main",
            "main-postgres",
            "1db",
            "a;drop",
            &"x".repeat(64),
        ] {
            let err = Setup::new(bad, "app_user", pw()).unwrap_err();
            assert!(
                matches!(
                    err,
                    EngineError::InvalidSetup {
                        field: "database",
                        ..
                    }
                ),
                "{bad}"
            );
            let err = Setup::new("db", bad, pw()).unwrap_err();
            assert!(
                matches!(
                    err,
                    EngineError::InvalidSetup {
                        field: "username",
                        ..
                    }
                ),
                "{bad}"
            );
        }
        for bad in [
            "short",
            "has space in it",
            "quote'd-password",
            "päss-word-long",
        ] {
            let err = Setup::new("db", "app_user", Secret::new(bad)).unwrap_err();
            assert!(matches!(
                err,
                EngineError::InvalidSetup {
                    field: "password",
                    ..
                }
            ));
            assert!(
                !err.to_string().contains(bad),
                "the error shows the password: {err}"
            );
        }
    }
}
