//! Runtime concerns in one place: authentication, the user agent,
//! per-request timeouts, retries and tracing.
//!
//! Every request of the generated client goes through [`Transport`], which
//! implements the generated crate's `hooks::RequestHooks`. Request timeouts of
//! facade calls are kept by [`crate::deadline`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::FutureExt;
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use tracing::Instrument;
use turso_platform_generated::hooks::{BoxFuture, Handled, RequestHooks};

use crate::client::Token;

/// How failed requests are retried.
///
/// Retries use exponential backoff with jitter and apply to HTTP 408, 429, 502,
/// 503 and 504 and to connection failures, and only to operations that are safe
/// to repeat: reads (`GET`), deletes, idempotent updates (`PATCH`) and creates made
/// through [`crate::Databases::create_if_missing`]. Plain creates, token minting
/// and other `POST`s are sent once (a connection that could not even be opened is
/// retried for every operation, since the request never left the client).
///
/// A `Retry-After` header is honoured up to [`RetryPolicy::retry_after_cap`]; a
/// longer wait is not attempted and the rate-limit error is returned instead.
///
/// An attempt whose answer never arrives (the connection broke after the
/// request was sent, the attempt timed out, a gateway timed out) may still have
/// been carried out. A delete retried after one and answered "not found" has
/// most likely been done by that attempt, so the deletes that can tell what
/// they would have answered report success; see
/// [`crate::Error::after_lost_answer`].
///
/// ```
/// use std::time::Duration;
/// use turso_platform::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(100))
///     .deadline(Some(Duration::from_secs(20)));
/// assert_eq!(policy.get_max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().get_max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    deadline: Option<Duration>,
    retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, 200 ms base delay doubling up to 5 s, a 60 s overall
    /// deadline and `Retry-After` honoured up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            deadline: Some(Duration::from_secs(60)),
            retry_after_cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent exactly once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The total number of attempts, including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the first retry; it doubles with each further retry.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest delay between two attempts (backoff is capped here).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The overall time budget of one call, all attempts and waits included.
    /// `None` bounds a call only by its number of attempts.
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The longest `Retry-After` the client will wait for before retrying.
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// The configured number of attempts.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The configured base delay.
    pub fn get_base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The configured overall deadline.
    pub fn get_deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The backoff before retry number `retry` (1-based), with "equal jitter":
    /// half the exponential delay plus a random part of the other half.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(jitter())
    }
}

/// A random number in `[0, 1)`, without a dependency on a random number crate.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether a call may be repeated after a transient failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Decided by the method: `GET`, `HEAD`, `PUT`, `DELETE` and `PATCH` repeat.
    Auto,
    /// The caller knows the call is safe to repeat (e.g. create-if-missing).
    Idempotent,
    /// Never repeated (beyond connections that could not be opened).
    Never,
}

/// What the transport saw while executing one facade call.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallRecord {
    /// The status of the last response.
    pub(crate) status: Option<u16>,
    /// The `Retry-After` of the last response.
    pub(crate) retry_after: Option<Duration>,
    /// The number of attempts made.
    pub(crate) attempts: u32,
    /// The body of a successful JSON answer, read by the transport for the
    /// facade to decode (the generated client gets the response back marked
    /// `Handled`, see `Transport::finish_facade_call`).
    pub(crate) body: Option<Bytes>,
    /// Whether the last attempt ran out of time (the client's request timeout).
    pub(crate) timed_out: bool,
    /// Whether the call was retried after an attempt that the service may have
    /// carried out although its answer never arrived (see
    /// [`crate::Error::after_lost_answer`]).
    pub(crate) answer_lost: bool,
}

pub(crate) struct CallContext {
    retry: Retry,
    record: Mutex<CallRecord>,
}

tokio::task_local! {
    static CALL: Arc<CallContext>;
}

impl CallContext {
    /// What the transport recorded; call once the call has finished.
    pub(crate) fn take_record(&self) -> CallRecord {
        self.record
            .lock()
            .map(|mut r| std::mem::take(&mut *r))
            .unwrap_or_default()
    }
}

/// Wraps `fut` (a generated builder's `send()`) in a call context, so that the
/// transport knows whether it may retry and the facade learns what happened
/// ([`CallContext::take_record`] once the returned future has finished).
///
/// A plain function rather than an `async fn`, so that the (large) generated
/// future is moved once, into the scope, instead of once per async layer.
pub(crate) fn with_call<F: std::future::Future>(
    retry: Retry,
    fut: F,
) -> (
    impl std::future::Future<Output = F::Output>,
    Arc<CallContext>,
) {
    let ctx = Arc::new(CallContext {
        retry,
        record: Mutex::new(CallRecord::default()),
    });
    (CALL.scope(ctx.clone(), fut), ctx)
}

