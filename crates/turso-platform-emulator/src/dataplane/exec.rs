//! Running Hrana statements on an SQLite connection: binding arguments,
//! collecting rows, batches with conditions, sequences, describe, and the
//! access policy (read-only tokens, `block_reads`, `block_writes`), counting
//! rows read and written as it goes. What SQLite refuses on the
//! [`Guard`]'s word (see [`super::confine`]) is reported with the guard's
//! reason; answers larger than the [`Budget`] fail with `RESPONSE_TOO_LARGE`,
//! as on libSQL's server.

use std::cell::Cell;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use rusqlite::fallible_iterator::FallibleIterator as _;
use rusqlite::{Connection, Error as SqlError, StatementStatus};

use super::answers::{BatchResult, Col, DescribeParam, DescribeResult, StmtOutput};
use super::confine::{Guard, attach_alias};
use super::hrana::{Batch, HValue, HranaError, Stmt};
use crate::usage::UsageBook;

/// What the caller may do, checked before every statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    pub read_only: bool,
    pub block_reads: bool,
    pub block_writes: bool,
}

/// A connection plus what statement execution needs around it.
pub(crate) struct Session<'a> {
    pub conn: &'a Connection,
    pub sqls: &'a HashMap<i32, String>,
    pub policy: Policy,
    pub usage: &'a UsageBook,
    pub db_id: &'a str,
    pub guard: &'a Guard,
    pub budget: &'a Budget,
}

/// How many bytes of values the answers to one request may carry.
pub(crate) struct Budget {
    /// One statement's rows (libSQL's `max_response_size`).
    pub per_statement: u64,
    /// What is left for the request (libSQL's `max_total_response_size`).
    pub left: Cell<u64>,
}

/// An empty result (an ATTACH's).
fn empty(started: Instant) -> StmtOutput {
    StmtOutput {
        cols: Vec::new(),
        rows: Vec::new(),
        affected_row_count: 0,
        last_insert_rowid: None,
        rows_read: 0,
        rows_written: 0,
        query_duration_ms: millis(started),
    }
}

fn millis(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// The bytes a value counts for in an answer (as libSQL's server counts them).
fn value_size(v: &rusqlite::types::ValueRef<'_>) -> u64 {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => 0,
        ValueRef::Integer(_) | ValueRef::Real(_) => 8,
        ValueRef::Text(b) | ValueRef::Blob(b) => b.len() as u64,
    }
}

fn too_large(limit: u64) -> HranaError {
    HranaError::new(
        "RESPONSE_TOO_LARGE",
        format!("Response is too large: the answer would exceed {limit} bytes"),
    )
}

/// The Hrana error for an SQLite error.
pub(crate) fn sql_error(e: &SqlError) -> HranaError {
    match e {
        SqlError::SqliteFailure(err, msg) => {
            let message = msg.clone().unwrap_or_else(|| err.to_string());
            HranaError::new(code_name(err.code), message)
        }
        SqlError::SqlInputError { error, msg, .. } => {
            HranaError::new(code_name(error.code), msg.clone())
        }
        SqlError::MultipleStatement => HranaError::new(
            "SQL_MANY_STATEMENTS",
            "SQL string contains more than one statement",
        ),
        other => HranaError::new("SQLITE_ERROR", other.to_string()),
    }
}

/// The `SQLITE_*` name of a primary result code.
fn code_name(code: rusqlite::ErrorCode) -> &'static str {
    use rusqlite::ErrorCode as C;
    match code {
        C::ConstraintViolation => "SQLITE_CONSTRAINT",
        C::ReadOnly => "SQLITE_READONLY",
        C::AuthorizationForStatementDenied => "SQLITE_AUTH",
        C::DatabaseBusy => "SQLITE_BUSY",
        C::DatabaseLocked => "SQLITE_LOCKED",
        C::TypeMismatch => "SQLITE_MISMATCH",
        C::TooBig => "SQLITE_TOOBIG",
        C::DiskFull => "SQLITE_FULL",
        C::SystemIoFailure => "SQLITE_IOERR",
        C::DatabaseCorrupt => "SQLITE_CORRUPT",
        C::NotADatabase => "SQLITE_NOTADB",
        C::OperationInterrupted => "SQLITE_INTERRUPT",
        C::ParameterOutOfRange => "SQLITE_RANGE",
        C::SchemaChanged => "SQLITE_SCHEMA",
        C::ApiMisuse => "SQLITE_MISUSE",
        _ => "SQLITE_ERROR",
    }
}

