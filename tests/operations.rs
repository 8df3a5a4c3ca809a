//! One test per operation of the effective spec, named after its operationId
//! in snake_case, calling it through the facade against an in-process emulator
//! and asserting what a user would check in the answer.
//!
//! The facade talks to the emulator through a validating proxy
//! (`support/proxy.rs`), so every request and response of every test is
//! checked against the spec; each test ends with `assert_clean(<operationId>)`:
//! the operation was seen and nothing violated the spec. The last tests prove
//! that an operation without a test here, and a proxy that misses a bad body,
//! both fail.

use std::collections::BTreeSet;

use heck::ToSnakeCase;
use turso_platform::*;
use turso_platform_contract_tests::proxy::Proxy;
use turso_platform_contract_tests::validate;
use turso_platform_emulator::Emulator;

/// The facade, pointed at a validating proxy in front of a fresh emulator.
struct Harness {
    client: Client,
    emulator: Emulator,
    proxy: Proxy,
}

impl Harness {
    async fn start() -> Harness {
        let emulator = Emulator::start().await.expect("the emulator starts");
        let proxy = Proxy::start(emulator.base_url()).await;
        let client = client_for(&proxy, emulator.token(), emulator.organization());
        Harness {
            client,
            emulator,
            proxy,
        }
    }

    /// A client with another token, through the same proxy.
    fn with_token(&self, token: &str) -> Client {
        client_for(&self.proxy, token, self.emulator.organization())
    }

    fn assert_clean(&self, operation: &str) {
        self.proxy.assert_clean(operation);
        let v = self.emulator.violations();
        assert!(v.is_empty(), "the emulator saw violations: {v:#?}");
    }

    /// The status the database host answers to an upload of a junk body
    /// authorised by `token`: 401/403 when the token is refused, 400 when it
    /// is accepted (the body is then refused on its own merits).
    async fn upload_status(&self, database: &str, token: &Token) -> u16 {
        let host = self
            .emulator
            .database_hostname(self.emulator.organization(), database);
        reqwest::Client::new()
            .post(format!("{}/v1/upload", self.emulator.base_url()))
            .header("host", host)
            .bearer_auth(token.expose())
            .body("not a database")
            .send()
            .await
            .expect("the emulator answers")
            .status()
            .as_u16()
    }

    async fn group(&self, name: &str) -> Group {
        self.client
            .groups()
            .create(&CreateGroup::new(name, "aws-us-east-1"))
            .await
            .expect("create group")
    }

    async fn database(&self, name: &str, group: &str) -> CreatedDatabase {
        self.client
            .databases()
            .create(&CreateDatabase::new(name, group))
            .await
            .expect("create database")
    }
}

fn client_for(proxy: &Proxy, token: &str, org: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(proxy.base_url())
        .organization(org)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

/// A JWT has three dot-separated, non-empty parts.
fn assert_jwt(token: &Token) {
    let parts: Vec<&str> = token.expose().split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT");
    assert!(parts.iter().all(|p| !p.is_empty()), "not a JWT");
}

// ---- organizations, user, locations, billing ----

#[tokio::test]
async fn list_organizations() {
    let h = Harness::start().await;
    let orgs = h.client.organizations().list().await.unwrap();
    let slugs: BTreeSet<&str> = orgs.iter().map(|o| o.slug.as_str()).collect();
    assert_eq!(slugs, BTreeSet::from(["acme", "alice"]));
    let acme = orgs.iter().find(|o| o.slug == "acme").unwrap();
    assert_eq!(acme.name.as_deref(), Some("Acme"));
    assert_eq!(acme.kind, Some(OrganizationType::Team));
    h.assert_clean("listOrganizations");
}

#[tokio::test]
async fn get_organization() {
    let h = Harness::start().await;
    let org = h.client.organizations().get().await.unwrap();
    assert_eq!(org.slug, "acme");
    assert_eq!(org.kind, Some(OrganizationType::Team));
    let personal = h.client.organization("alice").get().await.unwrap();
    assert_eq!(personal.kind, Some(OrganizationType::Personal));
    let e = h
        .client
        .organization("nobody-here")
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Forbidden),
        "{e}"
    );
    h.assert_clean("getOrganization");
}

