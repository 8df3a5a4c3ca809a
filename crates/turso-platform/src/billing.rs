//! Plans, subscription and invoices of an organization.

use serde::{Deserialize, Serialize};
use turso_platform_generated::types;

use crate::error::Result;
use crate::model::{InvoiceType, to_input};
use crate::runtime::Retry;

crate::org_handle! {
    /// Billing of an organization. Obtained with [`crate::Client::billing`] or
    /// [`crate::OrgScope::billing`].
    Billing
}

/// A plan the organization can subscribe to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// The plan's name.
    pub name: String,
    /// The monthly price.
    #[serde(default)]
    pub price: Option<String>,
    /// Prices per billing cycle.
    #[serde(default)]
    pub prices: Vec<PlanPrice>,
    /// The plan's quotas.
    #[serde(default)]
    pub quotas: Option<PlanQuotas>,
}

/// The price of a plan for a billing cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanPrice {
    /// The cycle (`monthly`, `yearly`).
    #[serde(default)]
    pub timeline: Option<String>,
    /// The price.
    #[serde(default)]
    pub value: Option<String>,
}

/// The quotas of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanQuotas {
    /// Rows read.
    #[serde(default)]
    pub rows_read: Option<i64>,
    /// Rows written.
    #[serde(default)]
    pub rows_written: Option<i64>,
    /// Databases.
    #[serde(default)]
    pub databases: Option<i64>,
    /// Locations.
    #[serde(default)]
    pub locations: Option<i64>,
    /// Storage, in bytes.
    #[serde(default)]
    pub storage: Option<i64>,
    /// Groups.
    #[serde(default)]
    pub groups: Option<i64>,
    /// Bytes synced.
    #[serde(default)]
    pub bytes_synced: Option<i64>,
}

/// The organization's current subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscription {
    /// The plan's name.
    #[serde(default)]
    pub name: Option<String>,
    /// The plan.
    #[serde(default)]
    pub plan: Option<String>,
    /// The billing cycle.
    #[serde(default)]
    pub timeline: Option<String>,
    /// Whether overages are enabled.
    #[serde(default)]
    pub overages: bool,
}

/// An invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Invoice {
    /// The invoice number.
    pub invoice_number: String,
    /// The amount due, formatted in USD.
    #[serde(default)]
    pub amount_due: Option<String>,
    /// The due date.
    #[serde(default)]
    pub due_date: Option<String>,
    /// When it was paid.
    #[serde(default)]
    pub paid_at: Option<String>,
    /// When a payment last failed.
    #[serde(default)]
    pub payment_failed_at: Option<String>,
    /// A link to the PDF.
    #[serde(default)]
    pub invoice_pdf: Option<String>,
}

impl Billing {
    /// The plans available to the organization.
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let org = self.org()?;
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            plans: Vec<Plan>,
        }
        let g = self.client.generated();
        let b: Body = self
            .client
            .run("listOrganizationPlans", Retry::Auto, || {
                g.list_organization_plans().organization_slug(&org).send()
            })
            .await?;
        Ok(b.plans)
    }

    /// The current subscription.
    pub async fn subscription(&self) -> Result<Subscription> {
        let org = self.org()?;
        #[derive(Deserialize)]
        struct Body {
            subscription: Subscription,
        }
        let g = self.client.generated();
        let b: Body = self
            .client
            .run("getOrganizationSubscription", Retry::Auto, || {
                g.get_organization_subscription()
                    .organization_slug(&org)
                    .send()
            })
            .await?;
        Ok(b.subscription)
    }

    /// The invoices of a kind (`None`: the service's default).
    pub async fn invoices(&self, kind: Option<InvoiceType>) -> Result<Vec<Invoice>> {
        let org = self.org()?;
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            invoices: Vec<Invoice>,
        }
        let g = self.client.generated();
        let mut b = g.list_organization_invoices().organization_slug(&org);
        if let Some(k) = &kind {
            let k: types::ListOrganizationInvoicesType = to_input("invoice type", k)?;
            b = b.type_(k);
        }
        let body: Body = self
            .client
            .run("listOrganizationInvoices", Retry::Auto, || b.send())
            .await?;
        Ok(body.invoices)
    }
}
