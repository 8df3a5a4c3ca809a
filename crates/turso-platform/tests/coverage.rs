//! Every operation of the effective spec is reachable through the facade.
//!
//! Each row calls one facade method against a scripted server; the requests it
//! sends are matched against the spec's (method, path template) pairs. The test
//! fails when an operationId of `EFFECTIVE_SPEC_JSON` is reached by no row —
//! e.g. an operation added upstream — or when a row reaches no operation.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use crate::common::mock::{Mock, Reply};
use turso_platform::*;

type Call = Box<dyn Fn(Client) -> Pin<Box<dyn Future<Output = ()> + Send>>>;

macro_rules! row {
    ($label:expr, |$c:ident| $body:expr) => {
        (
            $label,
            Box::new(|$c: Client| {
                Box::pin(async move {
                    // Only the request matters here; answers are canned.
                    let _ = $body.await;
                }) as Pin<Box<dyn Future<Output = ()> + Send>>
            }) as Call,
        )
    };
}

fn spec_operations() -> Vec<(String, String, String)> {
    let spec: serde_json::Value =
        serde_json::from_str(turso_platform::generated::EFFECTIVE_SPEC_JSON).unwrap();
    let mut out = vec![];
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                out.push((id.to_string(), method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

fn matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

#[tokio::test]
async fn every_spec_operation_is_reachable_through_the_facade() {
    let rows: Vec<(&str, Call)> = vec![
        row!("organizations.list", |c| c.organizations().list()),
        row!("organizations.get", |c| c.organizations().get()),
        row!("organizations.update", |c| async move {
            c.organizations()
                .update(&OrganizationUpdate::new().overages(true))
                .await
        }),
        row!("organizations.usage", |c| c.organizations().usage()),
        row!("billing.plans", |c| c.billing().plans()),
        row!("billing.subscription", |c| c.billing().subscription()),
        row!("billing.invoices", |c| c
            .billing()
            .invoices(Some(InvoiceType::All))),
        row!("members.list", |c| c.members().list()),
        row!(
            "members.get",
            |c| async move { c.members().get("bob").await }
        ),
        row!("members.add", |c| async move {
            c.members().add("bob", Role::Member).await
        }),
        row!("members.update_role", |c| async move {
            c.members().update_role("bob", Role::Admin).await
        }),
        row!("members.remove", |c| async move {
            c.members().remove("bob").await
        }),
        row!("invites.list", |c| c.invites().list()),
        row!("invites.create", |c| async move {
            c.invites()
                .create(&InviteRequest::email("d@example.com", Role::Viewer))
                .await
        }),
        row!("invites.delete", |c| async move {
            c.invites().delete("d@example.com").await
        }),
        row!("groups.list", |c| c.groups().list()),
        row!("groups.create", |c| async move {
            c.groups()
                .create(&CreateGroup::new("g", "aws-us-east-1"))
                .await
        }),
        row!("groups.get", |c| async move { c.groups().get("g").await }),
        row!(
            "groups.delete",
            |c| async move { c.groups().delete("g").await }
        ),
        row!("groups.configuration", |c| async move {
            c.groups().configuration("g").await
        }),
        row!("groups.set_delete_protection", |c| async move {
            c.groups().set_delete_protection("g", true).await
        }),
        row!("groups.transfer", |c| async move {
            c.groups().transfer("g", "other").await
        }),
        row!("groups.unarchive", |c| async move {
            c.groups().unarchive("g").await
        }),
        row!("groups.add_location", |c| async move {
            c.groups().add_location("g", "aws-eu-west-1").await
        }),
        row!("groups.remove_location", |c| async move {
            c.groups().remove_location("g", "aws-eu-west-1").await
        }),
        row!("groups.update_databases", |c| async move {
            c.groups().update_databases("g").await
        }),
        row!("groups.create_token", |c| async move {
            c.groups().create_token("g", &TokenRequest::new()).await
        }),
        row!("groups.invalidate_tokens", |c| async move {
            c.groups().invalidate_tokens("g").await
        }),
        row!("databases.list", |c| c.databases().list()),
        row!("databases.create", |c| async move {
            c.databases().create(&CreateDatabase::new("db", "g")).await
        }),
        row!(
            "databases.get",
            |c| async move { c.databases().get("db").await }
        ),
        row!("databases.delete", |c| async move {
            c.databases().delete("db").await
        }),
        row!("databases.configuration", |c| async move {
            c.databases().configuration("db").await
        }),
        row!("databases.update_configuration", |c| async move {
            c.databases()
                .update_configuration("db", &DatabaseConfigurationUpdate::new().block_writes(true))
                .await
        }),
        row!("databases.usage", |c| async move {
            c.databases().usage("db").await
        }),
        row!("databases.stats", |c| async move {
            c.databases().stats("db").await
        }),
        row!("databases.create_token", |c| async move {
            c.databases().create_token("db", &TokenRequest::new()).await
        }),
        row!("databases.invalidate_tokens", |c| async move {
            c.databases().invalidate_tokens("db").await
        }),
        row!("instances.list", |c| async move {
            c.databases().instances("db").list().await
        }),
        row!("instances.get", |c| async move {
            c.databases().instances("db").get("aws-us-east-1").await
        }),
        row!("locations.list", |c| c.locations().list()),
        row!("api_tokens.list", |c| c.api_tokens().list()),
        row!("api_tokens.create", |c| async move {
            c.api_tokens()
                .create("ci", &CreateApiToken::unrestricted())
                .await
        }),
        row!("api_tokens.revoke", |c| async move {
            c.api_tokens().revoke("ci").await
        }),
        row!("api_tokens.validate", |c| c.api_tokens().validate()),
        row!("api_tokens.list_for_organization", |c| c
            .api_tokens()
            .list_for_organization()),
        row!("api_tokens.revoke_for_organization", |c| async move {
            c.api_tokens().revoke_for_organization("tok-1").await
        }),
        row!("audit_logs.page", |c| async move {
            c.audit_logs()
                .page(1.try_into().unwrap(), 10.try_into().unwrap())
                .await
        }),
        row!("user.current", |c| c.user().current()),
        row!("organizations.delete", |c| c.organizations().delete()),
        row!("databases.update_version", |c| async move {
            c.databases().update_version("db").await
        }),
        row!("groups.wait_for_location", |c| async move {
            c.groups()
                .wait_for_location("g", "aws-us-east-1", std::time::Duration::from_secs(5))
                .await
        }),
    ];

    let ops = spec_operations();
    assert_eq!(ops.len(), 52, "the effective spec has 52 operations");
    let mut reached: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (label, call) in &rows {
        let mock = Mock::start().await;
        mock.set_fallback(Reply::json(200, "{}"));
        let client = Client::builder()
            .token("t")
            .base_url(&mock.base_url)
            .organization("acme")
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        call(client).await;
        let seen = mock.seen();
        assert!(!seen.is_empty(), "{label} sent no request");
        for req in seen {
            let path = req.target.split('?').next().unwrap().to_string();
            let hit: Vec<&(String, String, String)> = ops
                .iter()
                .filter(|(_, m, t)| *m == req.method && matches(t, &path))
                .collect();
            assert_eq!(
                hit.len(),
                1,
                "{label}: {} {path} matches {hit:?}",
                req.method
            );
            reached.entry(hit[0].0.clone()).or_default().push(label);
        }
    }
    let all: BTreeSet<&String> = ops.iter().map(|(id, _, _)| id).collect();
    let missing: Vec<&&String> = all
        .iter()
        .filter(|id| !reached.contains_key(**id))
        .collect();
    assert!(
        missing.is_empty(),
        "operations of the spec not reachable through the facade: {missing:?}"
    );
}
