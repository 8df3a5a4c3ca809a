//! Tenant SQL stays inside its database, with SQLite's own mechanisms: an
//! authorizer (ATTACH, pragmas, `load_extension`, writes of read-only
//! tokens), limits, db-config flags (defensive mode, read-only attachments,
//! no untrusted schema) and a progress handler that stops a statement at its
//! time limit, when its client goes away, when its database is deleted or
//! when the emulator stops. Nothing here parses SQL to decide what is
//! allowed: SQLite reports every action to [`Guard`] while it compiles.
//!
//! ATTACH works only in the service's form, `ATTACH "<database id>" AS x`,
//! for a database that allows it and that the token names; SQLite gives the
//! authorizer the literal file name, the guard refuses the statement and
//! records the request, and the session attaches the database's real file
//! itself (`ATTACH ?1 AS ?2`), read-only (`SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE`
//! off). An ATTACH that SQLite runs on its own while a statement executes is
//! `VACUUM` (plain or `INTO` a file): refused.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::{Connection, InterruptHandle};

use super::limits::DataPlaneLimits;
use emulator_core::http::lock;

/// Databases one connection may have attached at once.
pub(crate) const MAX_ATTACHED: i32 = 4;
/// The largest string or blob a statement may make (`SQLITE_LIMIT_LENGTH`):
/// `zeroblob(1e9)` and `randomblob(1e9)` fail with `SQLITE_TOOBIG`.
pub(crate) const MAX_VALUE_LENGTH: i32 = 16 << 20;
/// How many virtual-machine steps between two checks of the stop conditions.
const PROGRESS_STEPS: i32 = 1000;

/// SQLite's `SQLITE_ATTACH` action code (reported without a file name when
/// the name is not a literal string).
const SQLITE_ATTACH: i32 = 24;

/// Pragmas refused for every token, even to read: their state is the
/// process's, not the connection's.
pub(crate) const PROCESS_PRAGMAS: [&str; 5] = [
    "hard_heap_limit",
    "soft_heap_limit",
    "temp_store_directory",
    "data_store_directory",
    "lock_proxy_file",
];

/// Pragmas whose value no token may set: they change the file's format or
/// durability, the schema's safety, the emulator's own bounds (memory, lock
/// waits, threads), or the WAL's upkeep. Reading them is allowed.
pub(crate) const FIXED_PRAGMAS: [&str; 19] = [
    "writable_schema",
    "journal_mode",
    "synchronous",
    "fullfsync",
    "checkpoint_fullfsync",
    "mmap_size",
    "wal_autocheckpoint",
    "journal_size_limit",
    "locking_mode",
    "cache_size",
    "cache_spill",
    "temp_store",
    "threads",
    "busy_timeout",
    "page_size",
    "auto_vacuum",
    "encoding",
    "schema_version",
    "trusted_schema",
];

/// Pragmas that take an argument only to say what to read.
const READING_PRAGMAS: [&str; 10] = [
    "table_info",
    "table_xinfo",
    "table_list",
    "index_info",
    "index_xinfo",
    "index_list",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
];

/// Pragmas that change something without an argument (refused to read-only tokens).
const ACTION_PRAGMAS: [&str; 4] = [
    "optimize",
    "shrink_memory",
    "wal_checkpoint",
    "incremental_vacuum",
];

/// Why statements stop early, and what each connection may do: shared by
/// the connection's authorizer and progress handler and by whoever must
/// stop it (the request, the database's deletion, the emulator's shutdown).
pub(crate) struct Guard {
    /// The emulator is stopping: every statement stops.
    stopping: Arc<AtomicBool>,
    /// This stream was cancelled (its client went away, its database was deleted).
    cancelled: AtomicBool,
    interrupt: OnceLock<InterruptHandle>,
    state: Mutex<GuardState>,
}

#[derive(Default)]
struct GuardState {
    read_only: bool,
    /// Databases this request may attach: id -> file.
    attachable: HashMap<String, PathBuf>,
    deadline: Option<Instant>,
    limit: Duration,
    /// SQLite is compiling a statement the tenant sent.
    preparing: bool,
    /// The session is running its own `ATTACH ?1 AS ?2`.
    attaching: bool,
    /// Why the current statement was refused.
    refused: Option<String>,
    /// A permitted `ATTACH "<id>"` the session should carry out.
    attach_request: Option<PathBuf>,
    /// The statement inserts into a table (so it has a last insert rowid).
    inserts: bool,
    /// `read_only` or `attachable` changed since the connection's cached
    /// statements were compiled: the authorizer must see them again.
    policy_changed: bool,
}

impl Guard {
    /// A guard that stops when `stopping` flips.
    pub(crate) fn new(stopping: Arc<AtomicBool>) -> Arc<Guard> {
        Arc::new(Guard {
            stopping,
            cancelled: AtomicBool::new(false),
            interrupt: OnceLock::new(),
            state: Mutex::default(),
        })
    }

