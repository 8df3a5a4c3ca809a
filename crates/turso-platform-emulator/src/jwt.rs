//! Signed tokens: platform API tokens and database/group (SQL) tokens.
//!
//! All are HS256 JWTs, signed and checked here with `hmac` + `sha2` (a JWT
//! library would bring RSA and elliptic-curve code the emulator never uses).
//! The signing key is derived from the emulator's root
//! secret plus, for SQL tokens, the database/group id and their rotation
//! generations, so bumping a generation (`invalidate*Tokens`) makes every
//! token minted before fail signature verification, like key rotation does.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The only header the emulator writes, and the only algorithm it accepts.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

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

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerifyError {
    /// Not three base64url parts of JSON, or not HS256.
    Malformed,
    /// The signature does not match the key.
    Signature,
    /// `exp` is in the past.
    Expired,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VerifyError::Malformed => "invalid token: not an HS256 JWT",
            VerifyError::Signature => "invalid token signature (rotated or foreign)",
            VerifyError::Expired => "token expired",
        })
    }
}

fn mac(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

/// Sign claims with HS256.
pub(crate) fn sign<T: Serialize>(claims: &T, key: &[u8]) -> Result<String, String> {
    let payload = serde_json::to_vec(claims).map_err(|e| format!("cannot sign token: {e}"))?;
    let mut token = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut m = mac(key);
    m.update(token.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    token.push('.');
    token.push_str(&signature);
    Ok(token)
}

/// Check an HS256 token's signature and `exp` (no leeway; absent means never).
pub(crate) fn verify<T: DeserializeOwned>(token: &str, key: &[u8]) -> Result<T, VerifyError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| VerifyError::Malformed)
    };
    let header: Value =
        serde_json::from_slice(&decode(header)?).map_err(|_| VerifyError::Malformed)?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(VerifyError::Malformed);
    }
    let mut m = mac(key);
    m.update(&token.as_bytes()[..token.len() - signature.len() - 1]);
    // Constant-time comparison.
    m.verify_slice(&decode(signature)?)
        .map_err(|_| VerifyError::Signature)?;
    let claims: Value =
        serde_json::from_slice(&decode(payload)?).map_err(|_| VerifyError::Malformed)?;
    if let Some(exp) = claims.get("exp").filter(|v| !v.is_null()) {
        let exp = exp.as_i64().ok_or(VerifyError::Malformed)?;
        if exp < chrono::Utc::now().timestamp() {
            return Err(VerifyError::Expired);
        }
    }
    serde_json::from_value(claims).map_err(|_| VerifyError::Malformed)
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
    verify(token, &platform_key(secret)).ok()
}

/// Verify a SQL token against one key; `Err` says why it failed.
pub(crate) fn verify_sql(token: &str, key: &[u8]) -> Result<SqlClaims, VerifyError> {
    verify(token, key)
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

    #[test]
    fn expired_and_malformed_tokens_are_refused() {
        let expired = SqlClaims {
            iat: 0,
            exp: Some(1),
            a: "ro".into(),
            id: None,
            gid: None,
            p: None,
        };
        let token = sign(&expired, b"k").expect("signs");
        assert_eq!(verify_sql(&token, b"k").err(), Some(VerifyError::Expired));
        for bad in ["", "a.b", "a.b.c.d", "!!.??.##"] {
            assert_eq!(
                verify_sql(bad, b"k").err(),
                Some(VerifyError::Malformed),
                "{bad}"
            );
        }
        let mut tampered = sign(&expired, b"k").expect("signs");
        tampered.push('A');
        assert!(verify_sql(&tampered, b"k").is_err());
    }
}
