//! The [`Client`], its [`ClientBuilder`] and the [`Token`] secret type.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ResponseValue;
use reqwest::header::HeaderValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, ErrorPayload, Result};
use crate::runtime::{Retry, RetryPolicy, Transport, with_call};

/// The default base URL of the Turso Platform API.
pub const DEFAULT_BASE_URL: &str = "https://api.turso.tech";

/// The default `User-Agent` sent with every request.
pub const DEFAULT_USER_AGENT: &str = concat!("turso-platform-rs/", env!("CARGO_PKG_VERSION"));

/// A secret token: the platform API token, or a database, group or API token
/// minted through the API.
///
/// `Debug` and `Display` print `Token(****)`; read the value with
/// [`Token::expose`] only where it must be sent.
///
/// ```
/// let token = turso_platform::Token::new("eyJhbGciOi.secret");
/// assert_eq!(format!("{token}"), "Token(****)");
/// assert_eq!(format!("{token:?}"), "Token(****)");
/// assert_eq!(token.expose(), "eyJhbGciOi.secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Arc<str>);

impl Token {
    /// Wraps a token value.
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
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(Token::new)
    }
}

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
    token: Option<Token>,
    base_url: String,
    organization: Option<String>,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<reqwest::Client>,
    database_host_base_url: Option<String>,
    allow_insecure_http: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            token: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            organization: None,
            request_timeout: Some(Duration::from_secs(60)),
            connect_timeout: Some(Duration::from_secs(10)),
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            http: None,
            database_host_base_url: None,
            allow_insecure_http: false,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "Token(****)"))
            .field("base_url", &self.base_url)
            .field("organization", &self.organization)
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .field("database_host_base_url", &self.database_host_base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientBuilder {
    /// The platform API token (required).
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The API base URL; default [`DEFAULT_BASE_URL`]. Plain `http://` is refused
    /// unless the host is loopback or [`ClientBuilder::allow_insecure_http`] is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The organization used when a call does not name one.
    pub fn organization(mut self, slug: impl Into<String>) -> Self {
        self.organization = Some(slug.into());
        self
    }

    /// The timeout of each HTTP attempt (default 60 s; `None` for none). Uploads
    /// use their own timeout, see [`crate::UploadDatabase::timeout`].
    pub fn request_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.request_timeout = timeout.into();
        self
    }

    /// The timeout for opening a connection (default 10 s). Ignored with a
    /// caller-supplied [`ClientBuilder::http_client`], which keeps its own.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// How transient failures are retried; see [`RetryPolicy`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header (default [`DEFAULT_USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends requests with this `reqwest::Client` (proxies, TLS settings, ...).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sends requests meant for a database host (the upload endpoint
    /// `https://{hostname}/v1/upload`) to this base URL instead, with the `Host`
    /// header set to the database hostname. Used to direct database hostnames to
    /// an emulator or a proxy.
    pub fn database_host_base_url(mut self, url: impl Into<String>) -> Self {
        self.database_host_base_url = Some(url.into());
        self
    }

    /// Accepts plain `http://` URLs to hosts that are not loopback.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let token = self.token.ok_or_else(|| {
            Error::configuration(
                "no platform API token: set one with ClientBuilder::token or TURSO_API_TOKEN",
            )
        })?;
        if token.expose().trim().is_empty() {
            return Err(Error::configuration("the platform API token is empty"));
        }
        if HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_err() {
            return Err(Error::configuration(
                "the platform API token contains characters not allowed in a header",
            ));
        }
        let base_url = check_url("base URL", &self.base_url, self.allow_insecure_http)?;
        let db_host = self
            .database_host_base_url
            .as_deref()
            .map(|u| check_url("database host base URL", u, self.allow_insecure_http))
            .transpose()?;
        if let Some(org) = &self.organization {
            crate::validate::segment("organization", org)?;
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::configuration("the user agent is not a valid header value"))?;
        let http = match self.http {
            Some(c) => c,
            None => {
                let mut b = reqwest::Client::builder();
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                b.build().map_err(|e| {
                    Error::configuration("could not build the HTTP client").with_source(e)
                })?
            }
        };
        let transport = Arc::new(Transport::new(
            token,
            user_agent,
            self.retry,
            self.request_timeout,
        ));
        let base = base_url.as_str().trim_end_matches('/').to_string();
        let generated = turso_platform_generated::Client::new_with_client(
            &base,
            http.clone(),
            turso_platform_generated::hooks::Hooks::new(transport.clone()),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                generated,
                http,
                transport,
                base_url: base,
                organization: self.organization,
                database_host_base_url: db_host,
            }),
        })
    }
}

