//! [`ClientConfig`]: the settings every facade's client builder offers (token,
//! base URL, timeouts, body limit, retries, user agent, HTTP client, plain
//! HTTP), checked and turned into the pieces a client is made of
//! ([`Connection`]). A facade's builder wraps one and adds its API's own
//! settings; [`env_var`] reads the environment the way `from_env` does.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::body::DEFAULT_MAX_RESPONSE_BYTES;
use crate::error::{Result, convert};
use crate::retry::RetryPolicy;
use crate::secret::Token;
use crate::transport::Transport;

/// The shared settings of a client. Defaults: a 60 s request timeout, a 10 s
/// connect timeout, [`DEFAULT_MAX_RESPONSE_BYTES`], [`RetryPolicy::default`],
/// plain HTTP to loopback hosts only.
#[derive(Clone)]
pub struct ClientConfig {
    token: Option<Token>,
    base_url: String,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_bytes: u64,
    retry: RetryPolicy,
    user_agent: String,
    http: Option<reqwest::Client>,
    allow_insecure_http: bool,
}

/// What a built client is made of: its checked base URL (no trailing `/`), the
/// HTTP client, the transport the generated client sends through, and the
/// retry policy.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The base URL, without a trailing `/`, as generated clients take it.
    pub base_url: String,
    /// The HTTP client (no redirects followed unless the caller gave its own).
    pub http: reqwest::Client,
    /// The transport (token, user agent, timeout, body limit, tracing).
    pub transport: Transport,
    /// How calls are retried.
    pub retry: RetryPolicy,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token's own Debug prints `Token(****)`.
        f.debug_struct("ClientConfig")
            .field("token", &self.token)
            .field("base_url", &self.base_url)
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl ClientConfig {
    /// The defaults, with the API's default base URL and user agent.
    pub fn new(default_base_url: &str, default_user_agent: &str) -> Self {
        ClientConfig {
            token: None,
            base_url: default_base_url.to_string(),
            request_timeout: Some(Duration::from_secs(60)),
            connect_timeout: Some(Duration::from_secs(10)),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryPolicy::default(),
            user_agent: default_user_agent.to_string(),
            http: None,
            allow_insecure_http: false,
        }
    }

    /// Sets the API token.
    pub fn set_token(&mut self, token: Token) {
        self.token = Some(token);
    }

    /// Sets the base URL (checked by [`ClientConfig::connect`]).
    pub fn set_base_url(&mut self, url: String) {
        self.base_url = url;
    }

    /// Sets the timeout of each attempt, answer included (`None`: none).
    pub fn set_request_timeout(&mut self, timeout: Option<Duration>) {
        self.request_timeout = timeout;
    }

    /// Sets the timeout for opening a connection (ignored with a caller's
    /// own HTTP client).
    pub fn set_connect_timeout(&mut self, timeout: Option<Duration>) {
        self.connect_timeout = timeout;
    }

    /// Sets the largest successful answer body accepted.
    pub fn set_max_response_bytes(&mut self, limit: u64) {
        self.max_response_bytes = limit;
    }

    /// Sets the retry policy.
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.retry = policy;
    }

    /// Sets the `User-Agent`.
    pub fn set_user_agent(&mut self, user_agent: String) {
        self.user_agent = user_agent;
    }

    /// Sends with the caller's `reqwest::Client` (its redirect policy applies).
    pub fn set_http_client(&mut self, client: reqwest::Client) {
        self.http = Some(client);
    }

    /// Accepts plain `http://` to hosts that are not loopback.
    pub fn set_allow_insecure_http(&mut self, allow: bool) {
        self.allow_insecure_http = allow;
    }

    /// The base URL as set (not yet checked).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether plain HTTP to any host is allowed.
    pub fn allows_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// Checks the settings and builds the pieces of a client; `missing_token`
    /// is the message when no token was set (it should name the API's
    /// environment variable).
    pub fn connect(self, missing_token: &str) -> Result<Connection> {
        let token = self
            .token
            .ok_or_else(|| convert::configuration(missing_token))?;
        let url: Url =
            crate::http::check_base_url("base URL", &self.base_url, self.allow_insecure_http)?;
        let transport = Transport::new(
            &token,
            &self.user_agent,
            self.request_timeout,
            self.max_response_bytes,
        )?;
        let http = match self.http {
            Some(client) => client,
            None => crate::http::http_client(self.connect_timeout)?,
        };
        Ok(Connection {
            base_url: url.as_str().trim_end_matches('/').to_string(),
            http,
            transport,
            retry: self.retry,
        })
    }
}

/// The environment variable `name`, trimmed, when it is set and not blank.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connects_and_refuses() {
        let mut config = ClientConfig::new("https://api.example.com/", "ua/1");
        assert!(config.clone().connect("no token").is_err());
        config.set_token(Token::new("secret-value"));
        assert!(!format!("{config:?}").contains("secret-value"));
        let c = config.clone().connect("no token").unwrap();
        assert_eq!(c.base_url, "https://api.example.com");
        config.set_base_url("http://example.com".into());
        assert!(config.clone().connect("no token").is_err());
        config.set_allow_insecure_http(true);
        assert!(config.connect("no token").is_ok());
    }
}
