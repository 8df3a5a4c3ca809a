//! The emulator's whole world: users, organizations, groups, databases,
//! tokens and audit logs, plus how each renders as the API's JSON.
//!
//! Everything lives in one serde-serializable [`State`] behind one lock, so
//! every request sees and changes a consistent snapshot (check-and-insert is
//! atomic) and persistence is one JSON document.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// The fixed location table (code, description).
pub(crate) const LOCATIONS: [(&str, &str); 8] = [
    ("aws-ap-northeast-1", "AWS AP NorthEast (Tokyo)"),
    ("aws-ap-south-1", "AWS AP South (Mumbai)"),
    ("aws-ap-southeast-2", "AWS AP SouthEast (Sydney)"),
    ("aws-eu-central-1", "AWS EU Central (Frankfurt)"),
    ("aws-eu-west-1", "AWS EU West (Ireland)"),
    ("aws-us-east-1", "AWS US East (Virginia)"),
    ("aws-us-east-2", "AWS US East (Ohio)"),
    ("aws-us-west-2", "AWS US West (Oregon)"),
];

/// Whether `code` is a known location.
pub(crate) fn is_location(code: &str) -> bool {
    LOCATIONS.iter().any(|(c, _)| *c == code)
}

/// A registered user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct User {
    pub username: String,
    pub name: String,
    pub email: String,
}

/// A member of an organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Member {
    pub username: String,
    pub role: String,
}

/// A pending v2 invite.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Invite {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// An audit log entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuditEntry {
    pub code: String,
    pub message: String,
    pub origin: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub data: Value,
}

/// A group: a primary location plus replicas, holding databases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Group {
    pub name: String,
    pub uuid: String,
    pub primary: String,
    pub locations: Vec<String>,
    pub archived: bool,
    pub delete_protection: bool,
    pub version: String,
    pub extensions: Value,
    /// Bumped by `invalidateGroupTokens`; part of every token key in the group.
    pub token_generation: u64,
}

/// Where a seeded database came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Parent {
    pub id: String,
    pub name: String,
    pub branched_at: DateTime<Utc>,
}

/// What `/v1/upload` received (the bytes themselves live in [`State::uploads`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UploadMeta {
    pub size: u64,
    pub encryption_key: Option<String>,
    pub encryption_cipher: Option<String>,
    pub uploaded_at: DateTime<Utc>,
}

/// A database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Database {
    pub name: String,
    pub id: String,
    pub group: String,
    /// Global creation counter: the stable order for listing and cursors.
    pub seq: u64,
    pub created_at: DateTime<Utc>,
    pub block_reads: bool,
    pub block_writes: bool,
    pub delete_protection: bool,
    pub allow_attach: bool,
    pub size_limit: Option<String>,
    pub allowed_ips: Vec<String>,
    pub allowed_aws_vpc_ids: Vec<String>,
    pub parent: Option<Parent>,
    /// Bumped by `invalidateDatabaseTokens`.
    pub token_generation: u64,
    /// Created with seed `database_upload` and not uploaded yet.
    pub awaiting_upload: bool,
    pub upload: Option<UploadMeta>,
    pub remote_encryption_cipher: Option<String>,
    /// Instance uuid per location.
    pub instances: BTreeMap<String, String>,
}

/// A platform API token (its secret form is a JWT naming `id`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiToken {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub organization: Option<String>,
    pub group: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// An organization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Org {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub uuid: String,
    pub overages: bool,
    pub require_mfa: bool,
    pub blocked_reads: bool,
    pub blocked_writes: bool,
    pub plan_id: String,
    pub members: Vec<Member>,
    pub invites: Vec<Invite>,
    pub next_invite_id: i64,
    pub groups: Vec<Group>,
    pub databases: Vec<Database>,
    /// Oldest first; rendered newest first.
    pub audit: Vec<AuditEntry>,
}

/// The whole emulated world.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct State {
    /// Root secret for every token signature.
    pub secret: String,
    pub seq: u64,
    pub users: Vec<User>,
    pub orgs: Vec<Org>,
    pub api_tokens: Vec<ApiToken>,
    /// The default user's ready-made token (kept so a restart prints the same one).
    pub default_token: String,
    /// Uploaded files by database id; persisted as separate files, not in the JSON.
    #[serde(skip)]
    pub uploads: HashMap<String, Vec<u8>>,
}

/// RFC 3339 with seconds, as the service prints timestamps.
pub(crate) fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A fresh random UUID string.
pub(crate) fn new_uuid() -> String {
    Uuid::new_v4().to_string()
}

fn new_org(slug: &str, name: &str, kind: &str, owner: &str, plan: &str) -> Org {
    Org {
        slug: slug.into(),
        name: name.into(),
        kind: kind.into(),
        uuid: new_uuid(),
        overages: false,
        require_mfa: false,
        blocked_reads: false,
        blocked_writes: false,
        plan_id: plan.into(),
        members: vec![Member {
            username: owner.into(),
            role: "owner".into(),
        }],
        invites: Vec::new(),
        next_invite_id: 1,
        groups: Vec::new(),
        databases: Vec::new(),
        audit: vec![AuditEntry {
            code: "org-create".into(),
            message: format!("organization {slug} created"),
            origin: "web".into(),
            author: owner.into(),
            created_at: Utc::now(),
            data: json!({"organization": slug}),
        }],
    }
}

