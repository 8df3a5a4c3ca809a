//! The facade against the in-process emulator: every resource, error kinds,
//! retries under injected faults, waits, uploads, pagination.
//!
//! Every test ends by asserting that the emulator saw no spec violation in the
//! requests the facade sent or the responses it produced.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::TryStreamExt;
use turso_platform::*;
use turso_platform_emulator::{Emulator, Fault, FaultPlan};

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization(emu.organization())
        .database_host_base_url(emu.base_url())
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(10))
                .max_delay(Duration::from_millis(50)),
        )
        .build()
        .unwrap()
}

async fn start() -> (Emulator, Client) {
    let emu = Emulator::start().await.unwrap();
    let c = client(&emu);
    (emu, c)
}

fn no_violations(emu: &Emulator) {
    let v = emu.violations();
    assert!(v.is_empty(), "spec violations: {v:#?}");
}

async fn group(c: &Client, name: &str) -> Group {
    c.groups()
        .create(&CreateGroup::new(name, "aws-us-east-1"))
        .await
        .unwrap()
}

#[tokio::test]
async fn organizations_user_locations_billing() {
    let (emu, c) = start().await;
    let user = c.user().current().await.unwrap();
    assert_eq!(user.username, emu.username());

    let orgs = c.organizations().list().await.unwrap();
    let slugs: BTreeSet<_> = orgs.iter().map(|o| o.slug.as_str()).collect();
    assert!(
        slugs.contains("acme") && slugs.contains("alice"),
        "{slugs:?}"
    );
    let acme = c.organizations().get().await.unwrap();
    assert_eq!(acme.slug, "acme");
    assert_eq!(acme.kind, Some(OrganizationType::Team));
    let personal = c.organization("alice").get().await.unwrap();
    assert_eq!(personal.kind, Some(OrganizationType::Personal));

    let updated = c
        .organizations()
        .update(&OrganizationUpdate::new().overages(true))
        .await
        .unwrap();
    assert!(updated.overages);
    assert!(c.organizations().get().await.unwrap().overages);

    let usage = c.organizations().usage().await.unwrap();
    assert_eq!(usage.usage.databases, 0);

    let locations = c.locations().list().await.unwrap();
    assert!(locations.iter().any(|l| l.code == "aws-us-east-1"));

    let plans = c.billing().plans().await.unwrap();
    assert!(!plans.is_empty());
    let sub = c.billing().subscription().await.unwrap();
    assert!(sub.plan.is_some() || sub.name.is_some());
    c.billing().invoices(Some(InvoiceType::All)).await.unwrap();
    c.billing().invoices(None).await.unwrap();

    let e = c.organization("no-such-org").get().await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Forbidden),
        "{e}"
    );
    no_violations(&emu);
}

#[tokio::test]
async fn members_and_invites() {
    let (emu, c) = start().await;
    let added = c.members().add("bob", Role::Member).await.unwrap();
    assert_eq!(added.username, "bob");
    assert_eq!(added.role, Some(Role::Member));
    let e = c.members().add("bob", Role::Member).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::AlreadyExists, "{e}");
    let bob = c.members().get("bob").await.unwrap();
    assert_eq!(bob.role, Some(Role::Member));
    let bob = c.members().update_role("bob", Role::Admin).await.unwrap();
    assert_eq!(bob.role, Some(Role::Admin));
    let members = c.members().list().await.unwrap();
    assert!(
        members
            .iter()
            .any(|m| m.username == "alice" && m.role == Some(Role::Owner))
    );
    assert!(
        members
            .iter()
            .any(|m| m.username == "bob" && m.role == Some(Role::Admin))
    );
    assert_eq!(c.members().remove("bob").await.unwrap().id, "bob");
    assert!(c.members().get("bob").await.unwrap_err().is_not_found());
    let e = c.members().add("bob", Role::Owner).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);

    let invited = c
        .invites()
        .create(&InviteRequest::email("dana@example.com", Role::Viewer))
        .await
        .unwrap();
    assert_eq!(invited.role, Some(Role::Viewer));
    let invites = c.invites().list().await.unwrap();
    assert!(
        invites
            .iter()
            .any(|i| i.email.as_deref() == Some("dana@example.com"))
    );
    c.invites().delete("dana@example.com").await.unwrap();
    assert!(c.invites().list().await.unwrap().is_empty());
    let e = c.invites().delete("dana@example.com").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    no_violations(&emu);
}

