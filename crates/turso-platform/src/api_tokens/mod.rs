//! Platform API tokens: the user's tokens (create, list, validate, revoke) and
//! the tokens scoped to an organization (list, revoke). The types are in
//! [`model`].

mod model;

use chrono::{DateTime, Utc};
use turso_platform_generated::types;

pub use model::{ApiToken, ApiTokenOwner, CreateApiToken, CreatedApiToken};

use crate::{Deleted, Idempotency, Result, validate};

crate::org_handle! {
    /// Platform API tokens. Obtained with [`crate::Client::api_tokens`] or
    /// [`crate::OrgScope::api_tokens`]; the organization matters only for
    /// [`ApiTokens::list_for_organization`] and [`ApiTokens::revoke_for_organization`].
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use turso_platform::{ApiTokenScope, CreateApiToken};
    /// let created = client
    ///     .api_tokens()
    ///     .create("ci", &CreateApiToken::group("acme", "default", [ApiTokenScope::DbCreate]))
    ///     .await?;
    /// println!("{} {}", created.name, created.token); // the token prints as Token(****)
    /// # Ok(()) }
    /// ```
    ApiTokens
}

impl ApiTokens {
    /// The user's tokens.
    pub async fn list(&self) -> Result<Vec<ApiToken>> {
        let answer = self
            .scope
            .client()
            .call("listAPITokens", Idempotency::Safe, |g| {
                g.list_api_tokens().send()
            })
            .await?;
        Ok(answer.tokens.into_iter().map(Into::into).collect())
    }

    /// Creates a token named `name` (sent once). Its value never appears in
    /// errors: an answer that does not decode is reported without quoting it.
    pub async fn create(
        &self,
        name: &str,
        restrictions: &CreateApiToken,
    ) -> Result<CreatedApiToken> {
        validate::segment("token name", name)?;
        restrictions.check()?;
        let body = types::CreateApiTokenBody::try_from(restrictions)?;
        let answer = self
            .scope
            .client()
            .call("createAPIToken", Idempotency::Unsafe, |g| {
                g.create_api_token()
                    .token_name(name)
                    .body(body.clone())
                    .send()
            })
            .await
            .map_err(crate::error::withhold_answer)?;
        Ok(answer.into())
    }

    /// Revokes the user's token `name`; the [`Deleted`] names it. A retry
    /// that finds nothing left after an attempt whose answer was lost counts
    /// as success.
    pub async fn revoke(&self, name: &str) -> Result<Deleted> {
        validate::segment("token name", name)?;
        let revoked = self
            .scope
            .client()
            .call("revokeAPIToken", Idempotency::Safe, |g| {
                g.revoke_api_token().token_name(name).send()
            })
            .await
            .map(|_| true);
        sdk_runtime::deleted_after_lost_answer(name.to_string(), revoked)
    }

    /// Checks the client's token: `Ok` when valid, with its expiry (`None` when
    /// it does not expire); [`crate::ErrorKind::Unauthorized`] when not.
    pub async fn validate(&self) -> Result<Option<DateTime<Utc>>> {
        let answer = self
            .scope
            .client()
            .call("validateAPIToken", Idempotency::Safe, |g| {
                g.validate_api_token().send()
            })
            .await?;
        Ok(expiry(answer.exp))
    }

    /// The tokens scoped to the organization (all of them for admins and owners,
    /// one's own otherwise).
    pub async fn list_for_organization(&self) -> Result<Vec<ApiToken>> {
        let answer = self
            .scope
            .call("listOrganizationAPITokens", Idempotency::Safe, |g, org| {
                g.list_organization_api_tokens()
                    .organization_slug(org)
                    .send()
            })
            .await?;
        Ok(answer.tokens.into_iter().map(Into::into).collect())
    }

    /// Revokes the organization-scoped token with ID `id`; the [`Deleted`]
    /// names it. A retry that finds nothing left after an attempt whose
    /// answer was lost counts as success.
    pub async fn revoke_for_organization(&self, id: &str) -> Result<Deleted> {
        validate::segment("token id", id)?;
        let revoked = self
            .scope
            .call("revokeOrganizationAPIToken", Idempotency::Safe, |g, org| {
                g.revoke_organization_api_token()
                    .organization_slug(org)
                    .token_id(id)
                    .send()
            })
            .await
            .map(|_| true);
        sdk_runtime::deleted_after_lost_answer(id.to_string(), revoked)
    }
}

/// The expiry of a validated token: the service sends no `exp`, or 0 or less,
/// for a token that does not expire; one out of chrono's range is taken as
/// "does not expire" too rather than failing a check that succeeded.
fn expiry(exp: Option<i64>) -> Option<DateTime<Utc>> {
    exp.filter(|e| *e > 0)
        .and_then(|e| DateTime::from_timestamp(e, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries() {
        assert_eq!(expiry(None), None);
        assert_eq!(expiry(Some(0)), None);
        assert_eq!(expiry(Some(-5)), None);
        assert_eq!(expiry(Some(i64::MAX)), None);
        assert_eq!(
            expiry(Some(1_700_000_000)).map(|d| d.timestamp()),
            Some(1_700_000_000)
        );
    }
}
