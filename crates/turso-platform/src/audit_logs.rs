//! Audit logs, one page at a time or as a lazy stream.

use std::num::NonZeroU32;

use futures::Stream;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::AuditLogCode;
use crate::runtime::Retry;

crate::org_handle! {
    /// The audit logs of an organization, newest first. Obtained with
    /// [`crate::Client::audit_logs`] or [`crate::OrgScope::audit_logs`].
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use futures::TryStreamExt;
    /// let recent: Vec<_> = client.audit_logs().stream(50).try_collect().await?;
    /// for entry in recent.iter().take(5) {
    ///     println!("{} {} by {:?}", entry.created_at, entry.code, entry.author);
    /// }
    /// # Ok(()) }
    /// ```
    AuditLogs
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuditLog {
    /// What happened.
    pub code: AuditLogCode,
    /// When (ISO 8601).
    pub created_at: String,
    /// Who did it.
    #[serde(default)]
    pub author: Option<String>,
    /// More context.
    #[serde(default)]
    pub message: Option<String>,
    /// Where it was done from (`cli`, `web`).
    #[serde(default)]
    pub origin: Option<String>,
    /// The action's payload.
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// The position of a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PageInfo {
    /// This page's number (from 1).
    #[serde(default)]
    pub page: i64,
    /// Entries per page.
    #[serde(default)]
    pub page_size: i64,
    /// The number of pages.
    #[serde(default)]
    pub total_pages: i64,
    /// The number of entries.
    #[serde(default)]
    pub total_rows: i64,
}

/// One page of audit logs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AuditLogPage {
    /// The entries.
    #[serde(default)]
    pub audit_logs: Vec<AuditLog>,
    /// The page's position, when the service sent it.
    #[serde(default)]
    pub pagination: Option<PageInfo>,
}

impl AuditLogs {
    /// Page `page` (from 1) of `page_size` entries.
    pub async fn page(&self, page: NonZeroU32, page_size: NonZeroU32) -> Result<AuditLogPage> {
        let org = self.org()?;
        let g = self.client.generated();
        self.client
            .run("listOrganizationAuditLogs", Retry::Auto, || {
                g.list_organization_audit_logs()
                    .organization_slug(&org)
                    .page(i64::from(page.get()))
                    .page_size(i64::from(page_size.get()))
                    .send()
            })
            .await
    }

    /// Every entry, newest first, fetched lazily `page_size` at a time (0 means
    /// the service's default of 100) until the last page.
    pub fn stream(&self, page_size: u32) -> impl Stream<Item = Result<AuditLog>> + Send + 'static {
        let this = self.clone();
        let size = NonZeroU32::new(page_size).unwrap_or(NonZeroU32::new(100).expect("non-zero"));
        crate::pagination::paged(NonZeroU32::MIN, move |page: NonZeroU32| {
            let this = this.clone();
            async move {
                let p = this.page(page, size).await?;
                let more = match p.pagination {
                    Some(info) => i64::from(page.get()) < info.total_pages,
                    // Without pagination data: continue while pages are full.
                    None => p.audit_logs.len() >= size.get() as usize,
                };
                let next = if more && !p.audit_logs.is_empty() {
                    page.checked_add(1)
                } else {
                    None
                };
                Ok((p.audit_logs, next))
            }
        })
    }
}
