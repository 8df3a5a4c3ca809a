//! The Turso world as rows of the generic [`Store`]: one `meta` row (root
//! secret, counters, users, organization order), one row per organization
//! (without its databases and audit log), per database, per API token and
//! per audit entry.
//!
//! A commit writes only what the request marked dirty (see `state::Dirty`),
//! in one transaction, so its cost does not depend on how many databases
//! exist, and a failed commit leaves the stored world as it was.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::state::{AUDIT_CAP, ApiToken, AuditEntry, Database, Org, State, User};
use emulator_core::store::{Store, StoreError, Write};

const META: &str = "meta";
const ORG: &str = "org";
const DB: &str = "db";
const TOKEN: &str = "token";
const AUDIT: &str = "audit";
/// The key of the single meta row.
const WORLD: &str = "world";

#[derive(Serialize, Deserialize)]
struct Meta {
    secret: String,
    seq: u64,
    users: Vec<User>,
    default_token: String,
    /// Organization slugs in listing order.
    orgs: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct DbRow {
    org: String,
    db: Database,
}

fn audit_key(slug: &str, seq: u64) -> String {
    format!("{slug}/{seq:020}")
}

fn to_json<T: Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| format!("cannot serialize the state: {e}"))
}

fn from_json<T: for<'de> Deserialize<'de>>(kind: &str, key: &str, text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("stored {kind} row {key} is unreadable: {e}"))
}

fn store_err(e: StoreError) -> String {
    e.to_string()
}

/// Load the stored world, or `None` when the store is new.
pub(crate) fn load(store: &Store) -> Result<Option<State>, String> {
    let Some(meta) = store.get(META, WORLD).map_err(store_err)? else {
        return Ok(None);
    };
    let meta: Meta = from_json(META, WORLD, &meta)?;
    let mut by_slug: HashMap<String, Org> = HashMap::new();
    for (slug, text) in store.load(ORG).map_err(store_err)? {
        let mut org: Org = from_json(ORG, &slug, &text)?;
        org.audit_saved = org.audit_next;
        by_slug.insert(slug, org);
    }
    let mut dbs: HashMap<String, Vec<Database>> = HashMap::new();
    for (id, text) in store.load(DB).map_err(store_err)? {
        let row: DbRow = from_json(DB, &id, &text)?;
        dbs.entry(row.org).or_default().push(row.db);
    }
    for (key, text) in store.load(AUDIT).map_err(store_err)? {
        let entry: AuditEntry = from_json(AUDIT, &key, &text)?;
        let slug = key.rsplit_once('/').map_or("", |(s, _)| s);
        if let Some(org) = by_slug.get_mut(slug) {
            // Keys sort by sequence within an organization.
            org.audit.push_back(entry);
            if org.audit.len() > AUDIT_CAP {
                org.audit.pop_front();
            }
        }
    }
    let mut orgs = Vec::new();
    for slug in &meta.orgs {
        let mut org = by_slug
            .remove(slug)
            .ok_or_else(|| format!("stored organization {slug} is missing"))?;
        let mut list = dbs.remove(slug).unwrap_or_default();
        list.sort_by_key(|d| d.seq);
        org.set_loaded_dbs(list);
        orgs.push(org);
    }
    let mut tokens = Vec::new();
    for (id, text) in store.load(TOKEN).map_err(store_err)? {
        tokens.push(from_json::<ApiToken>(TOKEN, &id, &text)?);
    }
    tokens.sort_by_key(|t| t.created_at);
    Ok(Some(State::from_parts(
        meta.secret,
        meta.seq,
        meta.users,
        orgs,
        tokens,
        meta.default_token,
    )))
}

/// The writes that store what changed since the last commit.
fn writes(state: &State) -> Result<Vec<Write>, String> {
    let meta = Meta {
        secret: state.secret.clone(),
        seq: state.seq,
        users: state.users.clone(),
        default_token: state.default_token.clone(),
        orgs: state.orgs.iter().map(|o| o.slug.clone()).collect(),
    };
    let mut out = vec![Write::Put(META, WORLD.into(), to_json(&meta)?)];
    for slug in &state.dirty.orgs {
        match state.org(slug) {
            Some(org) => out.push(Write::Put(ORG, slug.clone(), to_json(org)?)),
            // Deleted (`deleteOrganization`, which requires it to hold no databases).
            None => {
                out.push(Write::Delete(ORG, slug.clone()));
                out.push(Write::DeleteRange(
                    AUDIT,
                    audit_key(slug, 0),
                    audit_key(slug, u64::MAX),
                ));
            }
        }
    }
    // A database moved between organizations is dirty in both; it is stored
    // under the one that has it now.
    let dirty: BTreeSet<&String> = state.orgs.iter().flat_map(|o| o.dirty_dbs.keys()).collect();
    let mut present = BTreeSet::new();
    for org in &state.orgs {
        let touched = org.dirty_dbs.iter();
        for db in touched.filter_map(|(id, name)| org.db(name).filter(|d| d.id == *id)) {
            let row = DbRow {
                org: org.slug.clone(),
                db: db.clone(),
            };
            out.push(Write::Put(DB, db.id.clone(), to_json(&row)?));
            present.insert(&db.id);
        }
    }
    for id in dirty.difference(&present) {
        out.push(Write::Delete(DB, (*id).clone()));
    }
    for id in &state.dirty.tokens {
        match state.api_token(id) {
            Some(t) => out.push(Write::Put(TOKEN, id.clone(), to_json(t)?)),
            None => out.push(Write::Delete(TOKEN, id.clone())),
        }
    }
    for org in &state.orgs {
        // The unsaved entries are the newest: walk back to them, not through all.
        let unsaved = org
            .audit
            .iter()
            .rev()
            .take_while(|e| e.seq >= org.audit_saved);
        for entry in unsaved.collect::<Vec<_>>().into_iter().rev() {
            out.push(Write::Put(
                AUDIT,
                audit_key(&org.slug, entry.seq),
                to_json(entry)?,
            ));
        }
        let keep_from = org.audit_next.saturating_sub(AUDIT_CAP as u64);
        if org.audit_saved < org.audit_next && keep_from > 0 {
            out.push(Write::DeleteRange(
                AUDIT,
                audit_key(&org.slug, 0),
                audit_key(&org.slug, keep_from),
            ));
        }
    }
    Ok(out)
}

/// Store what changed, in one transaction, and mark it clean.
pub(crate) fn commit(state: &mut State, store: &mut Store) -> Result<(), String> {
    let writes = writes(state)?;
    store.commit(&writes).map_err(store_err)?;
    state.dirty.orgs.clear();
    state.dirty.tokens.clear();
    for org in &mut state.orgs {
        org.dirty_dbs.clear();
        org.audit_saved = org.audit_next;
    }
    Ok(())
}