#[tokio::test]
async fn delete_organization() {
    let h = Harness::start().await;
    // A personal organization is never deleted.
    let e = h
        .client
        .organization("alice")
        .organizations()
        .delete()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    // One that holds databases is refused until they are gone.
    h.group("g").await;
    h.database("db", "g").await;
    let e = h.client.organizations().delete().await.unwrap_err();
    assert_eq!(e.status(), Some(409), "{e}");
    h.client.databases().delete("db").await.unwrap();
    h.client.organizations().delete().await.unwrap();
    let e = h.client.organizations().get().await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let slugs: Vec<String> = h
        .client
        .organizations()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.slug)
        .collect();
    assert!(!slugs.contains(&"acme".to_string()), "{slugs:?}");
    h.assert_clean("deleteOrganization");
}

#[tokio::test]
async fn update_organization() {
    let h = Harness::start().await;
    let before = h.client.organizations().get().await.unwrap();
    let update = OrganizationUpdate::new().overages(!before.overages);
    let updated = h.client.organizations().update(&update).await.unwrap();
    assert_eq!(updated.overages, !before.overages);
    let after = h.client.organizations().get().await.unwrap();
    assert_eq!(after.overages, !before.overages, "the change persisted");
    h.assert_clean("updateOrganization");
}

#[tokio::test]
async fn get_organization_usage() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db1", "g").await;
    h.database("db2", "g").await;
    let usage = h.client.organizations().usage().await.unwrap();
    assert_eq!(usage.usage.databases, 2);
    assert_eq!(usage.usage.groups, 1);
    h.assert_clean("getOrganizationUsage");
}

#[tokio::test]
async fn list_organization_plans() {
    let h = Harness::start().await;
    let plans = h.client.billing().plans().await.unwrap();
    let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"scaler"), "{names:?}");
    let scaler = plans.iter().find(|p| p.name == "scaler").unwrap();
    assert!(scaler.quotas.as_ref().and_then(|q| q.databases).is_some());
    h.assert_clean("listOrganizationPlans");
}

#[tokio::test]
async fn get_organization_subscription() {
    let h = Harness::start().await;
    let sub = h.client.billing().subscription().await.unwrap();
    assert_eq!(sub.plan.as_deref(), Some("scaler"));
    h.assert_clean("getOrganizationSubscription");
}

#[tokio::test]
async fn list_organization_invoices() {
    let h = Harness::start().await;
    let all = h
        .client
        .billing()
        .invoices(Some(InvoiceType::All))
        .await
        .unwrap();
    let issued = h
        .client
        .billing()
        .invoices(Some(InvoiceType::Issued))
        .await
        .unwrap();
    assert!(!issued.is_empty());
    assert!(issued.len() < all.len(), "issued is a subset of all");
    for inv in &issued {
        assert!(all.iter().any(|a| a.invoice_number == inv.invoice_number));
    }
    h.assert_clean("listOrganizationInvoices");
}

#[tokio::test]
async fn list_locations() {
    let h = Harness::start().await;
    let locations = h.client.locations().list().await.unwrap();
    let us = locations
        .iter()
        .find(|l| l.code == "aws-us-east-1")
        .expect("aws-us-east-1 is listed");
    assert!(!us.name.is_empty());
    h.assert_clean("listLocations");
}

#[tokio::test]
async fn get_current_user() {
    let h = Harness::start().await;
    let me = h.client.user().current().await.unwrap();
    assert_eq!(me.username, h.emulator.username());
    assert_eq!(me.email.as_deref(), Some("alice@example.com"));
    h.assert_clean("getCurrentUser");
}

// ---- members and invites ----

#[tokio::test]
async fn list_organization_members() {
    let h = Harness::start().await;
    h.client.members().add("bob", Role::Viewer).await.unwrap();
    let members = h.client.members().list().await.unwrap();
    let alice = members.iter().find(|m| m.username == "alice").unwrap();
    assert_eq!(alice.role, Some(Role::Owner));
    let bob = members.iter().find(|m| m.username == "bob").unwrap();
    assert_eq!(bob.role, Some(Role::Viewer));
    h.assert_clean("listOrganizationMembers");
}

#[tokio::test]
async fn add_organization_member() {
    let h = Harness::start().await;
    let added = h.client.members().add("carol", Role::Member).await.unwrap();
    assert_eq!(added.username, "carol");
    assert_eq!(added.role, Some(Role::Member));
    let e = h
        .client
        .members()
        .add("carol", Role::Member)
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e}");
    h.assert_clean("addOrganizationMember");
}