/// Parses `Retry-After` given in seconds (HTTP dates are rare for APIs and are
/// treated as absent).
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

fn idempotent_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::PATCH | Method::OPTIONS
    )
}

/// Sends every request of the generated client: adds the bearer token and the
/// user agent, applies the request timeout, retries and
/// traces.
pub(crate) struct Transport {
    pub(crate) token: Token,
    /// `Bearer <token>`, built once (marked sensitive, so never printed).
    authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Option<Duration>,
}

impl Transport {
    pub(crate) fn new(
        token: Token,
        user_agent: HeaderValue,
        retry: RetryPolicy,
        request_timeout: Option<Duration>,
    ) -> Transport {
        Transport {
            authorization: Transport::bearer(&token),
            token,
            user_agent,
            retry,
            request_timeout,
        }
    }

    pub(crate) fn bearer(token: &Token) -> HeaderValue {
        let mut v = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid-token"));
        v.set_sensitive(true);
        v
    }

    /// Sends `request`, retrying transient failures when `may_retry`: each
    /// attempt hands a request to `execute` (reqwest's `Client::execute`),
    /// and `attempt` turns what that returns into the attempt's outcome.
    ///
    /// The first request is handed over at once, before the returned future
    /// exists: the future then holds reqwest's small pending request rather
    /// than the (large) request itself, and the request is not copied into it
    /// and out again. A plain function returning an `async move` block rather
    /// than an `async fn` for the same reason: an `async fn` stores its
    /// arguments twice (as arguments, and again as locals).
    fn send<'a, A, P, Fut>(
        &'a self,
        request: reqwest::Request,
        call: CallInfo,
        ctx: Option<Arc<CallContext>>,
        execute: impl Fn(reqwest::Request) -> P + 'a,
        attempt: impl Fn(P) -> Fut + 'a,
    ) -> impl std::future::Future<Output = Outcome<A>> + 'a
    where
        A: Answer + 'a,
        P: 'a,
        Fut: std::future::Future<Output = Outcome<A>> + 'a,
    {
        let policy = &self.retry;
        let start = Instant::now();
        let method = request.method().clone();
        // The copy for a later attempt is made before the request is handed
        // over. Boxed: it waits through the attempt, and requests are large
        // (only calls that may be retried make one).
        let spare = if policy.max_attempts > 1 {
            request.try_clone().map(Box::new)
        } else {
            None
        };
        let first = execute(request);
        async move {
            let deadline = policy.deadline.map(|d| start + d);
            let (mut pending, mut spare) = (first, spare);
            let mut number: u32 = 0;
            // Values are scoped in blocks on purpose: whatever is in scope at an
            // `.await` is stored in this future (even once moved out).
            loop {
                number += 1;
                let (delay, next) = {
                    let span = tracing::info_span!(
                        "turso_platform.request",
                        operation = call.operation,
                        method = %method,
                        path = call.path,
                        attempt = number,
                        status = tracing::field::Empty,
                        duration_ms = tracing::field::Empty,
                    );
                    // Without a subscriber the span is disabled: skip the wrapper and
                    // the recording.
                    let traced = !span.is_disabled();
                    let sent_at = traced.then(Instant::now);
                    // Awaited where it is made: a future bound to a name first is
                    // stored twice in this one.
                    let outcome = if !traced {
                        attempt(pending).await
                    } else {
                        attempt(pending).instrument(span.clone()).await
                    };
                    let record = ctx.as_ref().map(|c| &c.record);
                    let decision = self
                        .after_attempt(&outcome, &call, record, &span, number, sent_at, deadline);
                    match (decision, spare.take()) {
                        (Some(delay), Some(next)) => {
                            if outcome.may_have_been_carried_out()
                                && let Some(Ok(mut record)) = record.map(Mutex::lock)
                            {
                                record.answer_lost = true;
                            }
                            // The copy for the attempt after that one.
                            if number + 1 < policy.max_attempts {
                                spare = next.try_clone().map(Box::new);
                            }
                            (delay, next)
                        }
                        _ => return outcome,
                    }
                };
                // Boxed: retries are rare, and a timer held inline would make this
                // future larger for every call. The next request is handed over
                // only after the wait, so that reqwest's own timeout (on calls
                // through `Client::generated`) does not count the wait.
                Box::pin(tokio::time::sleep(delay)).await;
                pending = execute(*next);
            }
        }
    }

    /// Records and traces an attempt's outcome, and decides whether to try
    /// again: the delay before the next attempt, or `None` to stop here.
    /// `sent_at` is only known when the attempt is traced.
    #[allow(clippy::too_many_arguments)]
    fn after_attempt<A: Answer>(
        &self,
        outcome: &Outcome<A>,
        call: &CallInfo,
        record: Option<&Mutex<CallRecord>>,
        span: &tracing::Span,
        number: u32,
        sent_at: Option<Instant>,
        deadline: Option<Instant>,
    ) -> Option<Duration> {
        let traced = sent_at.is_some();
        if let Some(sent_at) = sent_at {
            span.record("duration_ms", sent_at.elapsed().as_millis() as u64);
        }
        let (transient, retry_after, status) = match outcome {
            Outcome::Answer(answer) => {
                let status = answer.status();
                if traced {
                    span.record("status", status.as_u16());
                }
                (
                    retryable_status(status) && call.may_retry,
                    parse_retry_after(answer.headers()),
                    Some(status.as_u16()),
                )
            }
            // A connection that could not be opened never delivered the
            // request: safe to repeat for every operation.
            Outcome::Failed(e) => (
                e.is_connect() || (call.may_retry && !e.is_builder()),
                None,
                None,
            ),
            Outcome::TimedOut => (call.may_retry, None, None),
        };
        if let Some(rec) = record
            && let Ok(mut r) = rec.lock()
        {
            r.status = status;
            r.retry_after = retry_after;
            r.attempts = number;
        }
        let _enter = span.enter();
        match outcome {
            Outcome::Answer(a) => tracing::debug!(status = a.status().as_u16(), "response"),
            Outcome::Failed(e) => tracing::debug!(error = %e.to_string(), "request failed"),
            Outcome::TimedOut => tracing::debug!("request timed out"),
        }
        if !transient {
            return None;
        }
        let policy = &self.retry;
        let mut delay = policy.backoff(number);
        if let Some(ra) = retry_after {
            if ra > policy.retry_after_cap {
                tracing::debug!(
                    retry_after_s = ra.as_secs_f64(),
                    "Retry-After exceeds the cap; not retrying"
                );
                return None;
            }
            delay = delay.max(ra);
        }
        if let Some(deadline) = deadline
            && Instant::now() + delay >= deadline
        {
            tracing::debug!("retry deadline reached; not retrying");
            return None;
        }
        tracing::debug!(delay_ms = delay.as_millis() as u64, "retrying");
        Some(delay)
    }

    /// What a facade call hands the generated client once its attempts are
    /// over: for an answer the facade decodes itself, the response marked
    /// [`Handled`] (its body kept in the call's record); for other answers, the
    /// response with its body again; for a timeout, a marked stand-in.
    fn finish_facade_call(
        &self,
        outcome: Outcome<ReadAnswer>,
        call: &CallInfo,
        ctx: &CallContext,
    ) -> reqwest::Result<reqwest::Response> {
        let mut record = ctx.record.lock().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Outcome::Answer(mut answer)
                if call.json_success && answer.response.status().is_success() =>
            {
                record.body = Some(answer.body);
                answer.response.extensions_mut().insert(Handled);
                Ok(answer.response)
            }
            Outcome::Answer(answer) => Ok(answer.into_response()),
            Outcome::Failed(e) => Err(e),
            Outcome::TimedOut => {
                record.timed_out = true;
                Ok(handled())
            }
        }
    }
}

