//! Lazy pagination: a stream of items fetched page by page, each page requested
//! only when the previous one has been consumed.

use std::future::Future;

use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::error::Result;

/// Streams the items of pages: `fetch(state)` returns one page and the state of
/// the next page, or `None` after the last one.
pub(crate) fn paged<S, T, F, Fut>(
    first: S,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    S: Send + 'static,
    T: Send + 'static,
    F: FnMut(S) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(Vec<T>, Option<S>)>> + Send + 'static,
{
    stream::try_unfold((Some(first), fetch), |(state, mut fetch)| async move {
        let Some(state) = state else {
            return Ok(None);
        };
        let (items, next) = fetch(state).await?;
        Ok(Some((
            stream::iter(items.into_iter().map(Ok)),
            (next, fetch),
        )))
    })
    .try_flatten()
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn fetches_lazily() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let s = paged(0u32, move |page| {
            c.fetch_add(1, Ordering::SeqCst);
            async move {
                let items = vec![page * 10, page * 10 + 1];
                Ok((items, (page < 4).then_some(page + 1)))
            }
        });
        futures::pin_mut!(s);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(s.try_next().await.unwrap(), Some(0));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let rest: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(rest.len(), 9);
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }
}