#[tokio::test]
async fn get_organization_member() {
    let h = Harness::start().await;
    h.client.members().add("bob", Role::Admin).await.unwrap();
    let bob = h.client.members().get("bob").await.unwrap();
    assert_eq!(
        (bob.username.as_str(), &bob.role),
        ("bob", &Some(Role::Admin))
    );
    assert!(
        h.client
            .members()
            .get("carol")
            .await
            .unwrap_err()
            .is_not_found()
    );
    h.assert_clean("getOrganizationMember");
}

#[tokio::test]
async fn update_member_role() {
    let h = Harness::start().await;
    h.client.members().add("bob", Role::Member).await.unwrap();
    let bob = h
        .client
        .members()
        .update_role("bob", Role::Admin)
        .await
        .unwrap();
    assert_eq!(bob.role, Some(Role::Admin));
    assert_eq!(
        h.client.members().get("bob").await.unwrap().role,
        Some(Role::Admin)
    );
    h.assert_clean("updateMemberRole");
}

#[tokio::test]
async fn remove_organization_member() {
    let h = Harness::start().await;
    h.client.members().add("bob", Role::Member).await.unwrap();
    assert_eq!(h.client.members().remove("bob").await.unwrap().id, "bob");
    let names: Vec<String> = h
        .client
        .members()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.username)
        .collect();
    assert!(!names.contains(&"bob".to_string()), "{names:?}");
    h.assert_clean("removeOrganizationMember");
}

#[tokio::test]
async fn list_organization_invites_v2() {
    let h = Harness::start().await;
    assert!(h.client.invites().list().await.unwrap().is_empty());
    h.client
        .invites()
        .create(&InviteRequest::email("dana@example.com", Role::Viewer))
        .await
        .unwrap();
    let invites = h.client.invites().list().await.unwrap();
    assert_eq!(invites.len(), 1);
    assert_eq!(invites[0].email.as_deref(), Some("dana@example.com"));
    assert_eq!(invites[0].role, Some(Role::Viewer));
    h.assert_clean("listOrganizationInvitesV2");
}

#[tokio::test]
async fn invite_organization_member_v2() {
    let h = Harness::start().await;
    let created = h
        .client
        .invites()
        .create(&InviteRequest::email("erin@example.com", Role::Admin))
        .await
        .unwrap();
    assert_eq!(created.email.as_deref(), Some("erin@example.com"));
    assert_eq!(created.role, Some(Role::Admin));
    h.assert_clean("inviteOrganizationMemberV2");
}

#[tokio::test]
async fn delete_organization_invite_by_email_v2() {
    let h = Harness::start().await;
    h.client
        .invites()
        .create(&InviteRequest::email("dana@example.com", Role::Member))
        .await
        .unwrap();
    h.client.invites().delete("dana@example.com").await.unwrap();
    assert!(h.client.invites().list().await.unwrap().is_empty());
    let e = h
        .client
        .invites()
        .delete("dana@example.com")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("deleteOrganizationInviteByEmailV2");
}

// ---- groups ----

#[tokio::test]
async fn list_groups() {
    let h = Harness::start().await;
    assert!(h.client.groups().list().await.unwrap().is_empty());
    h.group("alpha").await;
    h.group("beta").await;
    let names: BTreeSet<String> = h
        .client
        .groups()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.name)
        .collect();
    assert_eq!(names, BTreeSet::from(["alpha".into(), "beta".into()]));
    h.assert_clean("listGroups");
}

#[tokio::test]
async fn create_group() {
    let h = Harness::start().await;
    let g = h
        .client
        .groups()
        .create(&CreateGroup::new("g", "aws-eu-west-1"))
        .await
        .unwrap();
    assert_eq!(g.name, "g");
    assert_eq!(g.primary.as_deref(), Some("aws-eu-west-1"));
    assert_eq!(g.locations, vec!["aws-eu-west-1".to_string()]);
    assert!(!g.uuid.is_empty());
    let e = h
        .client
        .groups()
        .create(&CreateGroup::new("g", "aws-eu-west-1"))
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e}");
    h.assert_clean("createGroup");
}

#[tokio::test]
async fn get_group() {
    let h = Harness::start().await;
    let created = h.group("g").await;
    let g = h.client.groups().get("g").await.unwrap();
    assert_eq!(
        (g.name.as_str(), g.uuid.as_str()),
        ("g", created.uuid.as_str())
    );
    assert_eq!(g.primary.as_deref(), Some("aws-us-east-1"));
    assert!(
        h.client
            .groups()
            .get("nope")
            .await
            .unwrap_err()
            .is_not_found()
    );
    h.assert_clean("getGroup");
}

