//! [`call`]: the one path every facade operation takes. A generated call is
//! sent, retried by the client's [`RetryPolicy`] when its [`Idempotency`]
//! allows, in an `sdk.call` tracing span; its answer is decoded tolerantly
//! ([`answer_tolerant`]) and its failure is an [`Error`] naming the
//! operation. A facade's `Client::call` hands its generated client and
//! retry policy to it; nothing else of a call is written per API.

use std::future::Future;

use progenitor_client::ResponseValue;
use tracing::Instrument;

use crate::error::{Error, convert};
use crate::retry::{self, Idempotency, RetryPolicy};
use crate::{ErrorPayload, tolerant};

/// The answer of one generated call, or its error: a success body that does
/// not decode strictly is decoded again with [`tolerant::decode`] (values of
/// an unexpected type read as absent, list items that cannot be identified
/// are skipped, each reported through `tracing`); only an answer whose own
/// identity is missing is a [`crate::ErrorKind::Decode`] error, naming the
/// field.
pub async fn answer_tolerant<T, A, E: ErrorPayload>(
    call: impl Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<T, Error<A>>
where
    T: serde::de::DeserializeOwned,
{
    match call.await {
        Ok(value) => Ok(value.into_inner()),
        Err(progenitor_client::Error::InvalidResponsePayload(bytes, _)) => {
            tolerant::decode(&bytes).map_err(|source| convert::decode(&bytes, source, None))
        }
        Err(e) => Err(convert::from_generated(e).await),
    }
}

/// Runs `send` (one generated call: `|| generated.get_thing().id(id).send()`)
/// as every facade operation runs: retried by `policy` when `idempotency`
/// allows, in an `sdk.call` span, its answer decoded by [`answer_tolerant`],
/// its failure an [`Error`] naming `operation` (the spec's operationId).
pub async fn call<T, A, E, F, Fut>(
    policy: &RetryPolicy,
    operation: &'static str,
    idempotency: Idempotency,
    mut send: F,
) -> Result<T, Error<A>>
where
    A: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    E: ErrorPayload,
    T: serde::de::DeserializeOwned,
{
    retry::run(policy, idempotency, || answer_tolerant(send()))
        .instrument(tracing::info_span!("sdk.call", operation))
        .await
        .map_err(|e| convert::with_operation(e, operation))
}