    /// Stop whatever runs on the connection, now and from now on.
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        if let Some(handle) = self.interrupt.get() {
            handle.interrupt();
        }
    }

    /// Whether the stream was cancelled or the emulator is stopping.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst) || self.stopping.load(Ordering::SeqCst)
    }

    /// Set what the next request may do.
    pub(crate) fn set_request(
        &self,
        read_only: bool,
        attachable: HashMap<String, PathBuf>,
        limit: Duration,
    ) {
        let mut s = lock(&self.state);
        if s.read_only != read_only || s.attachable != attachable {
            s.policy_changed = true;
        }
        s.read_only = read_only;
        s.attachable = attachable;
        s.limit = limit;
    }

    /// Whether what requests may do changed since this was last asked: the
    /// connection's cached statements were authorized under the old policy.
    pub(crate) fn take_policy_change(&self) -> bool {
        std::mem::take(&mut lock(&self.state).policy_changed)
    }

    /// A statement starts: its clock and its findings start afresh.
    pub(crate) fn begin_statement(&self) {
        let mut s = lock(&self.state);
        s.deadline = Instant::now().checked_add(s.limit);
        s.refused = None;
        s.attach_request = None;
        s.inserts = false;
    }

    /// Compile tenant SQL under the guard's eye.
    pub(crate) fn preparing<T>(&self, f: impl FnOnce() -> T) -> T {
        lock(&self.state).preparing = true;
        let out = f();
        lock(&self.state).preparing = false;
        out
    }

    /// Run the session's own ATTACH of a permitted database.
    pub(crate) fn attaching<T>(&self, f: impl FnOnce() -> T) -> T {
        lock(&self.state).attaching = true;
        let out = f();
        lock(&self.state).attaching = false;
        out
    }

    /// Why the current statement was refused, if the guard refused it.
    pub(crate) fn refusal(&self) -> Option<String> {
        lock(&self.state).refused.clone()
    }

    /// The file of a permitted `ATTACH "<id>"` the statement asked for.
    pub(crate) fn take_attach_request(&self) -> Option<PathBuf> {
        lock(&self.state).attach_request.take()
    }

    /// Whether the statement inserts rows (seen while it was compiled).
    pub(crate) fn inserts(&self) -> bool {
        lock(&self.state).inserts
    }

    /// Why the current statement was stopped, if it was.
    pub(crate) fn stop_reason(&self) -> Option<String> {
        if self.stopping.load(Ordering::SeqCst) {
            return Some("the emulator is stopping".into());
        }
        if self.cancelled.load(Ordering::SeqCst) {
            return Some(
                "the stream was closed (its client went away or its database was deleted)".into(),
            );
        }
        let s = lock(&self.state);
        match s.deadline {
            Some(d) if Instant::now() >= d => Some(format!(
                "the statement ran longer than its limit of {:?} and was interrupted",
                s.limit
            )),
            _ => None,
        }
    }

    fn should_stop(&self) -> bool {
        self.is_cancelled()
            || lock(&self.state)
                .deadline
                .is_some_and(|d| Instant::now() >= d)
    }

    fn authorize(&self, ctx: &AuthContext<'_>) -> Authorization {
        let mut s = lock(&self.state);
        match decide(&mut s, ctx) {
            Ok(()) => Authorization::Allow,
            Err(reason) => {
                s.refused.get_or_insert(reason);
                Authorization::Deny
            }
        }
    }
}

