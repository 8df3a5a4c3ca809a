//! The [`Client`], its [`ClientBuilder`] (the shared
//! [`sdk_runtime::config::ClientConfig`] plus this API's defaults and
//! environment), and [`Client::call`]: every operation of the facade is a
//! generated call run through the runtime's one call path
//! ([`sdk_runtime::call()`]), its error named after the spec's operationId.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use progenitor_client::ResponseValue;
use sdk_runtime::config::{ClientConfig, env_var};
use sdk_runtime::{ErrorPayload, Idempotency, RetryPolicy};

use crate::error::Result;

/// The base URL of a local install of the Databases API (the spec's server);
/// a managed service has its own, set with [`ClientBuilder::base_url`] or
/// [`ENV_BASE_URL`].
pub const DEFAULT_BASE_URL: &str = "http://localhost:8080";

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("databases-api-rs/", env!("CARGO_PKG_VERSION"));

/// The environment variable [`Client::from_env`] reads the API token from.
pub const ENV_TOKEN: &str = "DATABASES_API_TOKEN";

/// The environment variable [`Client::from_env`] reads the base URL from.
pub const ENV_BASE_URL: &str = "DATABASES_API_BASEURL";

/// Configures a [`Client`]; obtain one with [`Client::builder`] or
/// [`Client::builder_from_env`]. The settings are every facade's: `token`
/// (required), `base_url` (default [`DEFAULT_BASE_URL`], the host, with or
/// without `/api/v1`), `request_timeout` (60 s), `connect_timeout` (10 s),
/// `max_response_bytes` (256 MiB), `retry_policy`, `user_agent` (default
/// [`DEFAULT_USER_AGENT`]), `http_client` and `allow_insecure_http`.
///
/// ```no_run
/// use std::time::Duration;
/// use databases_api::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .token("my-api-token")
///     .base_url("https://databases.example.com")
///     .request_timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::default().max_attempts(3))
///     .build()?;
/// # Ok::<(), databases_api::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    config: ClientConfig,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            config: ClientConfig::new(DEFAULT_BASE_URL, DEFAULT_USER_AGENT),
        }
    }
}

impl ClientBuilder {
    /// The defaults, with the token and base URL of the environment
    /// ([`ENV_TOKEN`] required, [`ENV_BASE_URL`] optional).
    fn from_env() -> Result<ClientBuilder> {
        let Some(token) = env_var(ENV_TOKEN) else {
            return Err(sdk_runtime::convert::configuration(format!(
                "{ENV_TOKEN} is not set"
            )));
        };
        let mut builder = ClientBuilder::default().token(token);
        if let Some(url) = env_var(ENV_BASE_URL) {
            builder.config.set_base_url(url);
        }
        Ok(builder)
    }

    // token, base_url (the host without `/api/v1`), request_timeout,
    // connect_timeout, max_response_bytes, retry_policy, user_agent,
    // http_client, allow_insecure_http: as every facade's.
    sdk_runtime::client_builder_settings!(config);

    /// Builds the client; fails with [`crate::ErrorKind::Configuration`] when
    /// no token is set or the base URL is unusable.
    pub fn build(self) -> Result<Client> {
        let missing = format!("no API token: set one with ClientBuilder::token or {ENV_TOKEN}");
        let parts = self.config.connect(&missing)?;
        let generated = databases_api_generated::Client::new_with_client(
            without_api_prefix(&parts.base_url),
            parts.http,
            parts.transport,
        );
        Ok(Client {
            inner: Arc::new(Inner {
                generated,
                retry: parts.retry,
            }),
        })
    }
}

/// The base URL without a trailing `/api/v1`: the spec's paths carry it, and
/// the product's own documentation gives a local install's base URL with it
/// (`http://localhost:8080/api/v1`), so both spellings work.
fn without_api_prefix(base_url: &str) -> &str {
    let trimmed = base_url.trim_end_matches('/');
    trimmed.strip_suffix("/api/v1").unwrap_or(trimmed)
}

/// A client of the Databases API. Cheap to clone: clones share one
/// connection pool. The databases are reached through
/// [`Client::databases`].
///
/// ```no_run
/// # async fn run() -> databases_api::Result<()> {
/// let client = databases_api::Client::from_env()?;
/// for db in client.databases().list().await? {
///     println!("{} {} {:?} {:?}", db.id, db.name, db.engine, db.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    generated: databases_api_generated::Client,
    retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The transport prints its token as `Token(****)`.
        use progenitor_client::ClientInfo;
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("transport", self.inner.generated.inner())
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl Client {
    /// A client configured from the environment: [`ENV_TOKEN`]
    /// (`DATABASES_API_TOKEN`, required) and [`ENV_BASE_URL`]
    /// (`DATABASES_API_BASEURL`, default [`DEFAULT_BASE_URL`]).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().and_then(ClientBuilder::build)
    }

    /// A builder for every setting, starting from the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A builder preset from the environment (see [`Client::from_env`]), to
    /// change further settings before building.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        ClientBuilder::from_env()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.inner.generated.baseurl()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The generated client, for anything the facade does not cover. It
    /// sends through this client's transport (token, timeouts, body limit,
    /// tracing); wrap its calls in [`Client::call`] for retries and typed
    /// errors.
    pub fn generated(&self) -> &databases_api_generated::Client {
        &self.inner.generated
    }

    /// Runs a call of the [generated client](Client::generated) as every
    /// facade operation runs ([`sdk_runtime::call()`]): `send` is handed the
    /// generated client and sends one request; it is retried by the
    /// client's [`RetryPolicy`] when `idempotency` allows, in a `sdk.call`
    /// span, its answer decoded tolerantly (a value the generated type
    /// refuses reads as absent, a list item without its identity is left
    /// out, each reported through `tracing`), its failure an
    /// [`Error`](crate::Error) naming `operation`.
    ///
    /// ```no_run
    /// # async fn run(client: databases_api::Client) -> databases_api::Result<()> {
    /// use databases_api::Idempotency;
    /// let raw = client
    ///     .call("listDatabases", Idempotency::Safe, |g| g.list_databases().send())
    ///     .await?;
    /// println!("{} databases", raw.len());
    /// # Ok(()) }
    /// ```
    pub async fn call<'a, T, E, F, Fut>(
        &'a self,
        operation: &'static str,
        idempotency: Idempotency,
        mut send: F,
    ) -> Result<T>
    where
        F: FnMut(&'a databases_api_generated::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>,
        T: serde::de::DeserializeOwned,
        E: ErrorPayload,
    {
        let generated = &self.inner.generated;
        sdk_runtime::call(&self.inner.retry, operation, idempotency, || {
            send(generated)
        })
        .await
    }
}
