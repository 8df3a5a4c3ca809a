//! Signed tokens: platform API tokens and database/group (SQL) tokens.
//!
//! All are HS256 JWTs. The signing key is derived from the emulator's root
//! secret plus, for SQL tokens, the database/group id and their rotation
//! generations, so bumping a generation (`invalidate*Tokens`) makes every
//! token minted before fail signature verification, like key rotation does.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// Claims of a platform API token; `jti` names the stored token record.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PlatformClaims {
    pub sub: String,
    pub jti: String,
    pub iat: i64,
}

/// The `p` claim: extra permissions.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub(crate) struct Permissions {
    /// Read-attach: databases this token may attach read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roa: Option<ReadAttach>,
}

/// `p.roa`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReadAttach {
    pub ns: Vec<String>,
}

/// Claims of a database or group token.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SqlClaims {
    pub iat: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// `"rw"` (full access) or `"ro"` (read only).
    pub a: String,
    /// The database id, for a database token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The group id, for a group token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<Permissions>,
}

fn platform_key(secret: &str) -> Vec<u8> {
    format!("platform:{secret}").into_bytes()
}

/// The key for tokens of a group (and of every database in it).
pub(crate) fn group_key(secret: &str, group_uuid: &str, group_gen: u64) -> Vec<u8> {
    format!("group:{secret}:{group_uuid}:{group_gen}").into_bytes()
}

/// The key for tokens of one database; includes the group's generation so
/// rotating the group's tokens also invalidates its databases' tokens.
pub(crate) fn db_key(secret: &str, db_id: &str, db_gen: u64, group_gen: u64) -> Vec<u8> {
    format!("db:{secret}:{db_id}:{db_gen}:{group_gen}").into_bytes()
}

/// Sign claims with HS256.
pub(crate) fn sign<T: Serialize>(claims: &T, key: &[u8]) -> Result<String, String> {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(key),
    )
    .map_err(|e| format!("cannot sign token: {e}"))
}

fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    // Tokens may have no `exp` ("never"); when present it is enforced with no leeway.
    v.required_spec_claims.clear();
    v.leeway = 0;
    v
}

/// Mint a platform token for a stored token record.
pub(crate) fn platform_token(
    secret: &str,
    username: &str,
    token_id: &str,
) -> Result<String, String> {
    let claims = PlatformClaims {
        sub: username.into(),
        jti: token_id.into(),
        iat: chrono::Utc::now().timestamp(),
    };
    sign(&claims, &platform_key(secret))
}

/// Verify a platform token's signature; the caller still checks the record exists.
pub(crate) fn verify_platform(secret: &str, token: &str) -> Option<PlatformClaims> {
    decode::<PlatformClaims>(
        token,
        &DecodingKey::from_secret(&platform_key(secret)),
        &validation(),
    )
    .ok()
    .map(|d| d.claims)
}

/// Verify a SQL token against one key; `Err` says why it failed.
pub(crate) fn verify_sql(token: &str, key: &[u8]) -> Result<SqlClaims, String> {
    decode::<SqlClaims>(token, &DecodingKey::from_secret(key), &validation())
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => "token expired".to_string(),
            jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                "invalid token signature (rotated or foreign)".to_string()
            }
            _ => format!("invalid token: {e}"),
        })
}

/// Parse an expiration like `2w1d30m`, `12h`, `90s` or `never` into seconds
/// (`None` for never). Units: w, d, h, m, s.
pub(crate) fn parse_expiration(s: &str) -> Result<Option<i64>, ()> {
    let s = s.trim();
    if s == "never" {
        return Ok(None);
    }
    if s.is_empty() {
        return Err(());
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: i64 = match c {
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(()),
        };
        let n: i64 = num.parse().map_err(|_| ())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or(())?;
        num.clear();
    }
    if !num.is_empty() || total <= 0 {
        return Err(());
    }
    Ok(Some(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expirations() {
        assert_eq!(parse_expiration("never"), Ok(None));
        assert_eq!(parse_expiration("2w1d30m"), Ok(Some(15 * 86_400 + 1800)));
        assert_eq!(parse_expiration("10s"), Ok(Some(10)));
        for bad in ["", "10", "d", "1x", "0s", "99999999999999999999w"] {
            assert!(parse_expiration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rotation_changes_the_key() {
        let claims = SqlClaims {
            iat: 0,
            exp: None,
            a: "rw".into(),
            id: Some("db".into()),
            gid: None,
            p: None,
        };
        let token = sign(&claims, &db_key("s", "db", 0, 0)).expect("signs");
        assert!(verify_sql(&token, &db_key("s", "db", 0, 0)).is_ok());
        assert!(verify_sql(&token, &db_key("s", "db", 1, 0)).is_err());
        assert!(verify_sql(&token, &db_key("s", "db", 0, 1)).is_err());
    }
}