/// What the transport knows of the operation a request belongs to.
#[derive(Clone, Copy)]
struct CallInfo {
    /// The spec's operationId.
    operation: &'static str,
    /// The spec's path template.
    path: &'static str,
    /// Whether a failed attempt may be repeated.
    may_retry: bool,
    /// Whether a successful answer is a JSON document.
    json_success: bool,
}

/// What one attempt produced.
enum Outcome<A> {
    Answer(A),
    Failed(reqwest::Error),
    /// The attempt's deadline passed (facade calls only: other calls carry
    /// reqwest's own timeout, which fails as [`Outcome::Failed`]).
    TimedOut,
}

impl<A: Answer> Outcome<A> {
    /// Whether the service may have carried the request out without the
    /// client learning so: the connection broke after the request was sent,
    /// the attempt timed out, or a gateway timed out waiting for the service.
    fn may_have_been_carried_out(&self) -> bool {
        match self {
            Outcome::Answer(answer) => answer.status() == StatusCode::GATEWAY_TIMEOUT,
            // A connection that could not be opened never carried the request.
            Outcome::Failed(e) => !e.is_connect() && !e.is_builder(),
            Outcome::TimedOut => true,
        }
    }
}

/// An answer as far as retrying is concerned.
trait Answer {
    fn status(&self) -> StatusCode;
    fn headers(&self) -> &HeaderMap;
}