#[tokio::test]
async fn delete_group() {
    let h = Harness::start().await;
    h.group("g").await;
    let deleted = h.client.groups().delete("g").await.unwrap();
    assert_eq!(deleted.id, "g");
    assert!(h.client.groups().get("g").await.unwrap_err().is_not_found());
    h.assert_clean("deleteGroup");
}

#[tokio::test]
async fn get_group_configuration() {
    let h = Harness::start().await;
    h.group("g").await;
    let cfg = h.client.groups().configuration("g").await.unwrap();
    assert!(!cfg.delete_protection, "off by default");
    h.assert_clean("getGroupConfiguration");
}

#[tokio::test]
async fn update_group_configuration() {
    let h = Harness::start().await;
    h.group("g").await;
    h.client
        .groups()
        .set_delete_protection("g", true)
        .await
        .unwrap();
    assert!(
        h.client
            .groups()
            .configuration("g")
            .await
            .unwrap()
            .delete_protection
    );
    h.assert_clean("updateGroupConfiguration");
}

#[tokio::test]
async fn transfer_group() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    let moved = h.client.groups().transfer("g", "alice").await.unwrap();
    assert_eq!(moved.name, "g");
    assert!(h.client.groups().get("g").await.unwrap_err().is_not_found());
    let there = h
        .client
        .organization("alice")
        .groups()
        .get("g")
        .await
        .unwrap();
    assert_eq!(there.name, "g");
    let db = h
        .client
        .organization("alice")
        .databases()
        .get("db")
        .await
        .unwrap();
    assert_eq!(
        db.group.as_deref(),
        Some("g"),
        "the group's databases moved with it"
    );
    h.assert_clean("transferGroup");
}

#[tokio::test]
async fn unarchive_group() {
    let h = Harness::start().await;
    h.group("g").await;
    assert!(h.emulator.archive_group("acme", "g"));
    let g = h.client.groups().unarchive("g").await.unwrap();
    assert_eq!(g.name, "g");
    h.assert_clean("unarchiveGroup");
}

#[tokio::test]
async fn add_location_to_group() {
    let h = Harness::start().await;
    h.group("g").await;
    let g = h
        .client
        .groups()
        .add_location("g", "aws-eu-west-1")
        .await
        .unwrap();
    let locations: BTreeSet<&str> = g.locations.iter().map(String::as_str).collect();
    assert_eq!(
        locations,
        BTreeSet::from(["aws-us-east-1", "aws-eu-west-1"])
    );
    assert_eq!(g.primary.as_deref(), Some("aws-us-east-1"));
    h.assert_clean("addLocationToGroup");
}

#[tokio::test]
async fn wait_for_group_location() {
    let h = Harness::start().await;
    h.group("g").await;
    let g = h
        .client
        .groups()
        .add_location_and_wait("g", "aws-eu-west-1", std::time::Duration::from_secs(10))
        .await
        .unwrap();
    assert!(g.locations.contains(&"aws-eu-west-1".to_string()));
    h.client
        .groups()
        .wait_for_location("g", "aws-us-east-1", std::time::Duration::from_secs(10))
        .await
        .unwrap();
    // A location the group does not have would never serve: 404 at once.
    let e = h
        .client
        .groups()
        .wait_for_location("g", "aws-ap-south-1", std::time::Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("waitForGroupLocation");
}

#[tokio::test]
async fn remove_location_from_group() {
    let h = Harness::start().await;
    h.group("g").await;
    h.client
        .groups()
        .add_location("g", "aws-eu-west-1")
        .await
        .unwrap();
    let g = h
        .client
        .groups()
        .remove_location("g", "aws-eu-west-1")
        .await
        .unwrap();
    assert_eq!(g.locations, vec!["aws-us-east-1".to_string()]);
    h.assert_clean("removeLocationFromGroup");
}

#[tokio::test]
async fn update_group_databases() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    h.client.groups().update_databases("g").await.unwrap();
    let e = h
        .client
        .groups()
        .update_databases("nope")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("updateGroupDatabases");
}

#[tokio::test]
async fn create_group_token() {
    let h = Harness::start().await;
    h.group("g").await;
    let token = h
        .client
        .groups()
        .create_token("g", &TokenRequest::new().read_only())
        .await
        .unwrap();
    assert_jwt(&token);
    let e = h
        .client
        .groups()
        .create_token("nope", &TokenRequest::new())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("createGroupToken");
}

