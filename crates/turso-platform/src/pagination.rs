//! Lazy pagination: a stream of items fetched page by page, each page requested
//! only when the previous one has been consumed, and [`Cursors`], which stops
//! a listing whose cursors go round in a circle or never end.

use std::collections::HashSet;
use std::future::Future;

use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::{ErrorKind, Result};

/// The most pages one listing follows: far beyond any real organization
/// (10,000 pages), short of a server that hands out new cursors forever.
pub(crate) const MAX_PAGES: usize = 10_000;

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
            return Ok::<_, crate::Error>(None);
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

/// The cursors one listing has followed. A cursor seen before (`A → B → A`)
/// or a listing longer than `max_pages` is a misbehaving server: the listing
/// ends with an error instead of running forever.
#[derive(Debug, Clone)]
pub(crate) struct Cursors {
    seen: HashSet<String>,
    max_pages: usize,
    operation: &'static str,
}

impl Cursors {
    pub(crate) fn new(operation: &'static str, max_pages: usize) -> Self {
        Cursors {
            seen: HashSet::new(),
            max_pages,
            operation,
        }
    }

    /// Checks the `next` cursor of a page: `Ok(None)` at the end, the cursor to
    /// follow, or the error for a cycle or a listing too long.
    pub(crate) fn follow(&mut self, next: Option<String>) -> Result<Option<String>> {
        let Some(next) = next.filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        let broken = |message: String| {
            let e = crate::error::new(
                ErrorKind::Decode {
                    excerpt: String::new(),
                },
                message,
            );
            Err(crate::error::with_operation(e, self.operation))
        };
        if self.seen.len() + 1 >= self.max_pages {
            return broken(format!(
                "the listing did not end after {} pages; stopped",
                self.max_pages
            ));
        }
        if !self.seen.insert(next.clone()) {
            return broken(format!(
                "the service's pagination cursor {next:?} came back after {} pages (a cycle); stopped",
                self.seen.len()
            ));
        }
        Ok(Some(next))
    }
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

    #[test]
    fn stops_cycles_and_endless_listings() {
        let mut c = Cursors::new("listDatabases", MAX_PAGES);
        assert_eq!(c.follow(Some("a".into())).unwrap(), Some("a".into()));
        assert_eq!(c.follow(Some("b".into())).unwrap(), Some("b".into()));
        assert_eq!(c.follow(Some(String::new())).unwrap(), None);
        let e = c.follow(Some("a".into())).unwrap_err();
        assert!(e.to_string().contains("cycle"), "{e}");
        let mut c = Cursors::new("listDatabases", 3);
        c.follow(Some("1".into())).unwrap();
        c.follow(Some("2".into())).unwrap();
        assert!(c.follow(Some("3".into())).is_err());
    }
}