#[tokio::test]
async fn groups_lifecycle() {
    let (emu, c) = start().await;
    let g = group(&c, "g1").await;
    assert_eq!(g.name, "g1");
    assert_eq!(g.primary.as_deref(), Some("aws-us-east-1"));
    let e = c
        .groups()
        .create(&CreateGroup::new("g1", "aws-us-east-1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::AlreadyExists, "{e}");
    assert_eq!(c.groups().list().await.unwrap().len(), 1);
    assert_eq!(c.groups().get("g1").await.unwrap().uuid, g.uuid);

    let g = c
        .groups()
        .add_location("g1", "aws-eu-west-1")
        .await
        .unwrap();
    assert!(g.locations.contains(&"aws-eu-west-1".to_string()));
    let g = c
        .groups()
        .remove_location("g1", "aws-eu-west-1")
        .await
        .unwrap();
    assert!(!g.locations.contains(&"aws-eu-west-1".to_string()));

    let cfg = c.groups().set_delete_protection("g1", true).await.unwrap();
    assert!(cfg.delete_protection);
    assert!(
        c.groups()
            .configuration("g1")
            .await
            .unwrap()
            .delete_protection
    );
    let e = c.groups().delete("g1").await.unwrap_err();
    assert!(!e.is_not_found(), "delete protection must refuse: {e}");
    c.groups().set_delete_protection("g1", false).await.unwrap();

    c.groups().update_databases("g1").await.unwrap();
    let token = c
        .groups()
        .create_token(
            "g1",
            &TokenRequest::new()
                .read_only()
                .expires_in(Duration::from_secs(600)),
        )
        .await
        .unwrap();
    assert!(token.expose().split('.').count() == 3, "a JWT");
    c.groups().invalidate_tokens("g1").await.unwrap();

    assert!(emu.archive_group("acme", "g1"));
    let g = c.groups().unarchive("g1").await.unwrap();
    assert_eq!(g.name, "g1");

    let moved = c.groups().transfer("g1", "alice").await.unwrap();
    assert_eq!(moved.name, "g1");
    assert!(c.groups().get("g1").await.unwrap_err().is_not_found());
    let g = c.organization("alice").groups().get("g1").await.unwrap();
    assert_eq!(g.name, "g1");
    c.organization("alice").groups().delete("g1").await.unwrap();
    assert!(c.groups().get("nope").await.unwrap_err().is_not_found());
    no_violations(&emu);
}

#[tokio::test]
async fn databases_lifecycle() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    let dbs = c.databases();
    let created = dbs
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    assert_eq!(created.name, "db1");
    assert_eq!(created.hostname, Some(emu.database_hostname("acme", "db1")));
    let db = dbs.get("db1").await.unwrap();
    assert_eq!(db.id, created.id);
    assert_eq!(db.group.as_deref(), Some("default"));
    assert_eq!(dbs.list().await.unwrap().len(), 1);
    let filtered = dbs
        .list_with(&DatabaseListOptions::new().group("default"))
        .await
        .unwrap();
    assert_eq!(filtered.len(), 1);

    let e = dbs
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::AlreadyExists);
    let e = dbs
        .create(&CreateDatabase::new("db2", "no-group"))
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::BadRequest | ErrorKind::NotFound),
        "{e}"
    );
    assert!(e.message().is_some());

    // Seeded from another database.
    dbs.create(&CreateDatabase::new("copy", "default").seed(Seed::from_database("db1")))
        .await
        .unwrap();

    let cfg = dbs
        .update_configuration(
            "db1",
            &DatabaseConfigurationUpdate::new()
                .block_writes(true)
                .delete_protection(true)
                .size_limit("256mb"),
        )
        .await
        .unwrap();
    assert!(cfg.block_writes && cfg.delete_protection);
    let cfg = dbs.configuration("db1").await.unwrap();
    assert!(cfg.block_writes && cfg.delete_protection);
    assert_eq!(cfg.size_limit.as_deref(), Some("256mb"));
    assert!(dbs.get("db1").await.unwrap().block_writes);
    let e = dbs.delete("db1").await.unwrap_err();
    assert!(!e.is_not_found(), "delete protection: {e}");
    dbs.update_configuration(
        "db1",
        &DatabaseConfigurationUpdate::new().delete_protection(false),
    )
    .await
    .unwrap();

    let usage = dbs.usage("db1").await.unwrap();
    assert!(usage.uuid.is_some() || !usage.instances.is_empty() || usage.total.rows_read >= 0);
    let now = chrono::Utc::now();
    dbs.usage_between("db1", Some(now - chrono::Duration::days(7)), Some(now))
        .await
        .unwrap();
    let e = dbs
        .usage_between("db1", Some(now), Some(now - chrono::Duration::days(1)))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    dbs.stats("db1").await.unwrap();

    let t = dbs
        .create_token(
            "db1",
            &TokenRequest::new()
                .full_access()
                .expires_in(Duration::from_secs(3600))
                .attach_databases(["copy"]),
        )
        .await
        .unwrap();
    assert_eq!(t.expose().split('.').count(), 3);
    dbs.create_token("db1", &TokenRequest::new().never_expires())
        .await
        .unwrap();
    dbs.invalidate_tokens("db1").await.unwrap();
    assert!(
        dbs.create_token("nope", &TokenRequest::new())
            .await
            .unwrap_err()
            .is_not_found()
    );

    assert_eq!(dbs.delete("db1").await.unwrap().id, "db1");
    assert!(dbs.get("db1").await.unwrap_err().is_not_found());
    assert!(dbs.delete("db1").await.unwrap_err().is_not_found());
    no_violations(&emu);
}

