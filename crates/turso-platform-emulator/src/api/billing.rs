//! Plans, subscription, invoices and organization usage. Plans and invoices
//! are a fixed table; usage is derived from the organization's state.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{ApiError, ApiResult, Ctx, Reply};
use crate::auth::Need;

pub(crate) fn plans(ctx: &mut Ctx<'_>) -> ApiResult {
    ctx.org_slug(Need::OrgRead)?;
    let plan = |name: &str, price: &str, databases: Value, locations: i64, groups: i64| {
        json!({
            "name": name,
            "price": price,
            "prices": [{"value": price, "timeline": "monthly"}],
            "quotas": {
                "rowsRead": 1_000_000_000i64,
                "rowsWritten": 25_000_000i64,
                "databases": databases,
                "locations": locations,
                "storage": 9_000_000_000i64,
                "groups": groups,
                "bytesSynced": 3_000_000_000i64,
            },
        })
    };
    Ok(Reply::ok(json!({
        "plans": [
            plan("starter", "0", json!(500), 3, 1),
            plan("scaler", "29", json!(10_000), 6, 5),
            // Unlimited databases: the quota is null.
            plan("pro", "499", Value::Null, 8, 100),
        ]
    })))
}

pub(crate) fn subscription(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let org = ctx.org(&slug)?;
    Ok(Reply::ok(json!({
        "subscription": {
            "name": org.plan_id,
            "overages": org.overages,
            "plan": org.plan_id,
            "timeline": "monthly",
        }
    })))
}

pub(crate) fn invoices(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let kind = ctx.query_get("type").map_or("all", String::as_str);
    if !matches!(kind, "all" | "upcoming" | "issued") {
        return Err(ApiError::bad_request(format!(
            "invalid type [{kind}]: expected all, upcoming or issued"
        )));
    }
    let prefix: String = slug.to_ascii_uppercase().chars().take(6).collect();
    let issued = json!({
        "invoice_number": format!("{prefix}-00001"),
        "amount_due": "29.00",
        "due_date": "2024-01-01T05:00:00+00:00",
        "paid_at": "2024-01-01T05:00:00+00:00",
        "invoice_pdf": format!("https://invoices.example.com/{slug}/00001.pdf"),
    });
    let upcoming = json!({
        "invoice_number": format!("{prefix}-00002"),
        "amount_due": "29.00",
        "due_date": "2024-02-01T05:00:00+00:00",
        "invoice_pdf": format!("https://invoices.example.com/{slug}/00002.pdf"),
    });
    let invoices = match kind {
        "upcoming" => vec![upcoming],
        "issued" => vec![issued],
        _ => vec![issued, upcoming],
    };
    Ok(Reply::ok(json!({ "invoices": invoices })))
}

pub(crate) fn usage(ctx: &mut Ctx<'_>) -> ApiResult {
    let slug = ctx.org_slug(Need::OrgRead)?;
    let org = ctx.org(&slug)?;
    let databases: Vec<Value> = org
        .databases()
        .iter()
        .map(|d| d.usage_json(org, &ctx.usage_of(d)))
        .collect();
    let total = |field: &str| -> u64 {
        databases
            .iter()
            .filter_map(|d| d["total"][field].as_u64())
            .sum()
    };
    let (storage, rows_read, rows_written) = (
        total("storage_bytes"),
        total("rows_read"),
        total("rows_written"),
    );
    let locations: BTreeSet<&String> = org.groups.iter().flat_map(|g| &g.locations).collect();
    Ok(Reply::ok(json!({
        "organization": {
            "uuid": org.uuid,
            "usage": {
                "rows_read": rows_read,
                "rows_written": rows_written,
                "databases": org.databases().len(),
                "locations": locations.len(),
                "storage_bytes": storage,
                "groups": org.groups.len(),
                "bytes_synced": 0,
            },
            "databases": databases,
        }
    })))
}
