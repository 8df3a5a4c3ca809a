//! The emulator's whole world: users, organizations, groups, databases,
//! tokens and audit logs, plus how each renders as the API's JSON.
//!
//! Everything lives in one [`State`] behind one lock, so every request sees
//! and changes a consistent snapshot (check-and-insert is atomic). Changes
//! are tracked as they are made ([`Dirty`]), so a commit writes only the rows
//! a request touched (see `persist`): the fields that hold many entities
//! (databases, API tokens, audit entries) are private and changed through
//! methods that record what they touch.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

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
    /// Position in the organization's log (1, 2, ...): the storage key.
    #[serde(default)]
    pub seq: u64,
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

/// What `/v1/upload` received (the bytes became the database's file).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UploadMeta {
    pub size: u64,
    /// Whether an encryption key came with the file (the key itself, a
    /// secret, is never kept).
    pub encrypted: bool,
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
    /// Created with `use_tursodb`: the Turso engine (`type: turso`), whose
    /// tokens take no `permissions`.
    #[serde(default)]
    pub use_tursodb: bool,
    /// The server version, set by `updateDatabaseVersion`; the group's
    /// version until then.
    #[serde(default)]
    pub version: Option<String>,
}

/// A chunked upload in progress on a database's host (`/v2/upload/...`),
/// kept in memory only: after a restart the client starts it again.
#[derive(Clone)]
pub(crate) struct PendingUpload {
    /// The size announced by `start`.
    pub size: u64,
    /// The size of every chunk but the last.
    pub chunk_size: u64,
    /// The chunks received, by index (shared, so cloning the state is cheap).
    pub chunks: BTreeMap<u64, std::sync::Arc<Vec<u8>>>,
    /// Whether an encryption key came with the chunks (the key itself, a
    /// secret, is never kept), and the cipher named.
    pub encrypted: bool,
    pub encryption_cipher: Option<String>,
}

impl PendingUpload {
    /// How many chunks the announced size makes.
    pub(crate) fn chunk_count(&self) -> u64 {
        self.size.div_ceil(self.chunk_size.max(1))
    }

    /// The length chunk `n` must have.
    pub(crate) fn chunk_len(&self, n: u64) -> u64 {
        let start = n.saturating_mul(self.chunk_size);
        self.size.saturating_sub(start).min(self.chunk_size)
    }
}

impl std::fmt::Debug for PendingUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bytes are a user's data: only their count is shown.
        f.debug_struct("PendingUpload")
            .field("size", &self.size)
            .field("chunk_size", &self.chunk_size)
            .field("chunks", &self.chunks.len())
            .finish()
    }
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

/// How many audit entries an organization keeps (oldest dropped first), so
/// memory and storage do not grow without end.
pub(crate) const AUDIT_CAP: usize = 1000;

/// An organization. Serialized without its databases and audit entries,
/// which are stored as rows of their own.
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
    /// In creation order. Private: changed only through methods that mark
    /// what they change in `dirty_dbs` and keep `db_index` in step.
    #[serde(skip)]
    databases: Vec<Database>,
    /// Name → position in `databases`, so that finding a database (every
    /// create checks the name is free) does not scan them all.
    #[serde(skip)]
    db_index: HashMap<String, usize>,
    /// Databases added, changed or removed since the last commit: id → name
    /// (by id, because a database moved between organizations is dirty in
    /// both; with its name, so a commit finds it without a scan).
    #[serde(skip)]
    pub(crate) dirty_dbs: BTreeMap<String, String>,
    /// Oldest first, at most [`AUDIT_CAP`]; rendered newest first.
    #[serde(skip)]
    pub(crate) audit: VecDeque<AuditEntry>,
    /// The `seq` of the next audit entry.
    #[serde(default = "one")]
    pub audit_next: u64,
    /// Audit entries with a `seq` below this are stored.
    #[serde(skip, default = "one")]
    pub(crate) audit_saved: u64,
}

fn one() -> u64 {
    1
}

/// What changed since the last commit, beyond organizations' databases and audit entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dirty {
    /// Organizations whose own fields (groups, members, invites, ...) may have changed.
    pub orgs: BTreeSet<String>,
    /// API token ids added or removed.
    pub tokens: BTreeSet<String>,
    /// Database files to create, copy or remove with the commit.
    pub files: Vec<FileOp>,
}

/// A change to a database's SQLite file that goes with a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileOp {
    /// Create an empty database file (before the commit).
    Create(String),
    /// Copy database `from`'s content into a new file for `to` (before the commit).
    Copy { from: String, to: String },
    /// Remove a database's file (after the commit).
    Remove(String),
}