impl Answer for reqwest::Response {
    fn status(&self) -> StatusCode {
        reqwest::Response::status(self)
    }

    fn headers(&self) -> &HeaderMap {
        reqwest::Response::headers(self)
    }
}

/// An answer to a facade call, its body read in full.
struct ReadAnswer {
    /// The response as received, its body consumed.
    response: reqwest::Response,
    body: Bytes,
}

impl Answer for ReadAnswer {
    fn status(&self) -> StatusCode {
        self.response.status()
    }

    fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }
}

impl ReadAnswer {
    /// The answer as a response with its body again, for the generated client
    /// to decode (only for answers the facade does not decode itself: errors
    /// and successes without a JSON body).
    fn into_response(mut self) -> reqwest::Response {
        let url = self.response.url().clone();
        let status = self.response.status();
        let headers = std::mem::take(self.response.headers_mut());
        let mut response = http::Response::builder()
            .status(status)
            .url(url)
            .body(self.body)
            .unwrap_or_else(|_| http::Response::new(Bytes::new()));
        *response.headers_mut() = headers;
        reqwest::Response::from(response)
    }
}

/// How much of an answer's body a facade call reads: a successful one whole,
/// an error's up to the size kept for error messages.
fn body_limit(status: StatusCode) -> usize {
    if status.is_success() {
        usize::MAX
    } else {
        crate::error::MAX_ERROR_BODY
    }
}

/// Reads a response's body up to `limit` bytes (the rest is left unread), and
/// gives back the response (its body spent), the body read and the read error
/// that stopped it early, if one did.
///
/// A function returning an `async move` block, so that the response is stored
/// once in the future (an `async fn` would store its argument twice): this
/// runs inside every facade call's future.
pub(crate) fn read_up_to(
    response: reqwest::Response,
    limit: usize,
) -> impl std::future::Future<Output = (reqwest::Response, Bytes, Option<reqwest::Error>)> {
    let mut response = response;
    async move {
        // Most answers arrive in one chunk: `first` keeps it without copying;
        // `more` gathers the chunks of longer ones.
        let mut first: Option<Bytes> = None;
        let mut more: Vec<u8> = Vec::new();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => return (response, assemble(first, more, limit), None),
                Err(e) => return (response, assemble(first, more, limit), Some(e)),
            };
            match &first {
                None => first = Some(chunk),
                Some(head) => {
                    if more.is_empty() {
                        more.extend_from_slice(head);
                    }
                    more.extend_from_slice(&chunk);
                }
            }
            let read = if more.is_empty() {
                first.as_ref().map_or(0, Bytes::len)
            } else {
                more.len()
            };
            if read >= limit {
                return (response, assemble(first, more, limit), None);
            }
        }
    }
}

/// The body `read_up_to` read, at most `limit` bytes of it.
fn assemble(first: Option<Bytes>, more: Vec<u8>, limit: usize) -> Bytes {
    let mut body = if more.is_empty() {
        first.unwrap_or_default()
    } else {
        Bytes::from(more)
    };
    body.truncate(limit);
    body
}

/// A stand-in response marked [`Handled`], for an attempt that produced no
/// answer (it timed out): the generated call returns `Error::Custom` without
/// looking at it, and `Client::run` takes the outcome from the call's record.
///
/// Answers the facade decodes are marked the same way (see
/// `Transport::finish_facade_call`). Why: the facade decodes every answer into
/// its own, more lenient types. Left to itself the generated client would first
/// decode progenitor's types, which the facade would then have to re-encode and
/// decode again: three passes over every answer where one will do.
fn handled() -> reqwest::Response {
    let mut stand_in = http::Response::new(Bytes::new());
    *stand_in.status_mut() = StatusCode::REQUEST_TIMEOUT;
    stand_in.extensions_mut().insert(Handled);
    reqwest::Response::from(stand_in)
}