/// Confine a freshly opened connection: limits, db-config flags, the
/// authorizer and the progress handler, all tied to `guard`.
pub(crate) fn confine(
    conn: &Connection,
    guard: &Arc<Guard>,
    limits: &DataPlaneLimits,
) -> rusqlite::Result<()> {
    conn.busy_timeout(limits.busy_timeout)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_WRITE, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_ATTACH_CREATE, false)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, MAX_ATTACHED)?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_LENGTH)?;
    conn.set_limit(
        Limit::SQLITE_LIMIT_SQL_LENGTH,
        i32::try_from(limits.max_request_size).unwrap_or(i32::MAX),
    )?;
    let _ = guard.interrupt.set(conn.get_interrupt_handle());
    let g = guard.clone();
    conn.authorizer(Some(move |ctx: AuthContext<'_>| g.authorize(&ctx)));
    let g = guard.clone();
    conn.progress_handler(PROGRESS_STEPS, Some(move || g.should_stop()));
    Ok(())
}

fn is(name: &str, list: &[&str]) -> bool {
    list.iter().any(|p| p.eq_ignore_ascii_case(name))
}

/// The guard's decision on one action SQLite reports.
fn decide(s: &mut GuardState, ctx: &AuthContext<'_>) -> Result<(), String> {
    use AuthAction as A;
    let read_only = s.read_only;
    let write = || {
        if read_only {
            Err("the token is read-only: this statement would change the database or the connection".to_string())
        } else {
            Ok(())
        }
    };
    match ctx.action {
        A::Attach { filename } => attach(s, Some(filename)),
        A::Unknown {
            code: SQLITE_ATTACH,
            ..
        } => attach(s, None),
        A::Function { function_name } if function_name.eq_ignore_ascii_case("load_extension") => {
            Err("load_extension is not available".into())
        }
        A::Pragma {
            pragma_name,
            pragma_value,
        } => pragma(read_only, pragma_name, pragma_value),
        A::Insert { table_name } => {
            if ctx.accessor.is_none() && !table_name.starts_with("sqlite_") {
                s.inserts = true;
            }
            write()
        }
        A::Update { .. }
        | A::Delete { .. }
        | A::CreateIndex { .. }
        | A::CreateTable { .. }
        | A::CreateTempIndex { .. }
        | A::CreateTempTable { .. }
        | A::CreateTempTrigger { .. }
        | A::CreateTempView { .. }
        | A::CreateTrigger { .. }
        | A::CreateView { .. }
        | A::DropIndex { .. }
        | A::DropTable { .. }
        | A::DropTempIndex { .. }
        | A::DropTempTable { .. }
        | A::DropTempTrigger { .. }
        | A::DropTempView { .. }
        | A::DropTrigger { .. }
        | A::DropView { .. }
        | A::AlterTable { .. }
        | A::Reindex { .. }
        | A::Analyze { .. }
        | A::CreateVtable { .. }
        | A::DropVtable { .. } => write(),
        _ => Ok(()),
    }
}

fn attach(s: &mut GuardState, filename: Option<&str>) -> Result<(), String> {
    if s.attaching {
        return Ok(());
    }
    if !s.preparing {
        // SQLite attaches on its own only to run VACUUM.
        return Err("VACUUM is not available on the emulator's databases".into());
    }
    let target = filename.unwrap_or_default();
    match s.attachable.get(target) {
        Some(path) => {
            // Refused as written; the session attaches the real file.
            s.attach_request = Some(path.clone());
            Err(String::new())
        }
        None => Err(format!(
            "ATTACH is allowed only as ATTACH \"<database id>\" AS name, for a database of the \
             same organization that allows attach and that the token's read_attach permission \
             names; {target:?} is not one"
        )),
    }
}

fn pragma(read_only: bool, name: &str, value: Option<&str>) -> Result<(), String> {
    if is(name, &PROCESS_PRAGMAS) {
        return Err(format!(
            "PRAGMA {name} is not available: it would act on the whole server"
        ));
    }
    if value.is_some() && is(name, &FIXED_PRAGMAS) {
        return Err(format!(
            "PRAGMA {name} cannot be changed: the server keeps it fixed"
        ));
    }
    let changes = match value {
        Some(_) => !is(name, &READING_PRAGMAS),
        None => is(name, &ACTION_PRAGMAS),
    };
    if read_only && changes {
        return Err(format!(
            "the token is read-only: PRAGMA {name} would change the database or the connection"
        ));
    }
    Ok(())
}

/// The schema name of an `ATTACH ... AS name` statement the guard already
/// identified as a permitted attach: the last word of the statement
/// (bare, or quoted with `"`, `'`, `` ` `` or `[]`). `None` when it is
/// anything else (an expression, a `KEY` clause).
pub(crate) fn attach_alias(sql: &str) -> Option<String> {
    let s = sql.trim_end().trim_end_matches(';').trim_end();
    let quoted = |open: char, close: char| -> Option<String> {
        let body = s.strip_suffix(close)?;
        let start = body.rfind(open)?;
        let name = &body[start + 1..];
        (!name.is_empty() && before_is_as(&body[..start])).then(|| name.to_string())
    };
    match s.chars().last()? {
        '"' => quoted('"', '"'),
        '\'' => quoted('\'', '\''),
        '`' => quoted('`', '`'),
        ']' => quoted('[', ']'),
        _ => {
            let start = s
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .map_or(0, |i| i + 1);
            let name = &s[start..];
            (!name.is_empty() && before_is_as(&s[..start])).then(|| name.to_string())
        }
    }
}

fn before_is_as(head: &str) -> bool {
    let head = head.trim_end();
    head.len() >= 3
        && head[head.len() - 2..].eq_ignore_ascii_case("as")
        && head[..head.len() - 2].ends_with(|c: char| c.is_whitespace() || c == '"' || c == '\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_alias() {
        assert_eq!(attach_alias("ATTACH \"a-b\" AS x").as_deref(), Some("x"));
        assert_eq!(
            attach_alias("attach 'a' as \"My db\";").as_deref(),
            Some("My db")
        );
        assert_eq!(attach_alias("ATTACH 'a' AS [y] ").as_deref(), Some("y"));
        assert_eq!(attach_alias("ATTACH 'a' AS 'z'").as_deref(), Some("z"));
        assert_eq!(attach_alias("ATTACH 'a' AS x KEY 'k'"), None);
        assert_eq!(attach_alias("ATTACH 'a' AS x || y"), None);
    }

    #[test]
    fn pragmas() {
        assert!(pragma(false, "hard_heap_limit", None).is_err());
        assert!(pragma(false, "journal_mode", Some("off")).is_err());
        assert!(pragma(false, "journal_mode", None).is_ok());
        assert!(pragma(true, "table_info", Some("t")).is_ok());
        assert!(pragma(true, "foreign_keys", Some("on")).is_err());
        assert!(pragma(false, "foreign_keys", Some("on")).is_ok());
        assert!(pragma(true, "optimize", None).is_err());
        assert!(pragma(true, "user_version", None).is_ok());
    }
}