/// The whole emulated world.
#[derive(Clone)]
pub(crate) struct State {
    /// Root secret for every token signature.
    pub secret: String,
    pub seq: u64,
    pub users: Vec<User>,
    pub orgs: Vec<Org>,
    api_tokens: Vec<ApiToken>,
    /// The default user's ready-made token (kept so a restart prints the same one).
    pub default_token: String,
    /// What changed since the last commit.
    pub dirty: Dirty,
    /// Chunked uploads in progress, by database id (never stored).
    pub pending_uploads: BTreeMap<String, PendingUpload>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The root secret and the default token are credentials: never printed.
        f.debug_struct("State")
            .field("seq", &self.seq)
            .field("users", &self.users.len())
            .field("orgs", &self.orgs.len())
            .field("api_tokens", &self.api_tokens.len())
            .finish_non_exhaustive()
    }
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
        db_index: HashMap::new(),
        dirty_dbs: BTreeMap::new(),
        audit_next: 2,
        audit_saved: 1,
        audit: VecDeque::from([AuditEntry {
            seq: 1,
            code: "org-create".into(),
            message: format!("organization {slug} created"),
            origin: "web".into(),
            author: owner.into(),
            created_at: Utc::now(),
            data: json!({"organization": slug}),
        }]),
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
        let dirty = Dirty {
            orgs: orgs.iter().map(|o| o.slug.clone()).collect(),
            ..Dirty::default()
        };
        for org in &mut orgs {
            // The seed entries are new: stored with the first commit.
            org.audit_saved = 1;
        }
        State {
            secret,
            seq: 0,
            users,
            orgs,
            api_tokens: Vec::new(),
            default_token: String::new(),
            dirty,
            pending_uploads: BTreeMap::new(),
        }
    }

    /// A state from stored parts (nothing dirty).
    pub(crate) fn from_parts(
        secret: String,
        seq: u64,
        users: Vec<User>,
        orgs: Vec<Org>,
        api_tokens: Vec<ApiToken>,
        default_token: String,
    ) -> State {
        State {
            secret,
            seq,
            users,
            orgs,
            api_tokens,
            default_token,
            dirty: Dirty::default(),
            pending_uploads: BTreeMap::new(),
        }
    }

    /// Whether anything changed since the last commit.
    pub(crate) fn is_dirty(&self) -> bool {
        !self.dirty.orgs.is_empty()
            || !self.dirty.tokens.is_empty()
            || !self.dirty.files.is_empty()
            || self
                .orgs
                .iter()
                .any(|o| !o.dirty_dbs.is_empty() || o.audit_saved < o.audit_next)
    }

    /// Every API token.
    pub(crate) fn api_tokens(&self) -> &[ApiToken] {
        &self.api_tokens
    }

    /// The token with this id.
    pub(crate) fn api_token(&self, id: &str) -> Option<&ApiToken> {
        self.api_tokens.iter().find(|t| t.id == id)
    }

    /// Add an API token.
    pub(crate) fn add_api_token(&mut self, token: ApiToken) {
        self.dirty.tokens.insert(token.id.clone());
        self.api_tokens.push(token);
    }

    /// Remove the API tokens matching `remove`; returns how many went.
    pub(crate) fn remove_api_tokens(&mut self, remove: impl Fn(&ApiToken) -> bool) -> usize {
        let before = self.api_tokens.len();
        let dirty = &mut self.dirty.tokens;
        self.api_tokens.retain(|t| {
            let gone = remove(t);
            if gone {
                dirty.insert(t.id.clone());
            }
            !gone
        });
        before - self.api_tokens.len()
    }

    /// Next value of the global creation counter.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn org(&self, slug: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.slug == slug)
    }

    /// An organization to change (marked dirty).
    /// Removes an organization (its databases must be gone already).
    pub(crate) fn remove_org(&mut self, slug: &str) -> Option<Org> {
        let at = self.orgs.iter().position(|o| o.slug == slug)?;
        self.dirty.orgs.insert(slug.to_string());
        Some(self.orgs.remove(at))
    }

    pub(crate) fn org_mut(&mut self, slug: &str) -> Option<&mut Org> {
        let org = self.orgs.iter_mut().find(|o| o.slug == slug)?;
        self.dirty.orgs.insert(org.slug.clone());
        Some(org)
    }

    pub(crate) fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// Find the database whose hostname (`{db}-{org}.{domain}`, or an
    /// instance's `{location}-{db}-{org}.{domain}`) is `host`.
    pub(crate) fn db_by_host(&self, host: &str, domain: &str) -> Option<(&Org, &Database)> {
        let name = host.strip_suffix(domain)?.strip_suffix('.')?;
        self.orgs.iter().find_map(|org| {
            let rest = name.strip_suffix(&org.slug)?.strip_suffix('-')?;
            if let Some(db) = org.db(rest) {
                return Some((org, db));
            }
            // An instance hostname: the location code comes first.
            let (loc, db) = crate::state::LOCATIONS
                .iter()
                .find_map(|(code, _)| Some((*code, rest.strip_prefix(code)?.strip_prefix('-')?)))?;
            org.db(db)
                .filter(|d| d.instances.contains_key(loc))
                .map(|d| (org, d))
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
        self.db_index.get(name).map(|&at| &self.databases[at])
    }

    /// Every database, in creation order.
    pub(crate) fn databases(&self) -> &[Database] {
        &self.databases
    }

    /// A database to change (marked dirty).
    pub(crate) fn db_mut(&mut self, name: &str) -> Option<&mut Database> {
        let db = &mut self.databases[*self.db_index.get(name)?];
        self.dirty_dbs.insert(db.id.clone(), db.name.clone());
        Some(db)
    }

    /// Add databases, keeping creation order: a new database goes at the
    /// end (O(1)); one moved in from another organization may go between
    /// others, and then the positions after it are renumbered.
    pub(crate) fn add_dbs(&mut self, dbs: impl IntoIterator<Item = Database>) {
        for db in dbs {
            self.dirty_dbs.insert(db.id.clone(), db.name.clone());
            let at = self.databases.partition_point(|d| d.seq < db.seq);
            self.databases.insert(at, db);
            self.reindex_from(at);
        }
    }

    /// Renumber `db_index` for the databases from position `from` on.
    fn reindex_from(&mut self, from: usize) {
        for (at, db) in self.databases.iter().enumerate().skip(from) {
            self.db_index.insert(db.name.clone(), at);
        }
    }

    /// Remove and return the databases matching `remove`.
    pub(crate) fn remove_dbs(&mut self, remove: impl Fn(&Database) -> bool) -> Vec<Database> {
        let (gone, kept) = std::mem::take(&mut self.databases)
            .into_iter()
            .partition(|d| remove(d));
        self.databases = kept;
        for db in &gone {
            self.dirty_dbs.insert(db.id.clone(), db.name.clone());
            self.db_index.remove(&db.name);
        }
        if !gone.is_empty() {
            self.reindex_from(0);
        }
        gone
    }

    /// The databases of a group, to change (all marked dirty).
    pub(crate) fn group_dbs_mut(&mut self, group: &str) -> impl Iterator<Item = &mut Database> {
        let dirty = &mut self.dirty_dbs;
        self.databases
            .iter_mut()
            .filter(move |d| d.group == group)
            .inspect(move |d| {
                dirty.insert(d.id.clone(), d.name.clone());
            })
    }

    /// Set the stored databases (loading; nothing marked).
    pub(crate) fn set_loaded_dbs(&mut self, dbs: Vec<Database>) {
        self.databases = dbs;
        self.db_index.clear();
        self.reindex_from(0);
    }

    /// Append an audit entry, dropping the oldest beyond [`AUDIT_CAP`].
    pub(crate) fn push_audit(&mut self, mut entry: AuditEntry) {
        entry.seq = self.audit_next;
        self.audit_next += 1;
        self.audit.push_back(entry);
        while self.audit.len() > AUDIT_CAP {
            self.audit.pop_front();
        }
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
            "type": if self.use_tursodb { "turso" } else { "logical" },
            "version": self.version.clone().or_else(|| group.map(|g| g.version.clone())).unwrap_or_default(),
            // The emulator never scales a database to zero.
            "sleeping": false,
            "archived": group.is_some_and(|g| g.archived),
            "allow_attach": self.allow_attach,
            "is_schema": false,
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

    /// `DatabaseUsageOutput`: queries are served by the primary instance, so
    /// its rows read and written are the database's; every instance stores
    /// a copy of the file (`storage_bytes` each).
    pub(crate) fn usage_json(&self, org: &Org, usage: &crate::usage::DbUsage) -> Value {
        let group = org.group(&self.group);
        let primary = group.map(|g| g.primary.as_str()).unwrap_or_default();
        let locations = group.map(|g| g.locations.clone()).unwrap_or_default();
        let per = usage.storage_bytes;
        let instances: Vec<Value> = locations
            .iter()
            .map(|loc| {
                let (read, written) = if loc == primary {
                    (usage.rows_read, usage.rows_written)
                } else {
                    (0, 0)
                };
                json!({
                    "uuid": self.instances.get(loc).cloned().unwrap_or_default(),
                    "usage": {"rows_read": read, "rows_written": written, "storage_bytes": per, "bytes_synced": 0},
                })
            })
            .collect();
        let total = per * instances.len() as u64;
        json!({
            "uuid": self.id,
            "instances": instances,
            "total": {"rows_read": usage.rows_read, "rows_written": usage.rows_written, "storage_bytes": total, "bytes_synced": 0},
        })
    }
}
