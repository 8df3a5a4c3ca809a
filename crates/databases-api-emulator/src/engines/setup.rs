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
    /// `database` and `username`: 1 to 63 lowercase letters, digits and `_`
    /// (63 is PostgreSQL's identifier limit, the smallest of the engines'; the
    /// engines get them quoted, so a leading digit is fine). `password`: 8 to
    /// 128 ASCII letters, digits and `-._~` (what a URI carries unescaped), as
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

    /// The setup of the API's database named `name` (a DNS label, as the
    /// spec's `Name` requires), as the spec decides its credentials: the
    /// database is the name with `-` replaced by `_` (`main-postgres` gives
    /// `main_postgres`), the user is `app_user`, the password a fresh one.
    pub fn for_api_name(name: &str) -> Result<Self, EngineError> {
        Setup::new(name.replace('-', "_"), API_USER, Secret::generate())
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

/// The user name the API hands out, as on the reference page.
const API_USER: &str = "app_user";

fn check_identifier(field: &'static str, value: &str) -> Result<(), EngineError> {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain && (1..=63).contains(&value.len()) {
        Ok(())
    } else {
        Err(EngineError::InvalidSetup {
            field,
            reason: format!("`{value}` must be 1 to 63 lowercase letters, digits and `_`"),
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
    fn follows_the_api_name() {
        let setup = Setup::for_api_name("main-postgres").unwrap();
        assert_eq!(setup.database(), "main_postgres");
        assert_eq!(setup.username(), "app_user");
        assert_eq!(Setup::for_api_name("1-db").unwrap().database(), "1_db");
        assert!(Setup::for_api_name("Not A Label").is_err());
    }

    #[test]
    fn refuses_what_would_need_quoting() {
        let pw = || Secret::new("good-password");
        for bad in [
            "",
            "Main",
            "main-postgres",
            "a;drop",
            "a\"b",
            "é",
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
