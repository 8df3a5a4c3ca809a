//! [`client_builder_settings!`](crate::client_builder_settings): the setters
//! every facade's client builder offers over a [`crate::config::ClientConfig`]
//! field, written once. A facade's builder writes only what is particular to
//! its API (an organization, another host, ...) and expands this macro in its
//! `impl` block for the rest.

/// Expands, inside `impl YourBuilder { ... }`, to the builder's shared
/// setters over its `ClientConfig` field `$config`: `token`, `base_url`,
/// `request_timeout`,
/// `connect_timeout`, `max_response_bytes`, `retry_policy`, `user_agent`,
/// `http_client` and `allow_insecure_http`.
///
/// ```
/// use sdk_runtime::config::ClientConfig;
///
/// pub struct Builder {
///     config: ClientConfig,
/// }
///
/// impl Builder {
///     sdk_runtime::client_builder_settings!(config);
/// }
///
/// let b = Builder { config: ClientConfig::new("https://api.example.com", "ua/1") }
///     .token("my-token")
///     .base_url("https://api.example.com")
///     .user_agent("my-app/1.0")
///     .max_response_bytes(1024);
/// # let _ = b;
/// ```
#[macro_export]
macro_rules! client_builder_settings {
    ($config:ident) => {
        /// The API token, sent as `Authorization: Bearer ...` (required;
        /// `from_env` reads it from the API's environment variable). It
        /// never prints.
        pub fn token(mut self, token: impl ::std::convert::Into<$crate::Token>) -> Self {
            self.$config.set_token(token.into());
            self
        }

        /// The API's base URL (the crate's `DEFAULT_BASE_URL` otherwise).
        /// Plain `http://` is refused unless the host is loopback or
        /// `allow_insecure_http` is set.
        pub fn base_url(mut self, url: impl ::std::convert::Into<String>) -> Self {
            self.$config.set_base_url(url.into());
            self
        }

        /// The timeout of each HTTP attempt, the answer's body included
        /// (default 60 s; `None` for none).
        pub fn request_timeout(
            mut self,
            timeout: impl ::std::convert::Into<::std::option::Option<::std::time::Duration>>,
        ) -> Self {
            self.$config.set_request_timeout(timeout.into());
            self
        }

        /// The timeout for opening a connection (default 10 s); ignored with
        /// a caller's own HTTP client, which keeps its own.
        pub fn connect_timeout(
            mut self,
            timeout: impl ::std::convert::Into<::std::option::Option<::std::time::Duration>>,
        ) -> Self {
            self.$config.set_connect_timeout(timeout.into());
            self
        }

        /// The largest answer body accepted (default 256 MiB); a larger one
        /// fails with `ErrorKind::BodyTooLarge` without being read further.
        pub fn max_response_bytes(mut self, limit: u64) -> Self {
            self.$config.set_max_response_bytes(limit);
            self
        }

        /// How transient failures are retried (see `RetryPolicy`).
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.$config.set_retry_policy(policy);
            self
        }

        /// The `User-Agent` header (the facade's own by default).
        pub fn user_agent(mut self, user_agent: impl ::std::convert::Into<String>) -> Self {
            self.$config.set_user_agent(user_agent.into());
            self
        }

        /// Sends with this `reqwest::Client` (proxies, TLS settings, ...);
        /// its own redirect policy then applies (the default client follows
        /// none).
        pub fn http_client(mut self, client: ::reqwest::Client) -> Self {
            self.$config.set_http_client(client);
            self
        }

        /// Accepts plain `http://` base URLs to hosts that are not loopback.
        pub fn allow_insecure_http(mut self, allow: bool) -> Self {
            self.$config.set_allow_insecure_http(allow);
            self
        }
    };
}
