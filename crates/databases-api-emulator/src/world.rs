//! The emulator's world (its databases and API tokens) and how it is kept
//! in the core's store: one row per database (kind `database`, keyed by id)
//! and per token (kind `token`, keyed by name).

use std::collections::BTreeMap;

use emulator_core::store::{Store, Write};
use serde::{Deserialize, Serialize};

use crate::model::{Database, Status};

/// The read-write token's name.
pub(crate) const DEFAULT_TOKEN: &str = "default";
/// The read-only token's name.
pub(crate) const READ_ONLY_TOKEN: &str = "read-only";
/// The scope of reading operations.
pub(crate) const READ: &str = "databases:read";
/// The scope of creating and deleting.
pub(crate) const WRITE: &str = "databases:write";

/// An API token: its secret and its scopes.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Token {
    pub secret: String,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is a credential.
        f.debug_struct("Token")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// Every database and token.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub databases: BTreeMap<String, Database>,
    pub tokens: BTreeMap<String, Token>,
    pub next_seq: u64,
}

impl World {
    /// The world kept in `store`, with its two tokens (made on first use);
    /// the writes that store new tokens come back with it.
    pub(crate) fn load(store: &Store) -> Result<(World, Vec<Write>), String> {
        let mut world = World::default();
        for (id, text) in store.load("database").map_err(|e| e.to_string())? {
            let db: Database =
                serde_json::from_str(&text).map_err(|e| format!("database {id}: {e}"))?;
            world.next_seq = world.next_seq.max(db.seq + 1);
            world.databases.insert(id, db);
        }
        for (name, text) in store.load("token").map_err(|e| e.to_string())? {
            let token: Token =
                serde_json::from_str(&text).map_err(|e| format!("token {name}: {e}"))?;
            world.tokens.insert(name, token);
        }
        let mut writes = Vec::new();
        for (name, scopes) in [
            (DEFAULT_TOKEN, vec![READ, WRITE]),
            (READ_ONLY_TOKEN, vec![READ]),
        ] {
            if !world.tokens.contains_key(name) {
                let token = Token {
                    secret: format!("dbapi_{}", uuid::Uuid::new_v4().simple()),
                    scopes: scopes.into_iter().map(String::from).collect(),
                };
                writes.push(token_write(name, &token));
                world.tokens.insert(name.to_string(), token);
            }
        }
        Ok((world, writes))
    }

    /// The scopes of the token `secret`, if it is one.
    pub(crate) fn scopes(&self, secret: &str) -> Option<&[String]> {
        self.tokens
            .values()
            .find(|t| t.secret == secret)
            .map(|t| t.scopes.as_slice())
    }

    /// The token named `name`'s secret.
    pub(crate) fn token(&self, name: &str) -> String {
        self.tokens
            .get(name)
            .map(|t| t.secret.clone())
            .unwrap_or_default()
    }

    /// The databases not destroyed, oldest first.
    pub(crate) fn live(&self) -> Vec<&Database> {
        let mut dbs: Vec<&Database> = self
            .databases
            .values()
            .filter(|d| d.status != Status::Destroyed)
            .collect();
        dbs.sort_by_key(|d| (d.created_at, d.seq));
        dbs
    }
}

/// The write that stores `db`.
pub(crate) fn database_write(db: &Database) -> Write {
    // A record of plain strings and numbers always serialises.
    Write::Put(
        "database",
        db.id.clone(),
        serde_json::to_string(db).unwrap_or_default(),
    )
}

fn token_write(name: &str, token: &Token) -> Write {
    Write::Put(
        "token",
        name.to_string(),
        serde_json::to_string(token).unwrap_or_default(),
    )
}