impl RequestHooks for Transport {
    /// A plain function that boxes the retry loop's future with a closure
    /// finishing the call, rather than an `async` block around it: every async
    /// layer stores (and copies) its child future once more, and the box stays
    /// small enough for the allocator's fast path.
    fn exec<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        // Generated by the xtask: a binary search, no parsing of the spec.
        let meta = turso_platform_generated::operations::by_name(operation_id);
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        // Called while the generated call is polled, inside its call scope.
        let ctx = CALL.try_with(|c| c.clone()).ok();
        let retry = ctx.as_ref().map_or(Retry::Auto, |c| c.retry);
        let call = CallInfo {
            operation: meta.map_or(operation_id, |m| m.id),
            path: meta.map_or("", |m| m.path),
            may_retry: match retry {
                Retry::Auto => idempotent_method(request.method()),
                Retry::Idempotent => true,
                Retry::Never => false,
            },
            json_success: meta.is_some_and(|m| m.json_success),
        };
        match ctx {
            // A facade call: each attempt reads the whole answer within the
            // request timeout, kept by `crate::deadline` rather than by a
            // runtime timer per request.
            Some(ctx) => {
                let timeout = self.request_timeout;
                let attempts = self.send(
                    request,
                    call,
                    Some(ctx.clone()),
                    |request| client.execute(request),
                    move |sending| {
                        crate::deadline::within(timeout, async move {
                            let response = sending.await?;
                            let limit = body_limit(response.status());
                            reqwest::Result::Ok(read_up_to(response, limit).await)
                        })
                        .map(|answer| match answer {
                            Ok(Ok((response, body, None))) => {
                                Outcome::Answer(ReadAnswer { response, body })
                            }
                            Ok(Ok((_, _, Some(e))) | Err(e)) => Outcome::Failed(e),
                            Err(crate::deadline::Elapsed) => Outcome::TimedOut,
                        })
                    },
                );
                Box::pin(attempts.map(move |outcome| self.finish_facade_call(outcome, &call, &ctx)))
            }
            // A call made through `Client::generated`: the generated client
            // reads the answer itself, so reqwest's timeout bounds it.
            None => {
                if let Some(t) = self.request_timeout
                    && request.timeout().is_none()
                {
                    *request.timeout_mut() = Some(t);
                }
                let attempts = self.send(
                    request,
                    call,
                    None,
                    |request| client.execute(request),
                    |sending| {
                        sending.map(|result| match result {
                            Ok(response) => Outcome::Answer(response),
                            Err(e) => Outcome::Failed(e),
                        })
                    },
                );
                Box::pin(attempts.map(|outcome| match outcome {
                    Outcome::Answer(response) => Ok(response),
                    Outcome::Failed(e) => Err(e),
                    // Never produced without a deadline of our own; keep the
                    // answer types total anyway.
                    Outcome::TimedOut => Ok(handled()),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_every_operation() {
        use turso_platform_generated::operations::{OPERATIONS, by_name};
        assert_eq!(OPERATIONS.len(), 49);
        let m = by_name("get_database").unwrap();
        assert_eq!(m.id, "getDatabase");
        assert_eq!(
            m.path,
            "/v1/organizations/{organizationSlug}/databases/{databaseName}"
        );
        for op in OPERATIONS {
            assert_eq!(by_name(op.name), Some(op), "{}", op.name);
        }
        assert_eq!(by_name("no_such_operation"), None);
    }

    #[test]
    fn knows_which_operations_answer_json() {
        use turso_platform_generated::operations::{OPERATIONS, by_name};
        // The transport records the body of these for the facade to decode.
        assert!(by_name("get_database").unwrap().json_success);
        assert!(
            by_name("list_organization_audit_logs")
                .unwrap()
                .json_success
        );
        // The spec gives these no body: the generated client answers `()`.
        for name in [
            "invalidate_database_tokens",
            "invalidate_group_tokens",
            "update_group_databases",
            "delete_organization_invite_by_email_v2",
        ] {
            assert!(!by_name(name).unwrap().json_success, "{name}");
        }
        let without_body = OPERATIONS.iter().filter(|m| !m.json_success).count();
        assert_eq!(without_body, 4);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(800));
        for retry in 1..10 {
            let d = p.backoff(retry);
            let full =
                (Duration::from_millis(100) * 2u32.pow(retry - 1)).min(Duration::from_millis(800));
            assert!(d >= full / 2 && d <= full, "{retry}: {d:?}");
        }
        assert!(p.backoff(40) <= Duration::from_millis(800));
    }

    #[test]
    fn parses_retry_after() {
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("0.5"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_millis(500)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), None);
    }
}
