//! Audit logs, one page at a time or as a lazy stream.

use std::num::NonZeroU32;

use futures::Stream;
use turso_platform_generated::types;

use crate::model::AuditLogCode;
use crate::pagination::MAX_PAGES;
use crate::{Error, ErrorKind, Idempotency, Result};

crate::org_handle! {
    /// The audit logs of an organization, newest first. Obtained with
    /// [`crate::Client::audit_logs`] or [`crate::OrgScope::audit_logs`].
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use futures::TryStreamExt;
    /// let recent: Vec<_> = client.audit_logs().stream(50).try_collect().await?;
    /// for entry in recent.iter().take(5) {
    ///     println!("{:?} {:?} by {:?}", entry.created_at, entry.code, entry.author);
    /// }
    /// # Ok(()) }
    /// ```
    AuditLogs
}

/// The page size of [`AuditLogs::stream`] when it is given 0.
const DEFAULT_PAGE_SIZE: NonZeroU32 = NonZeroU32::new(100).unwrap();

const OPERATION: &str = "listOrganizationAuditLogs";

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditLog {
    /// What happened (`None` when the service did not say).
    pub code: Option<AuditLogCode>,
    /// When (ISO 8601), when the service said.
    pub created_at: Option<String>,
    /// Who did it.
    pub author: Option<String>,
    /// More context.
    pub message: Option<String>,
    /// Where it was done from (`cli`, `web`).
    pub origin: Option<String>,
    /// The action's payload.
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// The position of a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageInfo {
    /// This page's number (from 1).
    pub page: i64,
    /// Entries per page.
    pub page_size: i64,
    /// The number of pages.
    pub total_pages: i64,
    /// The number of entries.
    pub total_rows: i64,
}

/// One page of audit logs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditLogPage {
    /// The entries.
    pub audit_logs: Vec<AuditLog>,
    /// The page's position, when the service sent it.
    pub pagination: Option<PageInfo>,
}

