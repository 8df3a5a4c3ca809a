//! Live mode: the same contract checks against the real service (or any other
//! base URL), with every exchange validated against the effective spec by the
//! proxy of `support/proxy.rs`.
//!
//! - `TURSO_API_TOKEN` and `TURSO_ORG` are always needed.
//! - `TURSO_CONTRACT_LIVE=1`: read-only checks against `TURSO_API_BASEURL`
//!   (default `https://api.turso.tech`).
//! - `TURSO_CONTRACT_LIVE=lifecycle`: also create and delete a group, a database
//!   and a token on uniquely named resources (`contract-<random>`), always
//!   cleaned up, even when a step fails.
//! - `TURSO_CONTRACT_BASE_URL=<url>`: run the read-only checks against that
//!   server instead (your own emulator or recording proxy); no live flag needed.
//!
//! The tests are ignored unless asked for, so a run without a token reports
//! them as ignored, with what they need, never as passed:
//! `cargo test -p turso-platform-contract-tests -- --ignored live_`. Asked
//! for without the variables they need, they fail saying which is missing.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::FutureExt;
use turso_platform::*;
use turso_platform_contract_tests::proxy::Proxy;

struct Target {
    base_url: String,
    token: String,
    org: String,
}

/// The target of this run, or why the test cannot run.
fn target(need_lifecycle: bool) -> Result<Target, String> {
    let mode = std::env::var("TURSO_CONTRACT_LIVE").unwrap_or_default();
    let own = std::env::var("TURSO_CONTRACT_BASE_URL")
        .ok()
        .filter(|s| !s.is_empty());
    if need_lifecycle && mode != "lifecycle" {
        return Err(format!(
            "TURSO_CONTRACT_LIVE is {mode:?}, not \"lifecycle\": no resources are created"
        ));
    }
    if !need_lifecycle && mode != "1" && mode != "lifecycle" && own.is_none() {
        return Err(
            "neither TURSO_CONTRACT_LIVE (1 or lifecycle) nor TURSO_CONTRACT_BASE_URL is set"
                .into(),
        );
    }
    let token =
        std::env::var("TURSO_API_TOKEN").map_err(|_| "TURSO_API_TOKEN is not set".to_string())?;
    let org = std::env::var("TURSO_ORG").map_err(|_| "TURSO_ORG is not set".to_string())?;
    let base_url = own
        .or_else(|| std::env::var("TURSO_API_BASEURL").ok())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    Ok(Target {
        base_url,
        token,
        org,
    })
}

async fn connect(t: &Target) -> (Client, Proxy) {
    let proxy = Proxy::start(&t.base_url).await;
    let client = Client::builder()
        .token(t.token.as_str())
        .base_url(proxy.base_url())
        .organization(t.org.as_str())
        .build()
        .expect("client builds");
    (client, proxy)
}

fn assert_no_violations(proxy: &Proxy, expected: &[&str]) {
    let ops = proxy.operations();
    for op in expected {
        assert!(ops.iter().any(|o| o == op), "{op} was not called: {ops:?}");
    }
    let v = proxy.violations();
    assert!(
        v.is_empty(),
        "the service answered outside the spec:\n{}",
        v.join("\n")
    );
}

#[tokio::test]
#[ignore = "needs the live service: TURSO_API_TOKEN, TURSO_ORG and TURSO_CONTRACT_LIVE=1 (or TURSO_CONTRACT_BASE_URL)"]
async fn live_read_only_checks() {
    let t = target(false).unwrap_or_else(|why| panic!("live_read_only_checks cannot run: {why}"));
    let (c, proxy) = connect(&t).await;
    let orgs = c.organizations().list().await.unwrap();
    assert!(orgs.iter().any(|o| o.slug == t.org), "{} not listed", t.org);
    assert_eq!(c.organizations().get().await.unwrap().slug, t.org);
    for g in c.groups().list().await.unwrap() {
        assert!(
            !g.name.is_empty() && g.primary.as_deref().is_some_and(|p| !p.is_empty()),
            "{g:?}"
        );
    }
    for db in c.databases().list().await.unwrap() {
        assert!(
            !db.name.is_empty() && db.hostname.as_deref().is_some_and(|h| !h.is_empty()),
            "{db:?}"
        );
    }
    let locations = c.locations().list().await.unwrap();
    assert!(!locations.is_empty(), "the service lists no location");
    c.api_tokens().validate().await.unwrap();
    assert!(!c.user().current().await.unwrap().username.is_empty());
    match c
        .audit_logs()
        .page(1.try_into().unwrap(), 10.try_into().unwrap())
        .await
    {
        Ok(page) => assert!(page.audit_logs.len() <= 10),
        // Audit logs need a paid plan.
        Err(e) if e.kind() == &ErrorKind::Forbidden => eprintln!("audit logs: {e}"),
        Err(e) => panic!("audit logs: {e}"),
    }
    assert_no_violations(
        &proxy,
        &[
            "listOrganizations",
            "getOrganization",
            "listGroups",
            "listDatabases",
            "listLocations",
            "validateAPIToken",
            "getCurrentUser",
            "listOrganizationAuditLogs",
        ],
    );
}

#[tokio::test]
#[ignore = "creates and deletes resources on the live service: TURSO_API_TOKEN, TURSO_ORG and TURSO_CONTRACT_LIVE=lifecycle"]
async fn live_lifecycle() {
    let t = target(true).unwrap_or_else(|why| panic!("live_lifecycle cannot run: {why}"));
    let (c, proxy) = connect(&t).await;
    let name = format!(
        "contract-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let outcome = AssertUnwindSafe(lifecycle(&c, &name)).catch_unwind().await;
    // Cleanup runs whatever happened; a resource already gone is fine.
    let cleanup = [
        c.databases().delete(&name).await.err(),
        c.groups().delete(&name).await.map(drop).err(),
    ];
    for e in cleanup.into_iter().flatten() {
        assert!(e.is_not_found(), "cleanup of {name} failed: {e}");
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    assert_no_violations(
        &proxy,
        &[
            "createGroup",
            "createDatabase",
            "createDatabaseToken",
            "deleteDatabase",
            "deleteGroup",
        ],
    );
}

async fn lifecycle(c: &Client, name: &str) {
    let locations = c.locations().list().await.unwrap();
    let location = locations
        .iter()
        .find(|l| l.code == "aws-us-east-1")
        .or(locations.first())
        .expect("a location exists")
        .code
        .clone();
    let group = c
        .groups()
        .create(&CreateGroup::new(name, &location))
        .await
        .unwrap();
    assert_eq!(
        (
            group.name.as_str(),
            group.primary.as_deref().unwrap_or_default()
        ),
        (name, location.as_str())
    );
    let db = c
        .databases()
        .create(&CreateDatabase::new(name, name))
        .await
        .unwrap();
    assert_eq!(db.name, name);
    let ready = c
        .databases()
        .wait_until_ready(name, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(ready.group.as_deref(), Some(name));
    let token = c
        .databases()
        .create_token(
            name,
            &TokenRequest::new()
                .read_only()
                .expires_in(Duration::from_secs(300)),
        )
        .await
        .unwrap();
    assert_eq!(token.expose().split('.').count(), 3, "a JWT");
    assert_eq!(c.databases().delete(name).await.unwrap().id, name);
    assert_eq!(c.groups().delete(name).await.unwrap().id, name);
}