#[tokio::test]
async fn invalidate_group_tokens() {
    let h = Harness::start().await;
    h.group("g").await;
    h.client
        .databases()
        .create(&CreateDatabase::new("db", "g").seed(Seed::upload()))
        .await
        .unwrap();
    let before = h
        .client
        .groups()
        .create_token("g", &TokenRequest::new())
        .await
        .unwrap();
    h.client.groups().invalidate_tokens("g").await.unwrap();
    let after = h
        .client
        .groups()
        .create_token("g", &TokenRequest::new())
        .await
        .unwrap();
    // A group token minted before the rotation no longer opens the group's
    // databases; one minted after does.
    assert_eq!(h.upload_status("db", &before).await, 401);
    assert_eq!(h.upload_status("db", &after).await, 400);
    let e = h
        .client
        .groups()
        .invalidate_tokens("nope")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("invalidateGroupTokens");
}

// ---- databases and instances ----

#[tokio::test]
async fn list_databases() {
    let h = Harness::start().await;
    h.group("g").await;
    h.group("h").await;
    h.database("one", "g").await;
    h.database("two", "h").await;
    let all: BTreeSet<String> = h
        .client
        .databases()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(all, BTreeSet::from(["one".into(), "two".into()]));
    let in_g = h
        .client
        .databases()
        .list_with(&DatabaseListOptions::new().group("g"))
        .await
        .unwrap();
    assert_eq!(in_g.len(), 1);
    assert_eq!(
        (
            in_g[0].name.as_str(),
            in_g[0].group.as_deref().unwrap_or_default()
        ),
        ("one", "g")
    );
    let first = h
        .client
        .databases()
        .page(&DatabaseListOptions::new().page_size(1), None)
        .await
        .unwrap();
    assert_eq!(first.databases.len(), 1);
    assert!(first.next.is_some(), "a second page remains");
    h.assert_clean("listDatabases");
}

#[tokio::test]
async fn create_database() {
    let h = Harness::start().await;
    h.group("g").await;
    let db = h.database("db", "g").await;
    assert_eq!(db.name, "db");
    assert!(!db.id.is_empty());
    assert!(
        db.hostname
            .as_deref()
            .unwrap_or_default()
            .starts_with("db-acme"),
        "{:?}",
        db.hostname
    );
    let e = h
        .client
        .databases()
        .create(&CreateDatabase::new("db", "g"))
        .await
        .unwrap_err();
    assert!(e.is_already_exists(), "{e}");
    h.assert_clean("createDatabase");
}

#[tokio::test]
async fn update_database_version() {
    let h = Harness::start().await;
    let g = h.group("g").await;
    h.database("db", "g").await;
    h.client.databases().update_version("db").await.unwrap();
    let db = h.client.databases().get("db").await.unwrap();
    assert_eq!(
        db.version, g.version,
        "the database runs its group's version"
    );
    let e = h
        .client
        .databases()
        .update_version("missing")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("updateDatabaseVersion");
}

#[tokio::test]
async fn create_database_on_the_turso_engine() {
    let h = Harness::start().await;
    h.group("g").await;
    h.client
        .databases()
        .create(&CreateDatabase::new("new-engine", "g").use_tursodb(true))
        .await
        .unwrap();
    h.database("classic", "g").await;
    let db = h.client.databases().get("new-engine").await.unwrap();
    assert_eq!(db.kind.as_deref(), Some("turso"));
    assert!(!db.sleeping && !db.archived && !db.is_schema && !db.allow_attach);
    let classic = h.client.databases().get("classic").await.unwrap();
    assert_eq!(classic.kind.as_deref(), Some("logical"));
    // Tokens for the Turso engine take no fine-grained permissions.
    let e = h
        .client
        .databases()
        .create_token(
            "new-engine",
            &TokenRequest::new().attach_databases(["classic"]),
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    h.client
        .databases()
        .create_token("new-engine", &TokenRequest::new())
        .await
        .unwrap();
    h.assert_clean("createDatabase");
}

#[tokio::test]
async fn get_database() {
    let h = Harness::start().await;
    h.group("g").await;
    let created = h.database("db", "g").await;
    let db = h.client.databases().get("db").await.unwrap();
    assert_eq!(db.name, "db");
    assert_eq!(db.id, created.id);
    assert_eq!(db.hostname, created.hostname);
    assert_eq!(db.group.as_deref(), Some("g"));
    assert_eq!(db.primary_region.as_deref(), Some("aws-us-east-1"));
    assert!(
        h.client
            .databases()
            .get("nope")
            .await
            .unwrap_err()
            .is_not_found()
    );
    h.assert_clean("getDatabase");
}

#[tokio::test]
async fn delete_database() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    assert_eq!(h.client.databases().delete("db").await.unwrap().id, "db");
    assert!(
        h.client
            .databases()
            .get("db")
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        h.client
            .databases()
            .delete("db")
            .await
            .unwrap_err()
            .is_not_found()
    );
    h.assert_clean("deleteDatabase");
}