impl Session<'_> {
    /// The SQL text of a statement (`sql`, or a stored `sql_id`).
    pub(crate) fn sql_text<'s>(
        &'s self,
        sql: Option<&'s str>,
        sql_id: Option<i32>,
    ) -> Result<&'s str, HranaError> {
        match (sql, sql_id) {
            (Some(s), None) => Ok(s),
            (None, Some(id)) => self.sqls.get(&id).map(String::as_str).ok_or_else(|| {
                HranaError::new(
                    "SQL_NOT_FOUND",
                    format!("SQL text with id {id} was not stored"),
                )
            }),
            _ => Err(HranaError::new(
                "PROTO_ERROR",
                "exactly one of sql and sql_id must be given",
            )),
        }
    }

    /// Refuse a statement the caller may not run.
    fn check(&self, readonly: bool) -> Result<(), HranaError> {
        if readonly && self.policy.block_reads {
            return Err(HranaError::new(
                "BLOCKED",
                "Reads are blocked for this database",
            ));
        }
        if !readonly {
            if self.policy.block_writes {
                return Err(HranaError::new(
                    "BLOCKED",
                    "Writes are blocked for this database",
                ));
            }
            if self.policy.read_only {
                return Err(HranaError::new(
                    "SQLITE_AUTH",
                    "Authorization forbidden: the token is read-only and cannot run a statement that writes",
                ));
            }
        }
        Ok(())
    }

    /// The error for an SQLite failure, with the guard's reason when it
    /// refused or stopped the statement.
    fn failed(&self, e: HranaError) -> HranaError {
        // The guard refused an action (a denied function fails with
        // SQLITE_ERROR, a denied action with SQLITE_AUTH): SQLITE_AUTH.
        if let Some(reason) = self.guard.refusal() {
            let message = if reason.is_empty() { e.message } else { reason };
            return HranaError::new("SQLITE_AUTH", message);
        }
        match (e.code.as_str(), self.guard.stop_reason()) {
            ("SQLITE_INTERRUPT", Some(message)) => HranaError { message, ..e },
            _ => e,
        }
    }

    /// Execute one statement.
    pub(crate) fn execute(&self, stmt: &Stmt) -> Result<StmtOutput, HranaError> {
        let sql = self.sql_text(stmt.sql.as_deref(), stmt.sql_id)?;
        if is_blank(sql) {
            return Err(HranaError::new(
                "SQL_NO_STATEMENT",
                "SQL string does not contain any statement",
            ));
        }
        self.guard.begin_statement();
        let started = Instant::now();
        // Cached, as libSQL's server caches them, but only under the policy
        // that authorized them: when the token's policy changes the cache
        // goes, so the authorizer sees every statement again.
        if self.guard.take_policy_change() {
            self.conn.flush_prepared_statement_cache();
        }
        let mut prepared = match self.guard.preparing(|| self.conn.prepare_cached(sql)) {
            Ok(p) => p,
            Err(e) => {
                if let Some(path) = self.guard.take_attach_request() {
                    return self.attach(sql, &path, started);
                }
                return Err(self.failed(parse_error(&e)));
            }
        };
        // Only the authorizer knows a statement inserts, and it runs when a
        // statement is compiled: one that inserts is never kept, so a
        // statement found in the cache inserts nothing.
        let inserts = self.guard.inserts();
        let out = self.run(&mut prepared, stmt, sql, inserts, started);
        if inserts {
            prepared.discard();
        }
        out
    }

    /// Run a prepared statement: its rows, changes and usage.
    fn run(
        &self,
        prepared: &mut rusqlite::Statement<'_>,
        stmt: &Stmt,
        sql: &str,
        inserts: bool,
        started: Instant,
    ) -> Result<StmtOutput, HranaError> {
        self.check(prepared.readonly())?;
        // A cached statement's counter still holds its earlier runs.
        prepared.reset_status(StatementStatus::FullscanStep);
        bind(prepared, &stmt.args, &stmt.named_args)?;
        let cols = columns(prepared);
        let width = cols.len();
        let writes = !prepared.readonly();
        let before = self.conn.total_changes();
        let want_rows = stmt.want_rows.unwrap_or(true);
        let mut rows = Vec::new();
        let mut returned = 0u64;
        let mut size = 0u64;
        let limit = self.budget.per_statement.min(self.budget.left.get());
        {
            let mut query = prepared.raw_query();
            while let Some(row) = query.next().map_err(|e| self.failed(sql_error(&e)))? {
                returned += 1;
                if want_rows {
                    let mut out = Vec::with_capacity(width);
                    for i in 0..width {
                        let v = row.get_ref(i).map_err(|e| sql_error(&e))?;
                        size += value_size(&v);
                        out.push(HValue::from_sql(v));
                    }
                    if size > limit {
                        return Err(too_large(limit));
                    }
                    rows.push(out);
                }
            }
        }
        self.budget
            .left
            .set(self.budget.left.get().saturating_sub(size));
        let scanned = prepared.get_status(StatementStatus::FullscanStep) as u64;
        let affected = if writes {
            self.conn.total_changes().saturating_sub(before)
        } else {
            0
        };
        let read = rows_read(returned, scanned);
        self.usage.record(self.db_id, sql, read, affected);
        Ok(StmtOutput {
            cols,
            rows,
            affected_row_count: affected,
            last_insert_rowid: inserts.then(|| self.conn.last_insert_rowid()),
            rows_read: read,
            rows_written: affected,
            query_duration_ms: millis(started),
        })
    }

    /// Attach a database the guard permitted (its real file, read-only).
    fn attach(&self, sql: &str, path: &Path, started: Instant) -> Result<StmtOutput, HranaError> {
        self.check(true)?;
        let alias = attach_alias(sql).ok_or_else(|| {
            HranaError::new(
                "SQL_PARSE_ERROR",
                "write ATTACH \"<database id>\" AS name, with a plain or quoted name",
            )
        })?;
        let file = path.to_string_lossy();
        self.guard
            .attaching(|| {
                self.conn
                    .execute("ATTACH ?1 AS ?2", [file.as_ref(), alias.as_str()])
            })
            .map_err(|e| self.failed(sql_error(&e)))?;
        Ok(empty(started))
    }

    /// Execute a batch, calling `on_step` with each executed step's outcome
    /// (skipped steps are not reported).
    pub(crate) fn batch(
        &self,
        batch: &Batch,
        mut on_step: impl FnMut(usize, Result<StmtOutput, HranaError>),
    ) {
        let mut outcomes: Vec<Option<bool>> = Vec::with_capacity(batch.steps.len());
        for (i, step) in batch.steps.iter().enumerate() {
            let run = step
                .condition
                .as_ref()
                .is_none_or(|c| c.eval(&outcomes, self.conn.is_autocommit()));
            if !run {
                outcomes.push(None);
                continue;
            }
            let result = self.execute(&step.stmt);
            outcomes.push(Some(result.is_ok()));
            on_step(i, result);
        }
    }

    /// A batch's `BatchResult`.
    pub(crate) fn batch_result(&self, batch: &Batch) -> BatchResult {
        let n = batch.steps.len();
        let mut result = BatchResult {
            step_results: (0..n).map(|_| None).collect(),
            step_errors: vec![None; n],
        };
        self.batch(batch, |i, r| match r {
            Ok(out) => result.step_results[i] = Some(out),
            Err(e) => result.step_errors[i] = Some(e),
        });
        result
    }

    /// Run statements separated by semicolons, ignoring rows; stop at the first error.
    pub(crate) fn sequence(&self, sql: &str) -> Result<(), HranaError> {
        let mut batch = rusqlite::Batch::new(self.conn, sql);
        loop {
            self.guard.begin_statement();
            let next = self.guard.preparing(|| batch.next());
            let mut stmt = match next {
                Ok(Some(stmt)) => stmt,
                Ok(None) => return Ok(()),
                Err(e) => {
                    if self.guard.take_attach_request().is_some() {
                        return Err(HranaError::new(
                            "SQLITE_AUTH",
                            "ATTACH \"<database id>\" runs as a statement of its own (execute or batch), not in a sequence",
                        ));
                    }
                    return Err(self.failed(parse_error(&e)));
                }
            };
            self.check(stmt.readonly())?;
            let before = self.conn.total_changes();
            let mut returned = 0u64;
            {
                let mut rows = stmt.raw_query();
                while rows
                    .next()
                    .map_err(|e| self.failed(sql_error(&e)))?
                    .is_some()
                {
                    returned += 1;
                }
            }
            let scanned = stmt.get_status(StatementStatus::FullscanStep) as u64;
            let written = self.conn.total_changes().saturating_sub(before);
            let text = stmt.expanded_sql().unwrap_or_default();
            self.usage
                .record(self.db_id, &text, rows_read(returned, scanned), written);
        }
    }

    /// Describe a statement without running it.
    pub(crate) fn describe(&self, sql: &str) -> Result<DescribeResult, HranaError> {
        if is_blank(sql) {
            return Err(HranaError::new(
                "SQL_NO_STATEMENT",
                "SQL string does not contain any statement",
            ));
        }
        self.guard.begin_statement();
        let stmt = self
            .guard
            .preparing(|| self.conn.prepare(sql))
            .map_err(|e| self.failed(parse_error(&e)))?;
        Ok(DescribeResult {
            params: (1..=stmt.parameter_count())
                .map(|i| DescribeParam {
                    name: stmt.parameter_name(i).map(str::to_string),
                })
                .collect(),
            cols: columns(&stmt),
            is_explain: stmt.is_explain() > 0,
            is_readonly: stmt.readonly(),
        })
    }
}