#[tokio::test]
async fn create_if_missing_with_409() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    group(&c, "other").await;
    let req = CreateDatabase::new("db1", "default");
    let first = c.databases().create_if_missing(&req).await.unwrap();
    assert!(first.was_created());
    let second = c.databases().create_if_missing(&req).await.unwrap();
    assert!(!second.was_created());
    assert_eq!(first.id, second.id);
    let e = c
        .databases()
        .create_if_missing(&CreateDatabase::new("db1", "other"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::AlreadyExists);
    assert!(e.message().unwrap().contains("other"), "{e}");
    no_violations(&emu);
}

#[tokio::test]
async fn create_if_missing_with_the_live_services_400() {
    let emu = Emulator::builder()
        .duplicate_database_status(400)
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    group(&c, "default").await;
    let req = CreateDatabase::new("db1", "default");
    c.databases().create(&req).await.unwrap();
    let e = c.databases().create(&req).await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::AlreadyExists, "{e}");
    assert_eq!(e.status(), Some(400));
    let again = c.databases().create_if_missing(&req).await.unwrap();
    assert!(!again.was_created());
    no_violations(&emu);
}

#[tokio::test]
async fn waits_out_the_provisioning_delay() {
    let emu = Emulator::builder()
        .provisioning_delay(Duration::from_millis(800))
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    group(&c, "default").await;
    c.databases()
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    // Right after creation the database answers 404, as the live service does.
    assert!(c.databases().get("db1").await.unwrap_err().is_not_found());
    let e = c
        .databases()
        .wait_until_ready("db1", Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e}");
    let db = c
        .databases()
        .wait_until_ready("db1", Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(db.name, "db1");
    let instances = c.databases().instances("db1");
    let primary = instances.list().await.unwrap().remove(0);
    let i = instances
        .wait_until_ready(&primary.name, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(i.is_primary());
    // An error that is not "not found" ends the wait at once.
    let e = c
        .databases()
        .wait_until_ready("Bad_Name", Duration::from_secs(30))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    no_violations(&emu);
}

#[tokio::test]
async fn instances_through_group_locations() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    c.databases()
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    let instances = c.databases().instances("db1");
    let list = instances.list().await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].is_primary());
    assert_eq!(list[0].region.as_deref(), Some("aws-us-east-1"));
    let got = instances.get(&list[0].name).await.unwrap();
    assert_eq!(got, list[0]);

    let replica = instances.create_in_location("aws-eu-west-1").await.unwrap();
    assert_eq!(replica.kind, Some(InstanceType::Replica));
    assert_eq!(replica.region.as_deref(), Some("aws-eu-west-1"));
    assert_eq!(instances.list().await.unwrap().len(), 2);

    let e = instances
        .destroy_replicas_in("aws-us-east-1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    assert!(e.message().unwrap().contains("primary"));
    let e = instances
        .destroy_in_location("aws-us-east-1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    assert_eq!(
        instances.list().await.unwrap().len(),
        2,
        "nothing destroyed"
    );
    let e = instances
        .destroy_replicas_in("aws-ap-south-1")
        .await
        .unwrap_err();
    assert!(e.is_not_found());

    let gone = instances
        .destroy_replicas_in("aws-eu-west-1")
        .await
        .unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].kind, Some(InstanceType::Replica));
    assert_eq!(instances.list().await.unwrap().len(), 1);

    instances.create_in_location("aws-us-west-2").await.unwrap();
    instances
        .destroy_in_location("aws-us-west-2")
        .await
        .unwrap();
    assert_eq!(instances.list().await.unwrap().len(), 1);
    assert!(
        instances
            .get("aws-us-west-2")
            .await
            .unwrap_err()
            .is_not_found()
    );
    no_violations(&emu);
}

