//! Database and group tokens: what to mint ([`TokenRequest`]) and when it
//! expires ([`Expiration`]). Minting and rotation are on
//! [`crate::Databases::create_token`], [`crate::Databases::invalidate_tokens`],
//! [`crate::Groups::create_token`] and [`crate::Groups::invalidate_tokens`].

use std::time::Duration;

use turso_platform_generated::types;

use crate::Result;
use crate::model::TokenAuthorization;

/// When a minted token expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiration {
    /// The token never expires (the service's default).
    Never,
    /// The token expires after this long (rounded up to whole minutes).
    After(Duration),
    /// An expression in the service's syntax, e.g. `2w1d30m`.
    Raw(String),
}

impl Expiration {
    /// The value sent in the `expiration` query parameter.
    pub fn to_query(&self) -> String {
        match self {
            Expiration::Never => "never".to_string(),
            Expiration::Raw(s) => s.clone(),
            Expiration::After(d) => {
                let mut minutes = d.as_secs().div_ceil(60).max(1);
                let mut out = String::new();
                let days = minutes / (24 * 60);
                minutes %= 24 * 60;
                let hours = minutes / 60;
                minutes %= 60;
                if days > 0 {
                    out.push_str(&format!("{days}d"));
                }
                if hours > 0 {
                    out.push_str(&format!("{hours}h"));
                }
                if minutes > 0 {
                    out.push_str(&format!("{minutes}m"));
                }
                out
            }
        }
    }
}

/// What a new database or group token may do and how long it lives.
///
/// ```
/// use std::time::Duration;
/// use turso_platform::TokenRequest;
///
/// let request = TokenRequest::new()
///     .read_only()
///     .expires_in(Duration::from_secs(3600))
///     .attach_databases(["reference-data"]);
/// # let _ = request;
/// ```
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub(crate) expiration: Option<Expiration>,
    pub(crate) authorization: Option<TokenAuthorization>,
    pub(crate) read_attach: Vec<String>,
}

impl TokenRequest {
    /// A full-access token that never expires (the service's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the expiration.
    pub fn expiration(mut self, expiration: Expiration) -> Self {
        self.expiration = Some(expiration);
        self
    }

    /// Expires after `duration` (rounded up to whole minutes).
    pub fn expires_in(self, duration: Duration) -> Self {
        self.expiration(Expiration::After(duration))
    }

    /// Never expires.
    pub fn never_expires(self) -> Self {
        self.expiration(Expiration::Never)
    }

    /// Sets the authorization level.
    pub fn authorization(mut self, authorization: TokenAuthorization) -> Self {
        self.authorization = Some(authorization);
        self
    }

    /// Read-only.
    pub fn read_only(self) -> Self {
        self.authorization(TokenAuthorization::ReadOnly)
    }

    /// Read and write.
    pub fn full_access(self) -> Self {
        self.authorization(TokenAuthorization::FullAccess)
    }

    /// Allows the token to `ATTACH` these databases for reading.
    pub fn attach_databases<I, S>(mut self, databases: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.read_attach
            .extend(databases.into_iter().map(Into::into));
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        if let Some(Expiration::Raw(s)) = &self.expiration
            && (s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(crate::error::invalid_input(format!(
                "the token expiration {s:?} is not of the form `2w1d30m` or `never`"
            )));
        }
        for db in &self.read_attach {
            crate::validate::database_name(db)?;
        }
        Ok(())
    }

    /// The request body: permissions only when databases are attached (an
    /// empty `read_attach` is never sent).
    pub(crate) fn body(&self) -> types::CreateTokenInput {
        types::CreateTokenInput {
            permissions: (!self.read_attach.is_empty()).then(|| {
                types::CreateTokenInputPermissions {
                    read_attach: Some(types::CreateTokenInputPermissionsReadAttach {
                        databases: self.read_attach.clone(),
                    }),
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expirations() {
        assert_eq!(Expiration::Never.to_query(), "never");
        assert_eq!(Expiration::After(Duration::from_secs(1)).to_query(), "1m");
        assert_eq!(
            Expiration::After(Duration::from_secs(3600)).to_query(),
            "1h"
        );
        assert_eq!(
            Expiration::After(Duration::from_secs(86400 + 5400)).to_query(),
            "1d1h30m"
        );
        assert!(
            TokenRequest::new()
                .expiration(Expiration::Raw("1d/x".into()))
                .check()
                .is_err()
        );
        assert!(
            TokenRequest::new()
                .expiration(Expiration::Raw("2w1d30m".into()))
                .check()
                .is_ok()
        );
    }
}