/// A prepared statement's result columns.
fn columns(stmt: &rusqlite::Statement<'_>) -> Vec<Col> {
    stmt.columns()
        .iter()
        .map(|c| Col {
            name: c.name().to_string(),
            decltype: c.decl_type().map(str::to_string),
        })
        .collect()
}

/// Rows a statement read: the rows its full-table scans stepped over, or
/// the rows it returned when that is more (an index lookup scans nothing).
fn rows_read(returned: u64, scanned: u64) -> u64 {
    returned.max(scanned)
}

/// Whether the SQL has no statement (only whitespace, semicolons, comments).
fn is_blank(sql: &str) -> bool {
    let mut rest = sql;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return rest.is_empty();
        }
    }
}

/// Preparing failed: a syntax error is `SQL_PARSE_ERROR`, the rest as SQLite says.
fn parse_error(e: &SqlError) -> HranaError {
    match e {
        SqlError::SqlInputError { error, msg, .. }
            if error.code == rusqlite::ErrorCode::Unknown =>
        {
            HranaError::new("SQL_PARSE_ERROR", msg.clone())
        }
        SqlError::SqliteFailure(err, msg) if err.code == rusqlite::ErrorCode::Unknown => {
            HranaError::new(
                "SQL_PARSE_ERROR",
                msg.clone().unwrap_or_else(|| err.to_string()),
            )
        }
        other => sql_error(other),
    }
}