#[tokio::test]
async fn api_tokens() {
    let (emu, c) = start().await;
    assert!(c.api_tokens().validate().await.is_ok());
    let created = c
        .api_tokens()
        .create("ci", &CreateApiToken::organization("acme"))
        .await
        .unwrap();
    assert_eq!(created.name, "ci");
    let listed = c.api_tokens().list().await.unwrap();
    assert!(listed.iter().any(|t| t.name == "ci"));
    let org_tokens = c.api_tokens().list_for_organization().await.unwrap();
    let ci = org_tokens.iter().find(|t| t.name == "ci").expect("listed");
    assert_eq!(ci.id, created.id);

    // The new token works and is scoped to acme.
    let scoped = Client::builder()
        .token(created.token.clone())
        .base_url(emu.base_url())
        .organization("acme")
        .build()
        .unwrap();
    scoped.groups().list().await.unwrap();
    let e = scoped
        .organization("alice")
        .groups()
        .list()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Forbidden, "{e}");

    let group_token = c
        .api_tokens()
        .create(
            "deployer",
            &CreateApiToken::group(
                "acme",
                "default",
                [ApiTokenScope::DbCreate, ApiTokenScope::Read],
            ),
        )
        .await;
    // The group need not exist for every implementation; either way no panic.
    if let Ok(t) = group_token {
        c.api_tokens().revoke_for_organization(&t.id).await.unwrap();
    }

    assert_eq!(
        c.api_tokens()
            .revoke_for_organization(&created.id)
            .await
            .unwrap()
            .id,
        created.id
    );
    let e = scoped.groups().list().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthorized, "{e}");

    let other = c
        .api_tokens()
        .create("temp", &CreateApiToken::unrestricted())
        .await
        .unwrap();
    assert_eq!(c.api_tokens().revoke("temp").await.unwrap().id, "temp");
    let revoked = Client::builder()
        .token(other.token)
        .base_url(emu.base_url())
        .build()
        .unwrap();
    assert_eq!(
        revoked.api_tokens().validate().await.unwrap_err().kind(),
        &ErrorKind::Unauthorized
    );
    no_violations(&emu);
}

#[tokio::test]
async fn unauthorized_and_forbidden() {
    let (emu, _) = start().await;
    let bad = Client::builder()
        .token("not-a-valid-token")
        .base_url(emu.base_url())
        .organization("acme")
        .build()
        .unwrap();
    let e = bad.databases().list().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthorized);
    assert_eq!(e.status(), Some(401));
    assert!(!e.to_string().contains("not-a-valid-token"));
    let c = client(&emu);
    let e = c.organization("bob").databases().list().await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Forbidden | ErrorKind::NotFound),
        "{e}"
    );
    no_violations(&emu);
}

#[tokio::test]
async fn retries_reads_under_faults() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    c.databases()
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    emu.set_faults(
        FaultPlan::new()
            .on("getDatabase", [Fault::status(503), Fault::rate_limited(1)])
            .on("listGroups", [Fault::drop_connection(), Fault::status(502)])
            .on("updateDatabaseConfiguration", [Fault::status(504)])
            .on("deleteDatabase", [Fault::status(503)]),
    );
    assert_eq!(c.databases().get("db1").await.unwrap().name, "db1");
    assert_eq!(c.groups().list().await.unwrap().len(), 1);
    c.databases()
        .update_configuration("db1", &DatabaseConfigurationUpdate::new().block_reads(true))
        .await
        .unwrap();
    c.databases().delete("db1").await.unwrap();
    no_violations(&emu);
}