#[tokio::test]
async fn get_database_configuration() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    let cfg = h.client.databases().configuration("db").await.unwrap();
    assert!(!cfg.block_reads && !cfg.block_writes && !cfg.delete_protection);
    h.assert_clean("getDatabaseConfiguration");
}

#[tokio::test]
async fn update_database_configuration() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    let update = DatabaseConfigurationUpdate::new()
        .block_writes(true)
        .delete_protection(true);
    let cfg = h
        .client
        .databases()
        .update_configuration("db", &update)
        .await
        .unwrap();
    assert!(cfg.block_writes && cfg.delete_protection && !cfg.block_reads);
    let again = h.client.databases().configuration("db").await.unwrap();
    assert!(again.block_writes && again.delete_protection);
    h.assert_clean("updateDatabaseConfiguration");
}

#[tokio::test]
async fn get_database_usage() {
    let h = Harness::start().await;
    h.group("g").await;
    let created = h.database("db", "g").await;
    let usage = h.client.databases().usage("db").await.unwrap();
    assert_eq!(usage.uuid.as_deref(), Some(created.id.as_str()));
    assert!(usage.total.rows_read >= 0 && usage.total.storage_bytes >= 0);
    h.assert_clean("getDatabaseUsage");
}

#[tokio::test]
async fn get_database_stats() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    let stats = h.client.databases().stats("db").await.unwrap();
    assert!(stats.top_queries.iter().all(|q| !q.query.is_empty()));
    assert!(
        h.client
            .databases()
            .stats("nope")
            .await
            .unwrap_err()
            .is_not_found()
    );
    h.assert_clean("getDatabaseStats");
}

#[tokio::test]
async fn create_database_token() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    let token = h
        .client
        .databases()
        .create_token("db", &TokenRequest::new().read_only())
        .await
        .unwrap();
    assert_jwt(&token);
    let e = h
        .client
        .databases()
        .create_token("nope", &TokenRequest::new())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("createDatabaseToken");
}

#[tokio::test]
async fn invalidate_database_tokens() {
    let h = Harness::start().await;
    h.group("g").await;
    h.client
        .databases()
        .create(&CreateDatabase::new("db", "g").seed(Seed::upload()))
        .await
        .unwrap();
    let before = h
        .client
        .databases()
        .create_token("db", &TokenRequest::new())
        .await
        .unwrap();
    h.client.databases().invalidate_tokens("db").await.unwrap();
    let after = h
        .client
        .databases()
        .create_token("db", &TokenRequest::new())
        .await
        .unwrap();
    // The database host checks database tokens: one minted before the
    // rotation is refused, one minted after is accepted (the junk body is then
    // refused on its own merits).
    assert_eq!(h.upload_status("db", &before).await, 401);
    assert_eq!(h.upload_status("db", &after).await, 400);
    let e = h
        .client
        .databases()
        .invalidate_tokens("nope")
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    h.assert_clean("invalidateDatabaseTokens");
}

#[tokio::test]
async fn list_database_instances() {
    let h = Harness::start().await;
    h.group("g").await;
    h.client
        .groups()
        .add_location("g", "aws-eu-west-1")
        .await
        .unwrap();
    h.database("db", "g").await;
    let instances = h.client.databases().instances("db").list().await.unwrap();
    let regions: BTreeSet<&str> = instances.iter().map(|i| i.location()).collect();
    assert_eq!(regions, BTreeSet::from(["aws-us-east-1", "aws-eu-west-1"]));
    let primaries: Vec<&Instance> = instances.iter().filter(|i| i.is_primary()).collect();
    assert_eq!(primaries.len(), 1);
    assert_eq!(primaries[0].region.as_deref(), Some("aws-us-east-1"));
    h.assert_clean("listDatabaseInstances");
}

#[tokio::test]
async fn get_database_instance() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    let listed = h.client.databases().instances("db").list().await.unwrap();
    let first = listed.first().expect("the primary instance");
    let got = h
        .client
        .databases()
        .instances("db")
        .get(&first.name)
        .await
        .unwrap();
    assert_eq!(got.uuid, first.uuid);
    assert_eq!(got.region.as_deref(), Some("aws-us-east-1"));
    assert_eq!(got.kind, Some(InstanceType::Primary));
    h.assert_clean("getDatabaseInstance");
}

