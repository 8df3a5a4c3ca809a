//! The answers of Hrana over HTTP as serde types, written straight to the
//! response body: a pipeline's results, a cursor's entries, and the
//! statement, batch and describe results inside them (the requests are in
//! [`super::hrana`]).

use serde::Serialize;

use super::hrana::{HValue, HranaError};

/// A result column.
#[derive(Debug, Serialize)]
pub(crate) struct Col {
    pub name: String,
    pub decltype: Option<String>,
}

/// A statement's result before it is sent (`StmtResult`).
#[derive(Debug)]
pub(crate) struct StmtOutput {
    pub cols: Vec<Col>,
    pub rows: Vec<Vec<HValue>>,
    pub affected_row_count: u64,
    /// Only for an INSERT, as the service sends it.
    pub last_insert_rowid: Option<i64>,
    pub rows_read: u64,
    pub rows_written: u64,
    pub query_duration_ms: f64,
}

impl Serialize for StmtOutput {
    /// The Hrana `StmtResult`, with the fields the service adds
    /// (`replication_index` is null: the emulator has no replicas).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct StmtResult<'a> {
            cols: &'a [Col],
            rows: &'a [Vec<HValue>],
            affected_row_count: u64,
            last_insert_rowid: Option<String>,
            replication_index: Option<()>,
            rows_read: u64,
            rows_written: u64,
            query_duration_ms: f64,
        }
        StmtResult {
            cols: &self.cols,
            rows: &self.rows,
            affected_row_count: self.affected_row_count,
            last_insert_rowid: self.last_insert_rowid.map(|r| r.to_string()),
            replication_index: None,
            rows_read: self.rows_read,
            rows_written: self.rows_written,
            query_duration_ms: self.query_duration_ms,
        }
        .serialize(s)
    }
}

/// A batch's `BatchResult`: per step, its result or its error (both null
/// for a step that did not run).
#[derive(Debug, Serialize)]
pub(crate) struct BatchResult {
    pub step_results: Vec<Option<StmtOutput>>,
    pub step_errors: Vec<Option<HranaError>>,
}

/// A `DescribeResult`.
#[derive(Debug, Serialize)]
pub(crate) struct DescribeResult {
    pub params: Vec<DescribeParam>,
    pub cols: Vec<Col>,
    pub is_explain: bool,
    pub is_readonly: bool,
}

/// A parameter of a described statement.
#[derive(Debug, Serialize)]
pub(crate) struct DescribeParam {
    pub name: Option<String>,
}

/// The response to one request of a pipeline.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StreamResponse {
    Close,
    Execute { result: StmtOutput },
    Batch { result: BatchResult },
    Sequence,
    Describe { result: DescribeResult },
    StoreSql,
    CloseSql,
    GetAutocommit { is_autocommit: bool },
}

/// One request's outcome in a pipeline's `results`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StreamResult {
    Ok { response: StreamResponse },
    Error { error: HranaError },
}

/// The answer to `v2/pipeline` and `v3/pipeline`.
#[derive(Debug, Serialize)]
pub(crate) struct PipelineAnswer {
    pub baton: Option<String>,
    /// Always null: the emulator never redirects a stream.
    pub base_url: Option<String>,
    pub results: Vec<StreamResult>,
}

/// The first line of a `v3/cursor` answer.
#[derive(Debug, Serialize)]
pub(crate) struct CursorHead {
    pub baton: Option<String>,
    /// Always null, as in [`PipelineAnswer`].
    pub base_url: Option<String>,
}

/// One line after the first of a `v3/cursor` answer.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum CursorEntry {
    StepBegin {
        step: usize,
        cols: Vec<Col>,
    },
    Row {
        row: Vec<HValue>,
    },
    StepEnd {
        affected_row_count: u64,
        last_insert_rowid: Option<String>,
    },
    StepError {
        step: usize,
        error: HranaError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_shaped_as_the_hrana_spec_says() {
        let out = StmtOutput {
            cols: vec![Col {
                name: "v".into(),
                decltype: None,
            }],
            rows: vec![vec![HValue::Integer { value: 1 }]],
            affected_row_count: 0,
            last_insert_rowid: Some(9),
            rows_read: 1,
            rows_written: 0,
            query_duration_ms: 0.5,
        };
        let answer = PipelineAnswer {
            baton: Some("b".into()),
            base_url: None,
            results: vec![
                StreamResult::Ok {
                    response: StreamResponse::Execute { result: out },
                },
                StreamResult::Error {
                    error: HranaError::new("SQLITE_AUTH", "no"),
                },
                StreamResult::Ok {
                    response: StreamResponse::GetAutocommit {
                        is_autocommit: true,
                    },
                },
            ],
        };
        assert_eq!(
            serde_json::to_value(&answer).expect("serializes"),
            json!({
                "baton": "b",
                "base_url": null,
                "results": [
                    {"type": "ok", "response": {"type": "execute", "result": {
                        "cols": [{"name": "v", "decltype": null}],
                        "rows": [[{"type": "integer", "value": "1"}]],
                        "affected_row_count": 0,
                        "last_insert_rowid": "9",
                        "replication_index": null,
                        "rows_read": 1,
                        "rows_written": 0,
                        "query_duration_ms": 0.5,
                    }}},
                    {"type": "error", "error": {"message": "no", "code": "SQLITE_AUTH"}},
                    {"type": "ok", "response": {"type": "get_autocommit", "is_autocommit": true}},
                ],
            })
        );
        let entry = CursorEntry::StepEnd {
            affected_row_count: 2,
            last_insert_rowid: None,
        };
        assert_eq!(
            serde_json::to_value(&entry).expect("serializes"),
            json!({"type": "step_end", "affected_row_count": 2, "last_insert_rowid": null})
        );
        assert_eq!(
            serde_json::to_value(StreamResponse::StoreSql).expect("serializes"),
            json!({"type": "store_sql"})
        );
    }
}