impl State {
    /// The seeded world: alice (default user), bob and carol; personal orgs
    /// for each, and the team org `acme` owned by alice.
    pub(crate) fn seed(secret: String) -> State {
        let users = ["alice", "bob", "carol"]
            .iter()
            .map(|u| {
                let mut name = u.to_string();
                name[..1].make_ascii_uppercase();
                User {
                    username: u.to_string(),
                    name,
                    email: format!("{u}@example.com"),
                }
            })
            .collect::<Vec<_>>();
        let mut orgs: Vec<Org> = users
            .iter()
            .map(|u| new_org(&u.username, "personal", "personal", &u.username, "starter"))
            .collect();
        orgs.push(new_org("acme", "Acme", "team", "alice", "scaler"));
        State {
            secret,
            seq: 0,
            users,
            orgs,
            api_tokens: Vec::new(),
            default_token: String::new(),
            uploads: HashMap::new(),
        }
    }

    /// Next value of the global creation counter.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn org(&self, slug: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.slug == slug)
    }

    pub(crate) fn org_mut(&mut self, slug: &str) -> Option<&mut Org> {
        self.orgs.iter_mut().find(|o| o.slug == slug)
    }

    pub(crate) fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// Find the database whose hostname (or one of its instances' hostnames) is `host`.
    pub(crate) fn db_by_host(&self, host: &str, domain: &str) -> Option<(&Org, &Database)> {
        self.orgs.iter().find_map(|org| {
            org.databases.iter().find_map(|db| {
                let base = hostname(&db.name, &org.slug, domain);
                let matches = base == host
                    || db
                        .instances
                        .keys()
                        .any(|loc| format!("{loc}-{base}") == host);
                matches.then_some((org, db))
            })
        })
    }
}

impl Org {
    pub(crate) fn role_of(&self, username: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.username == username)
            .map(|m| m.role.as_str())
    }

    pub(crate) fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub(crate) fn group_mut(&mut self, name: &str) -> Option<&mut Group> {
        self.groups.iter_mut().find(|g| g.name == name)
    }

    pub(crate) fn db(&self, name: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.name == name)
    }

    pub(crate) fn db_mut(&mut self, name: &str) -> Option<&mut Database> {
        self.databases.iter_mut().find(|d| d.name == name)
    }

    pub(crate) fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "slug": self.slug,
            "type": self.kind,
            "overages": self.overages,
            "require_mfa": self.require_mfa,
            "blocked_reads": self.blocked_reads,
            "blocked_writes": self.blocked_writes,
            "plan_id": self.plan_id,
            "plan_timeline": "monthly",
        })
    }
}

impl Group {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "version": self.version,
            "uuid": self.uuid,
            "locations": self.locations,
            "primary": self.primary,
            "delete_protection": self.delete_protection,
            "archived": self.archived,
        })
    }
}

/// `{db}-{org}.{domain}`.
pub(crate) fn hostname(db: &str, org: &str, domain: &str) -> String {
    format!("{db}-{org}.{domain}")
}

impl Database {
    pub(crate) fn to_json(&self, org: &Org, domain: &str) -> Value {
        let group = org.group(&self.group);
        json!({
            "Name": self.name,
            "DbId": self.id,
            "Hostname": hostname(&self.name, &org.slug, domain),
            "block_reads": self.block_reads,
            "block_writes": self.block_writes,
            "regions": group.map(|g| g.locations.clone()).unwrap_or_default(),
            "primaryRegion": group.map(|g| g.primary.clone()).unwrap_or_default(),
            "group": self.group,
            "delete_protection": self.delete_protection,
            "parent": self.parent.as_ref().map(|p| json!({
                "id": p.id,
                "name": p.name,
                "branched_at": p.branched_at.to_rfc3339_opts(SecondsFormat::Nanos, true),
            })),
        })
    }

    pub(crate) fn config_json(&self) -> Value {
        json!({
            "size_limit": self.size_limit.clone().unwrap_or_default(),
            "allow_attach": self.allow_attach,
            "block_reads": self.block_reads,
            "block_writes": self.block_writes,
            "delete_protection": self.delete_protection,
            "allowed_ips": self.allowed_ips,
            "allowed_aws_vpc_ids": self.allowed_aws_vpc_ids,
        })
    }

    /// Instances in group order: the group's primary location first, then replicas.
    pub(crate) fn instances_json(&self, org: &Org, domain: &str) -> Vec<Value> {
        let Some(group) = org.group(&self.group) else {
            return Vec::new();
        };
        let host = hostname(&self.name, &org.slug, domain);
        let mut locations = vec![group.primary.clone()];
        locations.extend(
            group
                .locations
                .iter()
                .filter(|l| **l != group.primary)
                .cloned(),
        );
        locations
            .into_iter()
            .map(|loc| {
                json!({
                    "uuid": self.instances.get(&loc).cloned().unwrap_or_default(),
                    "name": loc,
                    "type": if loc == group.primary { "primary" } else { "replica" },
                    "region": loc,
                    "hostname": format!("{loc}-{host}"),
                })
            })
            .collect()
    }

    /// Bytes of storage per instance: the uploaded file, or one empty page.
    pub(crate) fn storage_bytes(&self) -> u64 {
        self.upload.as_ref().map_or(4096, |u| u.size)
    }

    /// `DatabaseUsageOutput` derived from the state.
    pub(crate) fn usage_json(&self, org: &Org) -> Value {
        let per = self.storage_bytes();
        let instances: Vec<Value> = org
            .group(&self.group)
            .map(|g| g.locations.clone())
            .unwrap_or_default()
            .iter()
            .map(|loc| {
                json!({
                    "uuid": self.instances.get(loc).cloned().unwrap_or_default(),
                    "usage": {"rows_read": 0, "rows_written": 0, "storage_bytes": per, "bytes_synced": 0},
                })
            })
            .collect();
        let total = per * instances.len() as u64;
        json!({
            "uuid": self.id,
            "instances": instances,
            "total": {"rows_read": 0, "rows_written": 0, "storage_bytes": total, "bytes_synced": 0},
        })
    }
}