#[tokio::test]
async fn a_retried_call_whose_first_answer_was_lost_succeeds() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    // An idempotent create whose answer is lost: the retry finds the
    // database, created by this call.
    emu.set_faults(FaultPlan::new().on("createDatabase", [Fault::lose_answer()]));
    let ensured = c
        .databases()
        .create_if_missing(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    assert!(ensured.was_created(), "{ensured:?}");
    let again = c
        .databases()
        .create_if_missing(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    assert!(!again.was_created(), "{again:?}");
    c.members().add("bob", Role::Member).await.unwrap();
    c.invites()
        .create(&InviteRequest::email("dana@example.com", Role::Viewer))
        .await
        .unwrap();
    c.api_tokens()
        .create("laptop", &CreateApiToken::unrestricted())
        .await
        .unwrap();
    let org_token = c
        .api_tokens()
        .create("ci", &CreateApiToken::organization("acme"))
        .await
        .unwrap();
    // Each delete is carried out, its answer lost, and the retry finds
    // nothing left to delete: the call still reports what it deleted.
    emu.set_faults(
        FaultPlan::new()
            .on("deleteDatabase", [Fault::lose_answer()])
            .on("removeOrganizationMember", [Fault::lose_answer()])
            .on("deleteOrganizationInviteByEmailV2", [Fault::lose_answer()])
            .on("revokeAPIToken", [Fault::lose_answer()])
            .on("revokeOrganizationAPIToken", [Fault::lose_answer()])
            .on("deleteGroup", [Fault::lose_answer()]),
    );
    assert_eq!(c.databases().delete("db1").await.unwrap().id, "db1");
    assert!(c.databases().get("db1").await.unwrap_err().is_not_found());
    assert_eq!(c.members().remove("bob").await.unwrap().id, "bob");
    assert!(c.members().get("bob").await.unwrap_err().is_not_found());
    c.invites().delete("dana@example.com").await.unwrap();
    assert!(c.invites().list().await.unwrap().is_empty());
    assert_eq!(c.api_tokens().revoke("laptop").await.unwrap().id, "laptop");
    assert!(
        !c.api_tokens()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|t| t.name == "laptop")
    );
    assert_eq!(
        c.api_tokens()
            .revoke_for_organization(&org_token.id)
            .await
            .unwrap()
            .id,
        org_token.id
    );
    assert!(
        !c.api_tokens()
            .list_for_organization()
            .await
            .unwrap()
            .iter()
            .any(|t| t.id == org_token.id)
    );
    // A group delete returns a `Deleted` like every delete (it used to
    // answer with the group, and so came back NotFound after a lost answer):
    // the retry's 404 after a lost answer is success. (The error's wording
    // after a lost answer is checked in sdk-runtime's retry tests.)
    let deleted = c.groups().delete("default").await.unwrap();
    assert_eq!((deleted.id.as_str(), deleted.destroyed), ("default", true));
    assert!(c.groups().get("default").await.unwrap_err().is_not_found());
    assert!(emu.faults_left().is_empty());
    no_violations(&emu);
}

#[tokio::test]
async fn a_delete_of_nothing_is_not_found_and_a_lost_answer_without_retry_is_an_error() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    // Nothing was lost: a delete of a database that does not exist fails.
    let e = c.databases().delete("nope").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(!e.after_lost_answer(), "{e:?}");
    // A 503 means the service did not carry the request out: the NotFound of
    // the retry is a real one.
    emu.set_faults(FaultPlan::new().on("deleteDatabase", [Fault::status(503)]));
    let e = c.databases().delete("nope").await.unwrap_err();
    assert!(e.is_not_found() && !e.after_lost_answer(), "{e:?}");

    // Without retries the lost answer is the caller's to handle: a transport
    // error, although the database is gone.
    let once = Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization(emu.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    once.databases()
        .create(&CreateDatabase::new("db2", "default"))
        .await
        .unwrap();
    emu.set_faults(FaultPlan::new().on("deleteDatabase", [Fault::lose_answer()]));
    let e = once.databases().delete("db2").await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Transport, "{e}");
    assert!(!e.after_lost_answer(), "{e:?}");
    assert!(
        once.databases()
            .get("db2")
            .await
            .unwrap_err()
            .is_not_found()
    );
    no_violations(&emu);
}

