//! Audit logs: newest first, paged with `page`/`page_size`.

use serde_json::{Value, json};

use super::{ApiResult, Ctx, Reply, query_int};
use crate::auth::Need;
use crate::state::rfc3339;

/// Page size when the client does not ask for one.
const DEFAULT_PAGE_SIZE: i64 = 10;
/// Larger requested pages are capped here, as services usually do.
const MAX_PAGE_SIZE: i64 = 100;

pub(crate) fn list(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let page = query_int(ctx, "page")?.unwrap_or(1);
    let page_size = query_int(ctx, "page_size")?
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let audit = &ctx.org(&slug)?.audit;
    let total = audit.len() as i64;
    let total_pages = (total + page_size - 1) / page_size;
    let skip = usize::try_from((page - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let size = usize::try_from(page_size).unwrap_or(usize::MAX);
    let logs: Vec<Value> = audit
        .iter()
        .rev()
        .skip(skip)
        .take(size)
        .map(|e| {
            json!({
                "code": e.code,
                "message": e.message,
                "origin": e.origin,
                "author": e.author,
                "created_at": rfc3339(&e.created_at),
                "data": e.data,
            })
        })
        .collect();
    Ok(Reply::ok(json!({
        "audit_logs": logs,
        "pagination": {"page": page, "page_size": page_size, "total_pages": total_pages, "total_rows": total},
    })))
}