// ---- platform API tokens and audit logs ----

#[tokio::test]
async fn validate_api_token() {
    let h = Harness::start().await;
    h.client.api_tokens().validate().await.unwrap();
    let e = h
        .with_token("not-a-real-token")
        .api_tokens()
        .validate()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthorized, "{e}");
    h.assert_clean("validateAPIToken");
}

#[tokio::test]
async fn list_api_tokens() {
    let h = Harness::start().await;
    h.client
        .api_tokens()
        .create("ci", &CreateApiToken::unrestricted())
        .await
        .unwrap();
    let names: BTreeSet<String> = h
        .client
        .api_tokens()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(names.contains("ci"), "{names:?}");
    h.assert_clean("listAPITokens");
}

#[tokio::test]
async fn create_api_token() {
    let h = Harness::start().await;
    let created = h
        .client
        .api_tokens()
        .create("ci", &CreateApiToken::unrestricted())
        .await
        .unwrap();
    assert_eq!(created.name, "ci");
    assert!(!created.id.is_empty());
    // The new token works on its own.
    let me = h
        .with_token(created.token.expose())
        .user()
        .current()
        .await
        .unwrap();
    assert_eq!(me.username, "alice");
    h.assert_clean("createAPIToken");
}

#[tokio::test]
async fn revoke_api_token() {
    let h = Harness::start().await;
    let created = h
        .client
        .api_tokens()
        .create("ci", &CreateApiToken::unrestricted())
        .await
        .unwrap();
    assert_eq!(h.client.api_tokens().revoke("ci").await.unwrap().id, "ci");
    let e = h
        .with_token(created.token.expose())
        .api_tokens()
        .validate()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Unauthorized, "a revoked token: {e}");
    h.assert_clean("revokeAPIToken");
}

#[tokio::test]
async fn list_organization_api_tokens() {
    let h = Harness::start().await;
    let created = h
        .client
        .api_tokens()
        .create("org-ci", &CreateApiToken::organization("acme"))
        .await
        .unwrap();
    let tokens = h.client.api_tokens().list_for_organization().await.unwrap();
    let found = tokens
        .iter()
        .find(|t| t.id == created.id)
        .expect("the organization token is listed");
    assert_eq!(found.name, "org-ci");
    assert_eq!(found.organization.as_deref(), Some("acme"));
    h.assert_clean("listOrganizationAPITokens");
}

#[tokio::test]
async fn revoke_organization_api_token() {
    let h = Harness::start().await;
    let created = h
        .client
        .api_tokens()
        .create("org-ci", &CreateApiToken::organization("acme"))
        .await
        .unwrap();
    h.client
        .api_tokens()
        .revoke_for_organization(&created.id)
        .await
        .unwrap();
    let tokens = h.client.api_tokens().list_for_organization().await.unwrap();
    assert!(tokens.iter().all(|t| t.id != created.id), "{tokens:?}");
    h.assert_clean("revokeOrganizationAPIToken");
}

#[tokio::test]
async fn list_organization_audit_logs() {
    let h = Harness::start().await;
    h.group("g").await;
    h.database("db", "g").await;
    let page = h
        .client
        .audit_logs()
        .page(1.try_into().unwrap(), 50.try_into().unwrap())
        .await
        .unwrap();
    let codes: Vec<&AuditLogCode> = page
        .audit_logs
        .iter()
        .filter_map(|l| l.code.as_ref())
        .collect();
    assert!(codes.contains(&&AuditLogCode::GroupCreate), "{codes:?}");
    assert!(codes.contains(&&AuditLogCode::DbCreate), "{codes:?}");
    let info = page.pagination.expect("pagination");
    assert_eq!((info.page, info.page_size), (1, 50));
    assert_eq!(info.total_rows, page.audit_logs.len() as i64);
    h.assert_clean("listOrganizationAuditLogs");
}

// ---- the suite itself ----