#[tokio::test]
async fn does_not_retry_unsafe_operations() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    emu.set_faults(FaultPlan::new().on("createDatabase", [Fault::status(503)]));
    let e = c
        .databases()
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Server);
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.operation(), Some("createDatabase"));
    // Had the client retried, the second attempt would have created it.
    assert!(c.databases().get("db1").await.unwrap_err().is_not_found());

    emu.set_faults(FaultPlan::new().on("createGroup", [Fault::drop_connection()]));
    let e = c
        .groups()
        .create(&CreateGroup::new("g2", "aws-us-east-1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Transport, "{e}");
    assert!(c.groups().get("g2").await.unwrap_err().is_not_found());

    emu.set_faults(FaultPlan::new().on("createDatabaseToken", [Fault::status(502)]));
    c.databases()
        .create(&CreateDatabase::new("db1", "default"))
        .await
        .unwrap();
    let e = c
        .databases()
        .create_token("db1", &TokenRequest::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Server);

    // The same fault on create_if_missing is retried: it is idempotent.
    emu.set_faults(FaultPlan::new().on("createDatabase", [Fault::status(503)]));
    let ensured = c
        .databases()
        .create_if_missing(&CreateDatabase::new("db2", "default"))
        .await
        .unwrap();
    assert!(ensured.was_created());
    no_violations(&emu);
}

#[tokio::test]
async fn rate_limits_surface_with_their_delay() {
    let (emu, _) = start().await;
    let c = Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization("acme")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    emu.set_faults(FaultPlan::new().on("listGroups", [Fault::rate_limited(7)]));
    let e = c.groups().list().await.unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    no_violations(&emu);
}

#[tokio::test]
async fn timeouts() {
    let (emu, _) = start().await;
    let c = Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization("acme")
        .request_timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    emu.set_faults(FaultPlan::new().on("listGroups", [Fault::latency(Duration::from_secs(3))]));
    let e = c.groups().list().await.unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e}");
}

fn sqlite_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("local.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA page_size=4096;
         PRAGMA journal_mode=WAL;
         CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    )
    .unwrap();
    for i in 0..500 {
        conn.execute(
            "INSERT INTO items (name) VALUES (?1)",
            [format!("item {i:04} {}", "x".repeat(100))],
        )
        .unwrap();
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(conn);
    path
}

#[tokio::test]
async fn uploads_a_real_sqlite_file() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 4096 * 4);
    let last = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let (l, n) = (last.clone(), calls.clone());
    let created = c
        .databases()
        .upload(
            UploadDatabase::new("uploaded", "default", &path).on_progress(move |p| {
                assert!(p.sent <= p.total);
                l.store(p.sent, Ordering::SeqCst);
                n.fetch_add(1, Ordering::SeqCst);
            }),
        )
        .await
        .unwrap();
    assert_eq!(created.name, "uploaded");
    assert_eq!(last.load(Ordering::SeqCst), bytes.len() as u64);
    assert!(calls.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        emu.uploaded_file("acme", "uploaded").as_deref(),
        Some(bytes.as_slice())
    );
    c.databases().get("uploaded").await.unwrap();
    no_violations(&emu);
}

#[tokio::test]
async fn upload_with_encryption_headers() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    c.databases()
        .upload(
            UploadDatabase::new("secret", "default", &path)
                .encryption(Encryption::new(key, Some(EncryptionCipher::Aes256Gcm))),
        )
        .await
        .unwrap();
    assert!(emu.uploaded_file("acme", "secret").is_some());
    no_violations(&emu);
}

#[tokio::test]
async fn refuses_files_that_are_not_uploadable_and_cleans_up() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 8192]).unwrap();

    // Refused locally: nothing is created.
    let e = c
        .databases()
        .upload(UploadDatabase::new("junk", "default", &junk))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput);
    assert!(c.databases().get("junk").await.unwrap_err().is_not_found());

    // Refused by the service: the database created for it is deleted again.
    let e = c
        .databases()
        .upload(UploadDatabase::new("junk", "default", &junk).skip_local_checks())
        .await
        .unwrap_err();
    assert_eq!(e.operation(), Some("uploadDatabase"), "{e}");
    assert!(matches!(e.kind(), ErrorKind::BadRequest), "{e}");
    assert!(c.databases().get("junk").await.unwrap_err().is_not_found());
    assert!(emu.uploaded_file("acme", "junk").is_none());

    // A rollback journal database (not WAL) is refused locally.
    let path = dir.path().join("rollback.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA page_size=4096; CREATE TABLE t (x);")
        .unwrap();
    drop(conn);
    let e = c
        .databases()
        .upload(UploadDatabase::new("rollback", "default", &path))
        .await
        .unwrap_err();
    assert!(e.message().unwrap().contains("WAL"), "{e}");
    no_violations(&emu);
}

