//! The JSON structures of Hrana over HTTP (versions 2 and 3): requests as
//! serde types, values in both directions, and protocol errors (the
//! answers are in [`super::answers`]).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rusqlite::types::{Value as SqlValue, ValueRef};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// `POST v2/pipeline` and `v3/pipeline`.
#[derive(Debug, Deserialize)]
pub(crate) struct PipelineReq {
    #[serde(default)]
    pub baton: Option<String>,
    pub requests: Vec<StreamRequest>,
}

/// `POST v3/cursor`.
#[derive(Debug, Deserialize)]
pub(crate) struct CursorReq {
    #[serde(default)]
    pub baton: Option<String>,
    pub batch: Batch,
}

/// One request of a pipeline.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum StreamRequest {
    Close,
    Execute {
        stmt: Stmt,
    },
    Batch {
        batch: Batch,
    },
    Sequence {
        #[serde(default)]
        sql: Option<String>,
        #[serde(default)]
        sql_id: Option<i32>,
    },
    Describe {
        #[serde(default)]
        sql: Option<String>,
        #[serde(default)]
        sql_id: Option<i32>,
    },
    StoreSql {
        sql_id: i32,
        sql: String,
    },
    CloseSql {
        sql_id: i32,
    },
    GetAutocommit,
}

/// A statement.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Stmt {
    #[serde(default)]
    pub sql: Option<String>,
    #[serde(default)]
    pub sql_id: Option<i32>,
    #[serde(default)]
    pub args: Vec<HValue>,
    #[serde(default)]
    pub named_args: Vec<NamedArg>,
    #[serde(default)]
    pub want_rows: Option<bool>,
}

/// A named argument.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NamedArg {
    pub name: String,
    pub value: HValue,
}

/// A batch of conditional steps.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Batch {
    pub steps: Vec<BatchStep>,
}

/// One step of a batch.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BatchStep {
    #[serde(default)]
    pub condition: Option<BatchCond>,
    pub stmt: Stmt,
}

/// A step's condition.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum BatchCond {
    Ok { step: u32 },
    Error { step: u32 },
    Not { cond: Box<BatchCond> },
    And { conds: Vec<BatchCond> },
    Or { conds: Vec<BatchCond> },
    IsAutocommit,
}

impl BatchCond {
    /// Evaluate against the outcomes so far (`Some(true)`: the step
    /// succeeded, `Some(false)`: it failed, `None`: skipped or not run yet).
    pub(crate) fn eval(&self, outcomes: &[Option<bool>], autocommit: bool) -> bool {
        let outcome = |step: &u32| outcomes.get(*step as usize).copied().flatten();
        match self {
            BatchCond::Ok { step } => outcome(step) == Some(true),
            BatchCond::Error { step } => outcome(step) == Some(false),
            BatchCond::Not { cond } => !cond.eval(outcomes, autocommit),
            BatchCond::And { conds } => conds.iter().all(|c| c.eval(outcomes, autocommit)),
            BatchCond::Or { conds } => conds.iter().any(|c| c.eval(outcomes, autocommit)),
            BatchCond::IsAutocommit => autocommit,
        }
    }
}

/// A Hrana value, in arguments and in rows.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum HValue {
    Null,
    Integer {
        #[serde(deserialize_with = "int_from_string", serialize_with = "int_as_string")]
        value: i64,
    },
    Float {
        value: f64,
    },
    Text {
        value: String,
    },
    Blob {
        base64: String,
    },
}

/// Integers travel as strings (JSON numbers lose precision); accept numbers too.
fn int_from_string<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => s.parse().map_err(serde::de::Error::custom),
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom("integer out of range")),
        _ => Err(serde::de::Error::custom("integer value must be a string")),
    }
}

fn int_as_string<S: Serializer>(value: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

impl HValue {
    /// A column value as Hrana sends it.
    pub(crate) fn from_sql(v: ValueRef<'_>) -> HValue {
        match v {
            ValueRef::Null => HValue::Null,
            ValueRef::Integer(value) => HValue::Integer { value },
            // JSON has no NaN or infinity; SQLite turns NaN into NULL already.
            ValueRef::Real(value) if value.is_finite() => HValue::Float { value },
            ValueRef::Real(_) => HValue::Null,
            ValueRef::Text(t) => HValue::Text {
                value: String::from_utf8_lossy(t).into_owned(),
            },
            ValueRef::Blob(b) => HValue::Blob {
                base64: STANDARD.encode(b),
            },
        }
    }

    /// The SQLite value to bind; `Err` for a blob that is not base64.
    pub(crate) fn to_sql(&self) -> Result<SqlValue, String> {
        Ok(match self {
            HValue::Null => SqlValue::Null,
            HValue::Integer { value } => SqlValue::Integer(*value),
            HValue::Float { value } => SqlValue::Real(*value),
            HValue::Text { value } => SqlValue::Text(value.clone()),
            HValue::Blob { base64 } => SqlValue::Blob(
                STANDARD
                    .decode(base64)
                    .or_else(|_| {
                        base64::engine::general_purpose::STANDARD_NO_PAD
                            .decode(base64.trim_end_matches('='))
                    })
                    .map_err(|e| format!("blob value is not base64: {e}"))?,
            ),
        })
    }
}

/// A Hrana error: a message and a machine-readable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct HranaError {
    pub message: String,
    pub code: String,
}

impl HranaError {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> HranaError {
        HranaError {
            message: message.into(),
            code: code.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sent(v: ValueRef<'_>) -> Value {
        serde_json::to_value(HValue::from_sql(v)).expect("serializes")
    }

    #[test]
    fn values_round_trip() {
        let v: HValue =
            serde_json::from_value(json!({"type": "integer", "value": "-9007199254740993"}))
                .expect("parses");
        assert_eq!(v.to_sql(), Ok(SqlValue::Integer(-9_007_199_254_740_993)));
        let b: HValue =
            serde_json::from_value(json!({"type": "blob", "base64": "AAEC"})).expect("parses");
        assert_eq!(b.to_sql(), Ok(SqlValue::Blob(vec![0, 1, 2])));
        assert_eq!(
            sent(ValueRef::Blob(&[0, 1, 2])),
            json!({"type": "blob", "base64": "AAEC"})
        );
        assert_eq!(
            sent(ValueRef::Integer(7)),
            json!({"type": "integer", "value": "7"})
        );
        assert_eq!(
            sent(ValueRef::Real(0.5)),
            json!({"type": "float", "value": 0.5})
        );
        assert_eq!(sent(ValueRef::Real(f64::INFINITY)), json!({"type": "null"}));
        assert_eq!(
            sent(ValueRef::Text(b"a")),
            json!({"type": "text", "value": "a"})
        );
        assert!(
            serde_json::from_value::<HValue>(json!({"type": "integer", "value": "x"})).is_err()
        );
        assert!(serde_json::from_value::<HValue>(json!({"type": "bogus"})).is_err());
    }

    #[test]
    fn conditions() {
        let c: BatchCond = serde_json::from_value(json!({
            "type": "and",
            "conds": [{"type": "ok", "step": 0}, {"type": "not", "cond": {"type": "error", "step": 1}}]
        }))
        .expect("parses");
        assert!(c.eval(&[Some(true), Some(true)], true));
        assert!(!c.eval(&[Some(true), Some(false)], true));
        assert!(!c.eval(&[None, None], true));
        let auto: BatchCond =
            serde_json::from_value(json!({"type": "is_autocommit"})).expect("parses");
        assert!(!auto.eval(&[], false));
    }
}