/// The conformance sweep: every operation, sent without a token, with the
/// emulator's token for names that do not exist, and for an organization
/// that does not exist, answers with a status the effective spec documents
/// for it (the proxy reports any other). Request bodies are left empty, so
/// only the statuses are judged here.
#[tokio::test]
async fn every_refusal_has_a_documented_status() {
    let h = Harness::start().await;
    let spec: serde_json::Value =
        serde_json::from_str(turso_platform::generated::EFFECTIVE_SPEC_JSON).unwrap();
    let http = reqwest::Client::new();
    let mut sent = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("operationId").is_none() {
                continue;
            }
            for (token, org) in [
                (None, "acme"),
                (Some(h.emulator.token()), "acme"),
                (Some(h.emulator.token()), "no-such-org"),
            ] {
                let concrete = path
                    .split('/')
                    .map(|seg| match seg {
                        "{organizationSlug}" => org.to_string(),
                        s if s.starts_with('{') => "nope".to_string(),
                        s => s.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let mut req = http.request(method, format!("{}{concrete}", h.proxy.base_url()));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let status = req.send().await.unwrap().status();
                // Lists of the emulator's own organization succeed; nothing
                // is a server error.
                assert!(!status.is_server_error(), "{path}: {status}");
                sent += 1;
            }
        }
    }
    assert_eq!(sent, 52 * 3);
    let undocumented: Vec<String> = h
        .proxy
        .violations()
        .into_iter()
        .filter(|v| v.contains("is not documented"))
        .collect();
    assert!(undocumented.is_empty(), "{undocumented:#?}");
}

/// An operation added to the spec (upstream or by a patch) needs a test here.
#[test]
fn every_operation_has_a_test() {
    let source = include_str!("operations.rs");
    let missing: Vec<String> = validate::shared()
        .operation_ids()
        .into_iter()
        .map(|id| id.to_snake_case())
        .filter(|name| !source.contains(&format!("async fn {name}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "operations of the effective spec without a test in tests/operations.rs: {missing:?}"
    );
}

#[test]
fn snake_case_names_follow_heck() {
    assert_eq!("validateAPIToken".to_snake_case(), "validate_api_token");
    assert_eq!(
        "listOrganizationInvitesV2".to_snake_case(),
        "list_organization_invites_v2"
    );
}

/// The proxy is not a rubber stamp: a wrong request body, an undeclared or
/// mistyped query parameter and a path outside the spec are all reported.
#[tokio::test]
async fn the_proxy_catches_bad_requests() {
    let h = Harness::start().await;
    let http = reqwest::Client::new();
    let base = h.proxy.base_url();
    let auth = format!("Bearer {}", h.emulator.token());
    http.post(format!("{base}/v1/organizations/acme/databases"))
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(r#"{"name": 3, "group": "g"}"#)
        .send()
        .await
        .unwrap();
    http.get(format!(
        "{base}/v1/organizations/acme/invoices?type=bogus&colour=red"
    ))
    .header("authorization", &auth)
    .send()
    .await
    .unwrap();
    http.get(format!("{base}/v1/organizations/acme/databases?limit=ten"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    http.get(format!("{base}/v1/nowhere"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    let v = h.proxy.violations();
    let has = |prefix: &str| v.iter().any(|s| s.starts_with(prefix));
    assert!(has("createDatabase request $.name:"), "{v:#?}");
    assert!(has("listOrganizationInvoices request ?type:"), "{v:#?}");
    assert!(has("listOrganizationInvoices request ?colour:"), "{v:#?}");
    assert!(has("listDatabases request ?limit:"), "{v:#?}");
    assert!(has("GET /v1/nowhere request $:"), "{v:#?}");
}

/// A fake upstream answering a wrong shape: the proxy names the operation and
/// the JSON path, whatever the client made of the answer.
#[tokio::test]
async fn the_proxy_catches_bad_responses() {
    use axum::response::IntoResponse;
    async fn wrong() -> axum::response::Response {
        (
            [("content-type", "application/json")],
            r#"{"database": {"Name": 42, "DbId": "d", "Hostname": "h", "group": "g"}}"#,
        )
            .into_response()
    }
    async fn html() -> axum::response::Response {
        ([("content-type", "text/html")], "<html>oops</html>").into_response()
    }
    let app = axum::Router::new()
        .route(
            "/v1/organizations/{org}/databases/{db}",
            axum::routing::get(wrong),
        )
        .route("/v1/organizations/{org}/groups", axum::routing::get(html));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let proxy = Proxy::start(&upstream).await;
    let client = client_for(&proxy, "t", "acme");
    assert!(client.databases().get("db").await.is_err());
    assert!(client.groups().list().await.is_err());
    let v = proxy.violations();
    assert!(
        v.iter()
            .any(|s| s.starts_with("getDatabase response $.database.Name:")),
        "{v:#?}"
    );
    assert!(
        v.iter()
            .any(|s| s.starts_with("listGroups response $: content type")),
        "{v:#?}"
    );
    server.abort();
}
