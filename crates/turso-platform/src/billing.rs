//! Plans, subscription and invoices of an organization.

use turso_platform_generated::types;

use crate::model::InvoiceType;
use crate::{Idempotency, Result};

crate::org_handle! {
    /// Billing of an organization. Obtained with [`crate::Client::billing`] or
    /// [`crate::OrgScope::billing`].
    Billing
}

/// A plan the organization can subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// The plan's name.
    pub name: String,
    /// The monthly price.
    pub price: Option<String>,
    /// Prices per billing cycle.
    pub prices: Vec<PlanPrice>,
    /// The plan's quotas.
    pub quotas: Option<PlanQuotas>,
}

/// The price of a plan for a billing cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanPrice {
    /// The cycle (`monthly`, `yearly`).
    pub timeline: Option<String>,
    /// The price.
    pub value: Option<String>,
}

/// The quotas of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanQuotas {
    /// Rows read.
    pub rows_read: Option<i64>,
    /// Rows written.
    pub rows_written: Option<i64>,
    /// Databases.
    pub databases: Option<i64>,
    /// Locations.
    pub locations: Option<i64>,
    /// Storage, in bytes.
    pub storage: Option<i64>,
    /// Groups.
    pub groups: Option<i64>,
    /// Bytes synced.
    pub bytes_synced: Option<i64>,
}

/// The organization's current subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subscription {
    /// The plan's name.
    pub name: Option<String>,
    /// The plan.
    pub plan: Option<String>,
    /// The billing cycle.
    pub timeline: Option<String>,
    /// Whether overages are enabled.
    pub overages: bool,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invoice {
    /// The invoice number.
    pub invoice_number: String,
    /// The amount due, formatted in USD.
    pub amount_due: Option<String>,
    /// The due date.
    pub due_date: Option<String>,
    /// When it was paid.
    pub paid_at: Option<String>,
    /// When a payment last failed.
    pub payment_failed_at: Option<String>,
    /// A link to the PDF.
    pub invoice_pdf: Option<String>,
}

impl Billing {
    /// The plans available to the organization.
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let answer = self
            .scope
            .call("listOrganizationPlans", Idempotency::Safe, |g, org| {
                g.list_organization_plans().organization_slug(org).send()
            })
            .await?;
        Ok(answer.plans.into_iter().map(Into::into).collect())
    }

    /// The current subscription.
    pub async fn subscription(&self) -> Result<Subscription> {
        let answer = self
            .scope
            .call(
                "getOrganizationSubscription",
                Idempotency::Safe,
                |g, org| {
                    g.get_organization_subscription()
                        .organization_slug(org)
                        .send()
                },
            )
            .await?;
        Ok(answer.subscription.into())
    }

    /// The invoices of a kind (`None`: the service's default).
    pub async fn invoices(&self, kind: Option<InvoiceType>) -> Result<Vec<Invoice>> {
        let kind = kind
            .as_ref()
            .map(types::ListOrganizationInvoicesType::try_from)
            .transpose()?;
        let answer = self
            .scope
            .call("listOrganizationInvoices", Idempotency::Safe, |g, org| {
                let mut b = g.list_organization_invoices().organization_slug(org);
                if let Some(k) = kind {
                    b = b.type_(k);
                }
                b.send()
            })
            .await?;
        Ok(answer.invoices.into_iter().map(Into::into).collect())
    }
}

impl From<types::OrganizationPlan> for Plan {
    fn from(p: types::OrganizationPlan) -> Self {
        Plan {
            name: p.name,
            price: p.price,
            prices: p.prices.into_iter().map(Into::into).collect(),
            quotas: p.quotas.map(Into::into),
        }
    }
}

impl From<types::PlanPrice> for PlanPrice {
    fn from(p: types::PlanPrice) -> Self {
        PlanPrice {
            timeline: p.timeline,
            value: p.value,
        }
    }
}

impl From<types::PlanQuotas> for PlanQuotas {
    fn from(q: types::PlanQuotas) -> Self {
        PlanQuotas {
            rows_read: q.rows_read,
            rows_written: q.rows_written,
            databases: q.databases,
            locations: q.locations,
            storage: q.storage,
            groups: q.groups,
            bytes_synced: q.bytes_synced,
        }
    }
}

impl From<types::GetOrganizationSubscriptionResponseSubscription> for Subscription {
    fn from(s: types::GetOrganizationSubscriptionResponseSubscription) -> Self {
        Subscription {
            name: s.name,
            plan: s.plan,
            timeline: s.timeline,
            overages: s.overages.unwrap_or_default(),
        }
    }
}

impl From<types::ListOrganizationInvoicesResponseInvoicesItem> for Invoice {
    fn from(i: types::ListOrganizationInvoicesResponseInvoicesItem) -> Self {
        Invoice {
            invoice_number: i.invoice_number,
            amount_due: i.amount_due,
            due_date: i.due_date,
            paid_at: i.paid_at,
            payment_failed_at: i.payment_failed_at,
            invoice_pdf: i.invoice_pdf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_plans_convert() {
        let answer: types::ListOrganizationPlansResponse = serde_json::from_value(json!({
            "plans": [{
                "name": "scaler",
                "price": "29",
                "prices": [{"timeline": "monthly", "value": "29"}],
                "quotas": {"rowsRead": 100, "bytesSynced": 5, "databases": 10}
            }]
        }))
        .unwrap();
        let plan = Plan::from(answer.plans.into_iter().next().unwrap());
        assert_eq!(plan.name, "scaler");
        assert_eq!(plan.prices[0].timeline.as_deref(), Some("monthly"));
        let quotas = plan.quotas.unwrap();
        assert_eq!(quotas.rows_read, Some(100));
        assert_eq!(quotas.bytes_synced, Some(5));
        assert_eq!(quotas.storage, None);
    }

    #[test]
    fn generated_subscription_and_invoices_convert() {
        let answer: types::GetOrganizationSubscriptionResponse =
            serde_json::from_value(json!({"subscription": {"plan": "scaler"}})).unwrap();
        let sub = Subscription::from(answer.subscription);
        assert_eq!(sub.plan.as_deref(), Some("scaler"));
        assert!(!sub.overages);

        let answer: types::ListOrganizationInvoicesResponse = serde_json::from_value(json!({
            "invoices": [{"invoice_number": "INV-1", "amount_due": "$3.00"}]
        }))
        .unwrap();
        let invoice = Invoice::from(answer.invoices.into_iter().next().unwrap());
        assert_eq!(invoice.invoice_number, "INV-1");
        assert_eq!(invoice.amount_due.as_deref(), Some("$3.00"));
        assert_eq!(invoice.paid_at, None);
    }

    #[test]
    fn invoice_kinds_are_checked() {
        let known = types::ListOrganizationInvoicesType::try_from(&InvoiceType::Issued).unwrap();
        assert_eq!(known, types::ListOrganizationInvoicesType::Issued);
        assert!(
            types::ListOrganizationInvoicesType::try_from(&InvoiceType::Other("x".into())).is_err()
        );
    }
}