#[tokio::test]
async fn paginates_databases_lazily() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    group(&c, "other").await;
    for i in 0..23 {
        let g = if i % 3 == 0 { "other" } else { "default" };
        c.databases()
            .create(&CreateDatabase::new(format!("db-{i:02}"), g))
            .await
            .unwrap();
    }
    let all: Vec<Database> = c
        .databases()
        .stream(DatabaseListOptions::new().page_size(4))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 23);
    let names: BTreeSet<_> = all.iter().map(|d| d.name.clone()).collect();
    assert_eq!(names.len(), 23, "no duplicates across pages");

    let first = c
        .databases()
        .page(&DatabaseListOptions::new().page_size(5), None)
        .await
        .unwrap();
    assert_eq!(first.databases.len(), 5);
    assert!(first.next.is_some());

    let other = c
        .databases()
        .list_with(&DatabaseListOptions::new().group("other").page_size(2))
        .await
        .unwrap();
    assert_eq!(other.len(), 8);
    assert!(other.iter().all(|d| d.group.as_deref() == Some("other")));

    // Lazy: taking 3 items needs only the first page.
    let three: Vec<Database> = c
        .databases()
        .stream(DatabaseListOptions::new().page_size(3))
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(three.len(), 3);
    no_violations(&emu);
}

use futures::StreamExt;

#[tokio::test]
async fn paginates_audit_logs() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    for i in 0..10 {
        c.databases()
            .create(&CreateDatabase::new(format!("db-{i}"), "default"))
            .await
            .unwrap();
    }
    let first = c
        .audit_logs()
        .page(1.try_into().unwrap(), 3.try_into().unwrap())
        .await
        .unwrap();
    let info = first.pagination.unwrap();
    assert!(info.total_rows >= 11, "{info:?}");
    assert!(info.total_pages >= 4);
    let all: Vec<AuditLog> = c.audit_logs().stream(3).try_collect().await.unwrap();
    assert_eq!(all.len() as i64, info.total_rows);
    let creates = all
        .iter()
        .filter(|e| e.code == Some(AuditLogCode::DbCreate))
        .count();
    assert_eq!(creates, 10);
    assert!(
        all.iter()
            .any(|e| e.code == Some(AuditLogCode::GroupCreate))
    );
    no_violations(&emu);
}

/// Polls until `name` is gone (a dropped upload deletes in the background).
async fn gone_soon(c: &Client, name: &str) -> bool {
    for _ in 0..100 {
        match c.databases().get(name).await {
            Err(e) if e.is_not_found() => return true,
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    false
}

#[tokio::test]
async fn a_dropped_upload_deletes_its_database() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    // The token takes long enough for the caller to give up after the create.
    emu.set_faults(FaultPlan::new().on(
        "createDatabaseToken",
        [Fault::latency(Duration::from_secs(3))],
    ));
    let databases = c.databases();
    let upload = databases.upload(UploadDatabase::new("dropped", "default", &path));
    assert!(
        tokio::time::timeout(Duration::from_millis(800), upload)
            .await
            .is_err()
    );
    assert!(
        gone_soon(&c, "dropped").await,
        "the dropped upload left its database behind"
    );
    no_violations(&emu);
}

#[tokio::test]
async fn an_upload_whose_create_answer_was_lost_cleans_up() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    emu.set_faults(FaultPlan::new().on("createDatabase", [Fault::lose_answer()]));
    let e = c
        .databases()
        .upload(UploadDatabase::new("lost", "default", &path))
        .await
        .unwrap_err();
    assert!(e.may_have_been_carried_out(), "{e:?}");
    assert!(emu.faults_left().is_empty());
    assert!(c.databases().get("lost").await.unwrap_err().is_not_found());
    no_violations(&emu);
}

