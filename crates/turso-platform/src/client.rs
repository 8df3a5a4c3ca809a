//! The [`Client`] and its [`ClientBuilder`], and [`Client::call`], the one
//! path every facade operation takes: the runtime's [`sdk_runtime::call()`]
//! over this client's generated client and [`RetryPolicy`], with this API's
//! error rules.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use progenitor_client::ResponseValue;
use sdk_runtime::config::{ClientConfig, env_var};
use sdk_runtime::http::check_base_url;
use sdk_runtime::{ErrorPayload, Idempotency, Transport};
use url::Url;

use crate::{Result, RetryPolicy};

/// The default base URL of the Turso Platform API.
pub const DEFAULT_BASE_URL: &str = "https://api.turso.tech";

/// The default `User-Agent` sent with every request.
pub const DEFAULT_USER_AGENT: &str = concat!("turso-platform-rs/", env!("CARGO_PKG_VERSION"));

/// Configures a [`Client`]. Obtain one with [`Client::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// use turso_platform::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .token("my-platform-api-token")
///     .organization("acme")
///     .request_timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::default().max_attempts(3))
///     .build()?;
/// # Ok::<(), turso_platform::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    /// The settings every facade's builder shares (token, base URL,
    /// timeouts, body limit, retries, user agent, HTTP client, plain HTTP).
    config: ClientConfig,
    organization: Option<String>,
    database_host_base_url: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            config: ClientConfig::new(DEFAULT_BASE_URL, DEFAULT_USER_AGENT),
            organization: None,
            database_host_base_url: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("organization", &self.organization)
            .field("database_host_base_url", &self.database_host_base_url)
            .finish()
    }
}

impl ClientBuilder {
    // token, base_url, timeouts, max_response_bytes, retry_policy,
    // user_agent, http_client, allow_insecure_http: the settings every
    // facade's builder shares.
    sdk_runtime::client_builder_settings!(config);

    /// The organization used when a call does not name one.
    pub fn organization(mut self, slug: impl Into<String>) -> Self {
        self.organization = Some(slug.into());
        self
    }

    /// Sends requests meant for a database host (its data plane and the upload
    /// endpoint, `https://{hostname}/...`) to this base URL instead, with the
    /// `Host` header set to the database hostname: for an emulator or a proxy.
    pub fn database_host_base_url(mut self, url: impl Into<String>) -> Self {
        self.database_host_base_url = Some(url.into());
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let database_host_base_url = self
            .database_host_base_url
            .as_deref()
            .map(|u| {
                check_base_url(
                    "database host base URL",
                    u,
                    self.config.allows_insecure_http(),
                )
            })
            .transpose()?;
        if let Some(org) = &self.organization {
            crate::validate::segment("organization", org)?;
        }
        let connection = self.config.connect(
            "no platform API token: set one with ClientBuilder::token or TURSO_API_TOKEN",
        )?;
        let generated = turso_platform_generated::Client::new_with_client(
            &connection.base_url,
            connection.http.clone(),
            connection.transport.clone(),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                generated,
                http: connection.http,
                transport: connection.transport,
                retry: connection.retry,
                organization: self.organization,
                database_host_base_url,
            }),
        })
    }
}

/// A client of the Turso Platform API.
///
/// Cheap to clone (all clones share one connection pool). Reach resources through
/// handles ([`Client::databases`], [`Client::groups`], ...), which use the
/// default organization, or through [`Client::organization`] for another one.
///
/// ```no_run
/// # async fn run() -> turso_platform::Result<()> {
/// let client = turso_platform::Client::from_env()?;
/// for db in client.databases().list().await? {
///     println!("{} in group {:?}", db.name, db.group);
/// }
/// let other = client.organization("other-org").groups().list().await?;
/// # let _ = other;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    generated: turso_platform_generated::Client,
    http: reqwest::Client,
    transport: Transport,
    retry: RetryPolicy,
    organization: Option<String>,
    database_host_base_url: Option<Url>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("organization", &self.inner.organization)
            .field("transport", &self.inner.transport)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl Client {
    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `TURSO_API_TOKEN` (required),
    /// `TURSO_API_BASEURL` (default [`DEFAULT_BASE_URL`]) and `TURSO_ORG` (the
    /// default organization, optional).
    pub fn from_env() -> Result<Client> {
        Client::builder_from_env()?.build()
    }

    /// A builder preset from the environment (see [`Client::from_env`]), to adjust
    /// further settings before building.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        let token = env_var("TURSO_API_TOKEN")
            .ok_or_else(|| crate::error::configuration("TURSO_API_TOKEN is not set"))?;
        let mut b = Client::builder().token(token);
        if let Some(url) = env_var("TURSO_API_BASEURL") {
            b = b.base_url(url);
        }
        if let Some(org) = env_var("TURSO_ORG") {
            b = b.organization(org);
        }
        Ok(b)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.inner.generated.baseurl()
    }

    /// The default organization, if one is set.
    pub fn default_organization(&self) -> Option<&str> {
        self.inner.organization.as_deref()
    }

    /// The generated client, for anything the facade does not cover. It sends
    /// through this client's transport (authentication, timeouts, body limit,
    /// tracing); wrap its calls in [`Client::call`] for retries and typed
    /// errors.
    pub fn generated(&self) -> &turso_platform_generated::Client {
        &self.inner.generated
    }

    /// Runs a call of the [generated client](Client::generated) the way every
    /// facade operation runs ([`sdk_runtime::call()`]): `send` is handed the
    /// generated client and sends one request; it is retried by the client's
    /// [`RetryPolicy`] when `idempotency` allows, its answer decoded
    /// tolerantly ([`sdk_runtime::tolerant`]: a value of an unexpected type
    /// reads as absent, a list item that cannot be identified is skipped),
    /// its failure an [`Error`](crate::Error) naming `operation` (a 400 saying "already
    /// exists" is [`crate::ErrorKind::AlreadyExists`], as everywhere in this
    /// crate).
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use turso_platform::Idempotency;
    /// let answer = client
    ///     .call("listLocations", Idempotency::Safe, |g| g.list_locations().send())
    ///     .await?;
    /// println!("{} locations", answer.locations.len());
    /// # Ok(()) }
    /// ```
    pub async fn call<'a, T, E, F, Fut>(
        &'a self,
        operation: &'static str,
        idempotency: Idempotency,
        mut send: F,
    ) -> Result<T>
    where
        F: FnMut(&'a turso_platform_generated::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>,
        E: ErrorPayload,
        T: serde::de::DeserializeOwned,
    {
        let generated = &self.inner.generated;
        sdk_runtime::call(&self.inner.retry, operation, idempotency, || {
            send(generated)
        })
        .await
        .map_err(crate::error::turso_rules)
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn database_host_base_url(&self) -> Option<&Url> {
        self.inner.database_host_base_url.as_ref()
    }
}
