//! [`Transport`]: what sends every request of a generated client. How the
//! generated clients come to send through it is the seam described in the
//! crate's docs ("The seam"); what it does to each request is on the type.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use tracing::Instrument;

use crate::body::{MAX_ERROR_BODY, limit_body, read_up_to};
use crate::error::{Result, convert};
use crate::secret::Token;

/// Sends the requests of a generated client: sets the bearer token and the
/// user agent (and drops progenitor's `api-version` header), applies reqwest's
/// per-request timeout (body included), limits successful bodies, hands error
/// answers to the decoder as the API's `{"error": ...}` document, and records
/// a `tracing` span per request. Retries are not its job: they wrap whole
/// calls ([`crate::retry::run`]). Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    config: Arc<Config>,
}

struct Config {
    /// `Bearer <token>`, marked sensitive so that `http` never prints it.
    authorization: HeaderValue,
    user_agent: HeaderValue,
    request_timeout: Option<Duration>,
    max_response_bytes: u64,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("token", &"Token(****)")
            .field("user_agent", &self.config.user_agent)
            .field("request_timeout", &self.config.request_timeout)
            .field("max_response_bytes", &self.config.max_response_bytes)
            .finish()
    }
}

impl Transport {
    /// A transport sending `token` as bearer token and `user_agent`, each
    /// request bounded by `request_timeout` and each body by
    /// `max_response_bytes`.
    pub fn new(
        token: &Token,
        user_agent: &str,
        request_timeout: Option<Duration>,
        max_response_bytes: u64,
    ) -> Result<Transport> {
        if token.expose().trim().is_empty() {
            return Err(convert::configuration("the API token is empty"));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| {
                convert::configuration("the API token contains characters not allowed in a header")
            })?;
        authorization.set_sensitive(true);
        let user_agent = HeaderValue::from_str(user_agent)
            .map_err(|_| convert::configuration("the user agent is not a valid header value"))?;
        Ok(Transport {
            config: Arc::new(Config {
                authorization,
                user_agent,
                request_timeout,
                max_response_bytes,
            }),
        })
    }

    /// The timeout of each request.
    pub fn request_timeout(&self) -> Option<Duration> {
        self.config.request_timeout
    }

    /// The limit of a successful response body.
    pub fn max_response_bytes(&self) -> u64 {
        self.config.max_response_bytes
    }

    /// Sends `request` for `operation` (progenitor's name of the operation)
    /// with `client`; see [`Transport`] for what it does to each request.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let headers = request.headers_mut();
        headers.remove("api-version");
        headers.insert(AUTHORIZATION, self.config.authorization.clone());
        headers.insert(USER_AGENT, self.config.user_agent.clone());
        if request.timeout().is_none() {
            *request.timeout_mut() = self.config.request_timeout;
        }
        let span = tracing::info_span!(
            "sdk.request",
            operation,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = client.execute(request).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        let _entered = span.enter();
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                tracing::debug!(error = %e, "request failed");
                return Err(e);
            }
        };
        span.record("status", response.status().as_u16());
        tracing::debug!("response");
        if response.status().is_client_error() || response.status().is_server_error() {
            as_error_document(response).await
        } else {
            Ok(limit_body(response, self.config.max_response_bytes))
        }
    }
}

/// The error answer `response`, its body read (at most [`MAX_ERROR_BODY`]
/// bytes) and given as the API's error document: a JSON object with a string
/// `error` is kept as it is; anything else becomes `{"error": <its text>}`.
/// A body that breaks off (or times out) fails like any other read.
async fn as_error_document(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
        headers.remove(CONTENT_LENGTH);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let (body, failed) = read_up_to(response, MAX_ERROR_BODY).await;
    if let Some(e) = failed {
        return Err(e);
    }
    let body = if is_error_document(&body) {
        body
    } else {
        let text = String::from_utf8_lossy(&body).trim().to_string();
        Bytes::from(serde_json::json!({ "error": text }).to_string())
    };
    Ok(match builder.body(reqwest::Body::from(body)) {
        Ok(answer) => reqwest::Response::from(answer),
        Err(_) => reqwest::Response::from(http::Response::new(reqwest::Body::from(Bytes::new()))),
    })
}

fn is_error_document(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("error").is_some_and(serde_json::Value::is_string))
}

/// Implements progenitor's `ClientHooks` for a generated client whose inner
/// type is [`Transport`], so that every request goes through
/// [`Transport::execute`]. Each generated crate's hand-written `lib.rs` says
/// `sdk_runtime::send_through_transport!(Client);` once: the seam between
/// generated and hand-written code, written in one place for every API.
#[macro_export]
macro_rules! send_through_transport {
    ($client:ty) => {
        impl ::progenitor_client::ClientHooks<$crate::Transport> for $client {
            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                use ::progenitor_client::ClientInfo;
                self.inner()
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
        }
    };
}