#[tokio::test]
async fn an_upload_refuses_an_existing_database() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    c.databases()
        .create(&CreateDatabase::new("taken", "default"))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    let e = c
        .databases()
        .upload(UploadDatabase::new("taken", "default", &path))
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e:?}");
    c.databases().get("taken").await.unwrap();
    no_violations(&emu);
}

#[tokio::test]
async fn a_file_that_changes_during_the_upload_fails_it() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    let dir = tempfile::tempdir().unwrap();
    let path = sqlite_file(dir.path());
    assert!(
        std::fs::metadata(&path).unwrap().len() > 64 * 1024,
        "needs two chunks"
    );

    // It grows after the first chunk.
    let p = path.clone();
    let e = c
        .databases()
        .upload(
            UploadDatabase::new("grown", "default", &path).on_progress(move |progress| {
                if progress.sent <= 64 * 1024 {
                    use std::io::Write;
                    let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
                    f.write_all(&[0u8; 4096]).unwrap();
                }
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::Api(ApiErrorKind::FileChanged),
        "{e:?}"
    );
    assert!(c.databases().get("grown").await.unwrap_err().is_not_found());

    // It is rewritten in place, same size, after the first chunk.
    let path = sqlite_file(&dir.path().join("second").tap_mkdir());
    let p = path.clone();
    let e = c
        .databases()
        .upload(
            UploadDatabase::new("torn", "default", &path).on_progress(move |progress| {
                if progress.sent <= 64 * 1024 {
                    std::thread::sleep(Duration::from_millis(20));
                    let mut bytes = std::fs::read(&p).unwrap();
                    let last = bytes.len() - 1;
                    bytes[last] ^= 0xff;
                    std::fs::write(&p, bytes).unwrap();
                }
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::Api(ApiErrorKind::FileChanged),
        "{e:?}"
    );
    assert!(c.databases().get("torn").await.unwrap_err().is_not_found());
    assert!(emu.uploaded_file("acme", "torn").is_none());
    no_violations(&emu);
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

#[tokio::test]
async fn waits_until_the_data_plane_serves() {
    let emu = Emulator::builder()
        .data_plane_delay(Duration::from_millis(1500))
        .start()
        .await
        .unwrap();
    let c = client(&emu);
    group(&c, "default").await;
    c.databases()
        .create(&CreateDatabase::new("fresh", "default"))
        .await
        .unwrap();

    // The Platform API knows it at once; its data plane does not serve yet.
    let started = std::time::Instant::now();
    let db = c
        .databases()
        .wait_until_ready("fresh", Duration::from_secs(5))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_millis(1000));
    let probe = reqwest::Client::new()
        .get(format!("{}health", emu.database_url("acme", "fresh")))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 404, "the data plane should not serve yet");

    // Too short a limit: a typed timeout naming the data plane.
    let e = c
        .databases()
        .wait_until_serving("fresh", Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Timeout, "{e:?}");
    assert!(e.to_string().contains("did not serve queries"), "{e}");

    let served = c
        .databases()
        .wait_until_serving("fresh", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(served.name, db.name);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    no_violations(&emu);
}

#[tokio::test]
async fn an_allow_list_can_be_set_and_cleared() {
    let (emu, c) = start().await;
    group(&c, "default").await;
    c.databases()
        .create(&CreateDatabase::new("fenced", "default"))
        .await
        .unwrap();
    let mut set = DatabaseConfigurationUpdate::new();
    set.allowed_ips = Some(vec!["10.0.0.0/8".into()]);
    let config = c
        .databases()
        .update_configuration("fenced", &set)
        .await
        .unwrap();
    assert_eq!(config.allowed_ips, ["10.0.0.0/8"]);
    // Another change leaves the list alone (omitted)...
    let unchanged = c
        .databases()
        .update_configuration(
            "fenced",
            &DatabaseConfigurationUpdate::new().block_writes(false),
        )
        .await
        .unwrap();
    assert_eq!(unchanged.allowed_ips, ["10.0.0.0/8"]);
    // ... and an empty list clears it (sent as `[]`).
    let mut clear = DatabaseConfigurationUpdate::new();
    clear.allowed_ips = Some(vec![]);
    let cleared = c
        .databases()
        .update_configuration("fenced", &clear)
        .await
        .unwrap();
    assert!(cleared.allowed_ips.is_empty(), "{cleared:?}");
    no_violations(&emu);
}