impl AuditLogs {
    /// Page `page` (from 1) of `page_size` entries.
    pub async fn page(&self, page: NonZeroU32, page_size: NonZeroU32) -> Result<AuditLogPage> {
        let answer = self
            .scope
            .call(OPERATION, Idempotency::Safe, |g, org| {
                g.list_organization_audit_logs()
                    .organization_slug(org)
                    .page(i64::from(page.get()))
                    .page_size(i64::from(page_size.get()))
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Every entry, newest first, fetched lazily `page_size` at a time (0 means
    /// the service's default of 100) until the last page. A server whose page
    /// information cannot be right, or whose listing never ends, ends the
    /// stream with an error.
    pub fn stream(&self, page_size: u32) -> impl Stream<Item = Result<AuditLog>> + Send + 'static {
        let this = self.clone();
        let size = NonZeroU32::new(page_size).unwrap_or(DEFAULT_PAGE_SIZE);
        crate::pagination::paged(NonZeroU32::MIN, move |page: NonZeroU32| {
            let this = this.clone();
            async move {
                let p = this.page(page, size).await?;
                let next = next_page(page, size, &p)?;
                Ok((p.audit_logs, next))
            }
        })
    }
}

/// The page to ask for after page `page` (asked `size` at a time) answered
/// `got`: `None` after the last one; an error for page information that
/// cannot be right, or for a listing longer than [`MAX_PAGES`], so that a
/// misbehaving server never keeps the stream going forever.
fn next_page(page: NonZeroU32, size: NonZeroU32, got: &AuditLogPage) -> Result<Option<NonZeroU32>> {
    let more = match &got.pagination {
        Some(info) => {
            check_page_info(page, info)?;
            i64::from(page.get()) < info.total_pages
        }
        // Without pagination data: continue while pages are full.
        None => got.audit_logs.len() >= size.get() as usize,
    };
    // An empty page ends the listing even when the counts say more remain
    // (entries can be deleted while it is read); asking further would only
    // return more empty pages.
    if !more || got.audit_logs.is_empty() {
        return Ok(None);
    }
    if page.get() as usize >= MAX_PAGES {
        return Err(broken(format!(
            "the listing did not end after {MAX_PAGES} pages; stopped"
        )));
    }
    Ok(page.checked_add(1))
}

/// Refuses page information no real listing has: negative counts, or another
/// page than the one asked for (following it would repeat or skip entries).
fn check_page_info(page: NonZeroU32, info: &PageInfo) -> Result<()> {
    let negative = [info.page, info.page_size, info.total_pages, info.total_rows]
        .iter()
        .any(|n| *n < 0);
    if negative {
        return Err(broken(format!(
            "the service's page information is impossible (page {}, page size {}, {} pages, {} rows); stopped",
            info.page, info.page_size, info.total_pages, info.total_rows
        )));
    }
    // 0: the service did not say which page this is.
    if info.page != 0 && info.page != i64::from(page.get()) {
        return Err(broken(format!(
            "asked for page {page}, the service answered page {}; stopped",
            info.page
        )));
    }
    Ok(())
}

fn broken(message: String) -> Error {
    let e = crate::error::new(
        ErrorKind::Decode {
            excerpt: String::new(),
        },
        message,
    );
    crate::error::with_operation(e, OPERATION)
}

impl From<types::ListOrganizationAuditLogsResponse> for AuditLogPage {
    fn from(a: types::ListOrganizationAuditLogsResponse) -> Self {
        AuditLogPage {
            audit_logs: a.audit_logs.into_iter().map(Into::into).collect(),
            pagination: a.pagination.map(Into::into),
        }
    }
}

impl From<types::AuditLog> for AuditLog {
    fn from(l: types::AuditLog) -> Self {
        AuditLog {
            code: l.code.map(Into::into),
            created_at: l.created_at,
            author: l.author,
            message: l.message,
            origin: l.origin,
            data: l.data,
        }
    }
}

impl From<types::ListOrganizationAuditLogsResponsePagination> for PageInfo {
    fn from(p: types::ListOrganizationAuditLogsResponsePagination) -> Self {
        PageInfo {
            page: p.page.unwrap_or_default(),
            page_size: p.page_size.unwrap_or_default(),
            total_pages: p.total_pages.unwrap_or_default(),
            total_rows: p.total_rows.unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page_of(answer: serde_json::Value) -> AuditLogPage {
        serde_json::from_value::<types::ListOrganizationAuditLogsResponse>(answer)
            .unwrap()
            .into()
    }

    fn n(v: u32) -> NonZeroU32 {
        NonZeroU32::new(v).unwrap()
    }

    fn entry() -> serde_json::Value {
        json!({"code": "db-create", "created_at": "2025-01-01T00:00:00Z"})
    }

    #[test]
    fn generated_page_converts() {
        let page = page_of(json!({
            "audit_logs": [
                {
                    "code": "db-create",
                    "created_at": "2025-01-01T00:00:00Z",
                    "author": "ada",
                    "data": {"name": "orders"}
                },
                {"code": "db-teleport", "created_at": "2025-01-02T00:00:00Z"}
            ],
            "pagination": {"page": 1, "page_size": 2, "total_pages": 3, "total_rows": 5}
        }));
        assert_eq!(page.audit_logs[0].code, Some(AuditLogCode::DbCreate));
        assert_eq!(page.audit_logs[0].author.as_deref(), Some("ada"));
        assert_eq!(page.audit_logs[0].data["name"], "orders");
        assert_eq!(
            page.audit_logs[1].code,
            Some(AuditLogCode::Other("db-teleport".into()))
        );
        assert!(page.audit_logs[1].data.is_empty());
        let info = page.pagination.unwrap();
        assert_eq!((info.page, info.total_pages, info.total_rows), (1, 3, 5));
    }

    #[test]
    fn follows_total_pages() {
        let info = |page: u32| json!({"page": page, "page_size": 1, "total_pages": 3});
        let got = page_of(json!({"audit_logs": [entry()], "pagination": info(1)}));
        assert_eq!(next_page(n(1), n(1), &got).unwrap(), Some(n(2)));
        let got = page_of(json!({"audit_logs": [entry()], "pagination": info(3)}));
        assert_eq!(next_page(n(3), n(1), &got).unwrap(), None);
        // An empty page ends the listing.
        let got = page_of(json!({"pagination": info(2)}));
        assert_eq!(next_page(n(2), n(1), &got).unwrap(), None);
    }

    #[test]
    fn without_page_info_continues_while_pages_are_full() {
        let full = page_of(json!({"audit_logs": [entry(), entry()]}));
        assert_eq!(next_page(n(1), n(2), &full).unwrap(), Some(n(2)));
        assert_eq!(next_page(n(1), n(3), &full).unwrap(), None);
    }

    #[test]
    fn stops_absurd_and_endless_listings() {
        let huge = json!({"audit_logs": [entry()], "pagination": {"total_pages": i64::MAX}});
        let got = page_of(huge);
        assert_eq!(next_page(n(7), n(1), &got).unwrap(), Some(n(8)));
        let last = u32::try_from(MAX_PAGES).unwrap();
        let e = next_page(n(last), n(1), &got).unwrap_err();
        assert!(e.to_string().contains("did not end"), "{e}");

        let negative = page_of(json!({"audit_logs": [entry()], "pagination": {"total_pages": -1}}));
        assert!(next_page(n(1), n(1), &negative).is_err());

        let other_page =
            page_of(json!({"audit_logs": [entry()], "pagination": {"page": 1, "total_pages": 9}}));
        let e = next_page(n(2), n(1), &other_page).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e}");

        // A server that always sends full pages and no page information.
        let full = page_of(json!({"audit_logs": [entry()]}));
        assert!(next_page(n(last), n(1), &full).is_err());
    }
}