/// Decodes the body of a successful answer into the facade type `F`. A body
/// `F` refuses is a decode error that reports `refused` (what the generated
/// type said of it) when there is one, else what `F` said.
fn decode_success<F: DeserializeOwned>(
    operation: &'static str,
    body: &[u8],
    status: Option<u16>,
    refused: Option<serde_json::Error>,
) -> Result<F> {
    serde_json::from_slice::<F>(body).map_err(|e| {
        Error::decode(body, refused.unwrap_or(e))
            .with_status(status.unwrap_or(200))
            .with_operation(operation)
    })
}

fn check_url(what: &str, raw: &str, allow_insecure: bool) -> Result<Url> {
    let url = Url::parse(raw)
        .map_err(|e| Error::configuration(format!("the {what} {raw:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback && !allow_insecure {
                return Err(Error::configuration(format!(
                    "the {what} {raw:?} uses plain http to a host that is not loopback; \
                     use https or ClientBuilder::allow_insecure_http(true)"
                )));
            }
        }
        other => {
            return Err(Error::configuration(format!(
                "the {what} {raw:?} has the unsupported scheme {other:?}"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::configuration(format!(
            "the {what} must not carry credentials, a query or a fragment"
        )));
    }
    Ok(url)
}

/// A client of the Turso Platform API.
///
/// Cheap to clone (all clones share one connection pool). Reach resources through
/// handles — [`Client::databases`], [`Client::groups`], ... — which use the
/// default organization, or through [`Client::organization`] for another one.
///
/// ```no_run
/// # async fn run() -> turso_platform::Result<()> {
/// let client = turso_platform::Client::from_env()?;
/// for db in client.databases().list().await? {
///     println!("{} in group {}", db.name, db.group);
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
    transport: Arc<Transport>,
    base_url: String,
    organization: Option<String>,
    database_host_base_url: Option<Url>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("organization", &self.inner.organization)
            .field("token", &self.inner.transport.token)
            .field("retry", &self.inner.transport.retry)
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
        let token = std::env::var("TURSO_API_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::configuration("TURSO_API_TOKEN is not set"))?;
        let mut b = Client::builder().token(token);
        if let Ok(url) = std::env::var("TURSO_API_BASEURL")
            && !url.trim().is_empty()
        {
            b = b.base_url(url.trim());
        }
        if let Ok(org) = std::env::var("TURSO_ORG")
            && !org.trim().is_empty()
        {
            b = b.organization(org.trim());
        }
        Ok(b)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The default organization, if one is set.
    pub fn default_organization(&self) -> Option<&str> {
        self.inner.organization.as_deref()
    }

    /// The generated client, for anything the facade does not cover. It shares
    /// this client's authentication, retries and tracing; its types are the raw
    /// generated ones.
    pub fn generated(&self) -> &turso_platform_generated::Client {
        &self.inner.generated
    }

    /// The `reqwest::Client` used for requests.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn database_host_base_url(&self) -> Option<&Url> {
        self.inner.database_host_base_url.as_ref()
    }

    /// Resolves the organization of a call: the explicit one, else the default.
    pub(crate) fn org(&self, explicit: Option<&str>) -> Result<String> {
        let org = explicit
            .or(self.inner.organization.as_deref())
            .ok_or_else(|| {
                Error::invalid_input(
                    "no organization given and no default organization set: use \
                     client.organization(\"slug\"), .in_org(\"slug\"), \
                     ClientBuilder::organization or TURSO_ORG",
                )
            })?;
        crate::validate::segment("organization", org)?;
        Ok(org.to_string())
    }

    /// Runs a generated call (`call` makes its future) and decodes its answer
    /// into the facade type `F`.
    ///
    /// A successful JSON answer is decoded once, straight from the body the
    /// transport recorded (the generated client only sees a stand-in marked
    /// `hooks::Handled`). Answers the spec describes without a body come back
    /// as the generated `()` and are converted through their JSON form
    /// (`null`).
    pub(crate) async fn run<G, E, F, Fut>(
        &self,
        operation: &'static str,
        retry: Retry,
        call: impl FnOnce() -> Fut,
    ) -> Result<F>
    where
        Fut: std::future::Future<
                Output = std::result::Result<ResponseValue<G>, progenitor_client::Error<E>>,
            >,
        G: Serialize,
        E: ErrorPayload,
        F: DeserializeOwned,
    {
        use progenitor_client::Error as G;
        // The generated future is made here, not by the caller: passed in as
        // a value, it would be stored twice in this future (as the argument
        // and inside the call scope), and so in every future awaiting it.
        let (call, context) = with_call(retry, call());
        let result = call.await;
        let record = context.take_record();
        let success = record.status.is_some_and(|s| (200..300).contains(&s));
        match (result, record.body.as_deref()) {
            // The answer's own body, recorded by the transport; the generated
            // client only saw a stand-in.
            (Ok(_) | Err(G::Custom(_) | G::InvalidResponsePayload(..)), Some(body)) => {
                decode_success(operation, body, record.status, None)
            }
            (Err(G::Custom(_)), None) if record.timed_out => {
                Err(Error::timed_out(self.transport().request_timeout)
                    .with_operation(operation)
                    .with_lost_answer(record.answer_lost))
            }
            (Ok(rv), None) => {
                crate::model::bridge(&rv.into_inner()).map_err(|e| e.with_operation(operation))
            }
            // A body the generated type refuses (an enum value the spec does
            // not know yet) may still suit the lenient facade type.
            (Err(G::InvalidResponsePayload(bytes, err)), None) if success => {
                decode_success(operation, &bytes, record.status, Some(err))
            }
            // Boxed: this future is held by every facade call's future, which
            // would otherwise grow by its size for a path only errors take.
            (Err(e), _) => Err(Box::pin(Error::from_generated(e, &record))
                .await
                .with_operation(operation)
                .with_lost_answer(record.answer_lost)),
        }
    }

    /// The answer `gone` makes for a delete that found nothing to delete after
    /// an attempt whose answer was lost: that attempt most likely deleted it,
    /// which is what the caller asked for. Other results pass through.
    pub(crate) fn deleted_if_lost<F>(result: Result<F>, gone: impl FnOnce() -> F) -> Result<F> {
        match result {
            Err(e) if e.is_not_found() && e.after_lost_answer() => Ok(gone()),
            other => other,
        }
    }

    /// Handles on the resources of the default organization, or of `slug`.
    pub fn organization(&self, slug: impl Into<String>) -> crate::OrgScope {
        crate::OrgScope::new(self.clone(), Some(slug.into()))
    }

    fn scope(&self) -> crate::OrgScope {
        crate::OrgScope::new(self.clone(), None)
    }

    /// Organizations: list, get, update, usage.
    pub fn organizations(&self) -> crate::Organizations {
        self.scope().organizations()
    }

    /// Members of the default organization.
    pub fn members(&self) -> crate::Members {
        self.scope().members()
    }

    /// Pending invites of the default organization.
    pub fn invites(&self) -> crate::Invites {
        self.scope().invites()
    }

    /// Groups of the default organization.
    pub fn groups(&self) -> crate::Groups {
        self.scope().groups()
    }

    /// Databases of the default organization.
    pub fn databases(&self) -> crate::Databases {
        self.scope().databases()
    }

    /// Audit logs of the default organization.
    pub fn audit_logs(&self) -> crate::AuditLogs {
        self.scope().audit_logs()
    }

    /// Plans, subscription and invoices of the default organization.
    pub fn billing(&self) -> crate::Billing {
        self.scope().billing()
    }

    /// Platform API tokens (the user's, and the default organization's).
    pub fn api_tokens(&self) -> crate::ApiTokens {
        self.scope().api_tokens()
    }

    /// The locations databases can be placed in.
    pub fn locations(&self) -> crate::Locations {
        crate::Locations::new(self.clone())
    }

    /// The user the token belongs to.
    pub fn user(&self) -> crate::UserHandle {
        crate::UserHandle::new(self.clone())
    }
}