/// Bind positional and named arguments; every parameter must get a value
/// and every argument must name a parameter. A named argument wins over a
/// positional one for the same parameter.
fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    args: &[HValue],
    named: &[super::hrana::NamedArg],
) -> Result<(), HranaError> {
    let count = stmt.parameter_count();
    if args.len() > count {
        return Err(HranaError::new(
            "ARGS_INVALID",
            format!(
                "{} positional arguments given, the statement has {count} parameters",
                args.len()
            ),
        ));
    }
    let invalid = |m: String| HranaError::new("ARGS_INVALID", m);
    let mut bound = vec![false; count];
    for (i, v) in args.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, v.to_sql().map_err(invalid)?)
            .map_err(|e| invalid(e.to_string()))?;
        bound[i] = true;
    }
    for arg in named {
        // Names include their prefix; guess it when the client left it out.
        let index = if arg.name.starts_with([':', '@', '$']) {
            stmt.parameter_index(&arg.name)
        } else {
            [":", "@", "$"]
                .iter()
                .find_map(|p| {
                    stmt.parameter_index(&format!("{p}{}", arg.name))
                        .transpose()
                })
                .transpose()
        }
        .map_err(|e| invalid(e.to_string()))?
        .ok_or_else(|| invalid(format!("the statement has no parameter named {}", arg.name)))?;
        stmt.raw_bind_parameter(index, arg.value.to_sql().map_err(invalid)?)
            .map_err(|e| invalid(e.to_string()))?;
        bound[index - 1] = true;
    }
    if let Some(missing) = bound.iter().position(|b| !b) {
        let name = stmt
            .parameter_name(missing + 1)
            .map_or_else(|| format!("{}", missing + 1), str::to_string);
        return Err(invalid(format!("no value given for parameter {name}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::hrana::{BatchStep, NamedArg};
    use super::*;
    use serde_json::json;

    fn stmt(sql: &str, args: Vec<HValue>) -> Stmt {
        Stmt {
            sql: Some(sql.into()),
            sql_id: None,
            args,
            named_args: Vec::new(),
            want_rows: None,
        }
    }

    fn with<R>(policy: Policy, f: impl FnOnce(&Session<'_>) -> R) -> R {
        let conn = Connection::open_in_memory().expect("opens");
        conn.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            .expect("creates");
        let guard = Guard::new(Default::default());
        super::super::confine::confine(&conn, &guard, &Default::default()).expect("confined");
        guard.set_request(
            policy.read_only,
            HashMap::new(),
            std::time::Duration::from_secs(10),
        );
        let sqls = HashMap::from([(7, "SELECT count(*) FROM t".to_string())]);
        let usage = UsageBook::default();
        let budget = Budget {
            per_statement: 1 << 20,
            left: Cell::new(1 << 20),
        };
        let session = Session {
            conn: &conn,
            sqls: &sqls,
            policy,
            usage: &usage,
            db_id: "d",
            guard: &guard,
            budget: &budget,
        };
        f(&session)
    }

    const OPEN: Policy = Policy {
        read_only: false,
        block_reads: false,
        block_writes: false,
    };

    #[test]
    fn executes_with_arguments_and_reports_errors() {
        with(OPEN, |s| {
            let text = HValue::Text { value: "a".into() };
            let out = s
                .execute(&stmt("INSERT INTO t(v) VALUES (?)", vec![text.clone()]))
                .expect("inserts");
            assert_eq!(
                (out.affected_row_count, out.last_insert_rowid),
                (1, Some(1))
            );
            let mut named = stmt("SELECT v FROM t WHERE id = :id", vec![]);
            named.named_args = vec![NamedArg {
                name: "id".into(),
                value: HValue::Integer { value: 1 },
            }];
            let out = s.execute(&named).expect("selects");
            assert_eq!(out.rows, vec![vec![HValue::Text { value: "a".into() }]]);
            let dup = s.execute(&stmt("INSERT INTO t(id, v) VALUES (1, 'b')", vec![]));
            assert_eq!(dup.err().map(|e| e.code), Some("SQLITE_CONSTRAINT".into()));
            let code =
                |sql: &str, args: Vec<HValue>| s.execute(&stmt(sql, args)).err().map(|e| e.code);
            assert_eq!(code("SELEC 1", vec![]), Some("SQL_PARSE_ERROR".into()));
            assert_eq!(
                code(" -- nothing\n;", vec![]),
                Some("SQL_NO_STATEMENT".into())
            );
            assert_eq!(
                code("SELECT 1; SELECT 2", vec![]),
                Some("SQL_MANY_STATEMENTS".into())
            );
            assert_eq!(code("SELECT ?", vec![]), Some("ARGS_INVALID".into()));
            assert_eq!(code("SELECT 1", vec![text]), Some("ARGS_INVALID".into()));
            let stored = Stmt {
                sql: None,
                sql_id: Some(7),
                ..stmt("", vec![])
            };
            assert_eq!(
                s.execute(&stored).expect("runs").rows[0][0],
                HValue::Integer { value: 1 }
            );
        });
    }

    #[test]
    fn batches_follow_conditions() {
        with(OPEN, |s| {
            let batch: Batch = serde_json::from_value(json!({"steps": [
                {"stmt": {"sql": "INSERT INTO t(id, v) VALUES (1, 'x')"}},
                {"stmt": {"sql": "INSERT INTO t(id, v) VALUES (1, 'y')"}},
                {"condition": {"type": "error", "step": 1}, "stmt": {"sql": "SELECT 'recovered'"}},
                {"condition": {"type": "ok", "step": 1}, "stmt": {"sql": "SELECT 'never'"}},
            ]}))
            .expect("parses");
            let r = serde_json::to_value(s.batch_result(&batch)).expect("serializes");
            assert!(r["step_results"][0].is_object());
            assert_eq!(r["step_errors"][1]["code"], "SQLITE_CONSTRAINT");
            assert_eq!(r["step_results"][2]["rows"][0][0]["value"], "recovered");
            assert!(r["step_results"][3].is_null() && r["step_errors"][3].is_null());
            let _ = BatchStep {
                condition: None,
                stmt: stmt("SELECT 1", vec![]),
            };
        });
    }

    #[test]
    fn policy_refuses_what_it_must() {
        let ro = Policy {
            read_only: true,
            ..OPEN
        };
        with(ro, |s| {
            assert!(s.execute(&stmt("SELECT * FROM t", vec![])).is_ok());
            let e = s
                .execute(&stmt("INSERT INTO t(v) VALUES ('a')", vec![]))
                .err();
            assert_eq!(e.map(|e| e.code), Some("SQLITE_AUTH".into()));
            assert!(s.sequence("SELECT 1; DELETE FROM t").is_err());
        });
        let blocked = Policy {
            block_writes: true,
            ..OPEN
        };
        with(blocked, |s| {
            let e = s.execute(&stmt("DELETE FROM t", vec![])).err();
            assert_eq!(e.map(|e| e.code), Some("BLOCKED".into()));
        });
        let blocked = Policy {
            block_reads: true,
            ..OPEN
        };
        with(blocked, |s| {
            let e = s.execute(&stmt("SELECT 1", vec![])).err();
            assert_eq!(e.map(|e| e.code), Some("BLOCKED".into()));
        });
    }

    #[test]
    fn cached_statements_count_and_report_as_fresh_ones() {
        with(OPEN, |s| {
            let insert = stmt("INSERT INTO t(v) VALUES ('x')", vec![]);
            for id in 1..=3 {
                let out = s.execute(&insert).expect("inserts");
                assert_eq!(
                    out.last_insert_rowid,
                    Some(id),
                    "every run reports its rowid"
                );
            }
            let select = stmt("SELECT v FROM t", vec![]);
            for _ in 0..2 {
                let out = s.execute(&select).expect("selects");
                assert_eq!((out.rows.len(), out.rows_read), (3, 3), "not added up");
                assert_eq!(out.last_insert_rowid, None);
            }
        });
    }

    #[test]
    fn a_cached_statement_is_authorized_again_when_the_policy_changes() {
        // The same connection serves a full-access request, then a read-only
        // one, then a full-access one again (a stream's baton carries over).
        with(OPEN, |s| {
            let pragma = stmt("PRAGMA user_version = 7", vec![]);
            s.execute(&pragma).expect("a full-access token may");
            let limit = std::time::Duration::from_secs(10);
            s.guard.set_request(true, HashMap::new(), limit);
            let e = s.execute(&pragma).err().map(|e| e.code);
            assert_eq!(e, Some("SQLITE_AUTH".into()), "the read-only token may not");
            s.guard.set_request(false, HashMap::new(), limit);
            s.execute(&pragma).expect("full access again");
        });
    }

    #[test]
    fn describes_and_sequences() {
        with(OPEN, |s| {
            let d = s
                .describe("SELECT v AS value FROM t WHERE id = :id")
                .expect("describes");
            let d = serde_json::to_value(d).expect("serializes");
            assert_eq!(d["params"], json!([{"name": ":id"}]));
            assert_eq!(d["cols"][0]["decltype"], "TEXT");
            assert_eq!(d["is_readonly"], true);
            s.sequence("INSERT INTO t(v) VALUES ('a'); INSERT INTO t(v) VALUES ('b');")
                .expect("runs");
            assert_eq!(s.usage.get("d", 0).rows_written, 2);
            assert!(
                s.sequence("INSERT INTO t(v) VALUES (NULL); SELECT 1")
                    .is_err()
            );
        });
    }
}
