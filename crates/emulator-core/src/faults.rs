//! Deterministic fault injection.
//!
//! A [`FaultPlan`] is a schedule: for each operationId (or for every
//! operation of the API's spec, with [`FaultPlan::on_all`]) the first N matching requests receive
//! the listed faults in order; after that the operation behaves normally. A
//! schedule rather than a probability keeps client tests reproducible.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and `{"error": "emulated fault: ..."}`, optionally
    /// with a `Retry-After` header (seconds). Only error statuses (400–599)
    /// are faults: a plan holding another is refused ([`FaultPlan::check`]),
    /// because a success or redirect with an error body would reach clients
    /// unvalidated.
    Status {
        /// The HTTP status code to answer with.
        status: u16,
        /// The `Retry-After` value in seconds, if any.
        retry_after: Option<u64>,
    },
    /// Close the connection without sending any HTTP response.
    DropConnection,
    /// Handle the request as usual (its effects happen), then close the
    /// connection instead of sending the answer: an answer lost on its way
    /// back, after which a client cannot know whether its request was carried
    /// out.
    LoseAnswer,
    /// Sleep this long, then handle the request normally.
    Latency(Duration),
}

impl Fault {
    /// A plain status fault, e.g. `Fault::status(503)` (400–599; see
    /// [`FaultPlan::check`]).
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// A 429 with `Retry-After: <retry_after_secs>`.
    pub fn rate_limited(retry_after_secs: u64) -> Fault {
        Fault::Status {
            status: 429,
            retry_after: Some(retry_after_secs),
        }
    }

    /// Drop the connection without a response.
    pub fn drop_connection() -> Fault {
        Fault::DropConnection
    }

    /// Carry out the request, then drop the connection instead of answering.
    pub fn lose_answer() -> Fault {
        Fault::LoseAnswer
    }

    /// Delay the request by `d`, then proceed.
    pub fn latency(d: Duration) -> Fault {
        Fault::Latency(d)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status {
                status,
                retry_after: Some(s),
            } => write!(f, "{status}:{s}"),
            Fault::Status { status, .. } => write!(f, "{status}"),
            Fault::DropConnection => write!(f, "drop"),
            Fault::LoseAnswer => write!(f, "lose"),
            Fault::Latency(d) => write!(f, "latency:{}ms", d.as_millis()),
        }
    }
}

/// A deterministic schedule of faults, per operationId and for all operations.
///
/// When both a per-operation list and the `on_all` list have faults left for a
/// request, the per-operation list is used first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultPlan {
    per_op: HashMap<String, VecDeque<Fault>>,
    all: VecDeque<Fault>,
}

impl FaultPlan {
    /// An empty plan: no faults.
    pub fn new() -> FaultPlan {
        FaultPlan::default()
    }

    /// Append faults for the first requests of `operation_id` (e.g. `"getDatabase"`,
    /// or `"upload"` for the database-host upload endpoint).
    pub fn on(
        mut self,
        operation_id: impl Into<String>,
        faults: impl IntoIterator<Item = Fault>,
    ) -> FaultPlan {
        self.per_op
            .entry(operation_id.into())
            .or_default()
            .extend(faults);
        self
    }

    /// Append faults for the first requests of any operation of the spec.
    pub fn on_all(mut self, faults: impl IntoIterator<Item = Fault>) -> FaultPlan {
        self.all.extend(faults);
        self
    }

    /// True when no fault is left to inject.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty() && self.per_op.values().all(VecDeque::is_empty)
    }

    /// Merge another plan into this one (used for repeated `--fault` flags).
    pub fn merge(mut self, other: FaultPlan) -> FaultPlan {
        for (op, faults) in other.per_op {
            self.per_op.entry(op).or_default().extend(faults);
        }
        self.all.extend(other.all);
        self
    }

    /// Whether every fault can be injected: `Err` names the first status
    /// fault whose status is not an error status (400–599).
    pub fn check(&self) -> Result<(), FaultParseError> {
        let faults = self.all.iter().chain(self.per_op.values().flatten());
        for fault in faults {
            if let Fault::Status { status, .. } = fault
                && !is_error_status(*status)
            {
                return Err(parse_err(&fault.to_string(), not_an_error(*status)));
            }
        }
        Ok(())
    }

    /// Take the next fault for a request to `operation_id`, if any is scheduled.
    /// `platform` says whether the `on_all` list applies (it does to the
    /// operations of the spec, not to other endpoints an emulator serves).
    pub fn next_for(&mut self, operation_id: &str, platform: bool) -> Option<Fault> {
        if let Some(fault) = self
            .per_op
            .get_mut(operation_id)
            .and_then(VecDeque::pop_front)
        {
            return Some(fault);
        }
        if platform {
            return self.all.pop_front();
        }
        None
    }
}

/// An error parsing a fault specification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec {spec:?}: {reason}")]
pub struct FaultParseError {
    spec: String,
    reason: String,
}

fn parse_err(spec: &str, reason: impl Into<String>) -> FaultParseError {
    FaultParseError {
        spec: spec.to_string(),
        reason: reason.into(),
    }
}

/// Whether `status` is one a fault may answer with.
pub(crate) fn is_error_status(status: u16) -> bool {
    (400..=599).contains(&status)
}

fn not_an_error(status: u16) -> String {
    format!("status {status} is not an error status; faults answer 400 to 599")
}

/// Parse `200ms`, `2s`, `1m` or a bare number of milliseconds.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "ms"),
    };
    let n: u64 = num.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(n)),
        "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n.checked_mul(60)?)),
        _ => None,
    }
}

fn parse_fault(spec: &str, item: &str) -> Result<Fault, FaultParseError> {
    let item = item.trim();
    if item == "drop" {
        return Ok(Fault::DropConnection);
    }
    if item == "lose" {
        return Ok(Fault::LoseAnswer);
    }
    if let Some(d) = item.strip_prefix("latency:") {
        return parse_duration(d)
            .map(Fault::Latency)
            .ok_or_else(|| parse_err(spec, format!("bad latency duration {d:?}")));
    }
    let (status, retry) = match item.split_once(':') {
        Some((s, r)) => (s, Some(r)),
        None => (item, None),
    };
    let status: u16 = status
        .parse()
        .map_err(|_| parse_err(spec, format!("bad fault {item:?}")))?;
    if !is_error_status(status) {
        return Err(parse_err(spec, not_an_error(status)));
    }
    let retry_after = match retry {
        Some(r) => Some(
            r.parse()
                .map_err(|_| parse_err(spec, format!("bad Retry-After seconds {r:?}")))?,
        ),
        None => None,
    };
    Ok(Fault::Status {
        status,
        retry_after,
    })
}

impl FromStr for FaultPlan {
    type Err = FaultParseError;

    /// Syntax: `op=fault,fault;op2=fault` where `op` is an operationId or `*`
    /// (any operation of the spec) and a fault is `503`, `429:1` (status with
    /// `Retry-After` seconds), `drop`, `lose` (carry out, then drop the
    /// connection instead of answering) or `latency:200ms`.
    fn from_str(spec: &str) -> Result<FaultPlan, FaultParseError> {
        let mut plan = FaultPlan::new();
        for entry in spec.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let (op, faults) = entry
                .split_once('=')
                .ok_or_else(|| parse_err(spec, format!("missing '=' in {entry:?}")))?;
            let op = op.trim();
            if op.is_empty() {
                return Err(parse_err(spec, "empty operation name"));
            }
            let faults = faults
                .split(',')
                .filter(|f| !f.trim().is_empty())
                .map(|f| parse_fault(spec, f))
                .collect::<Result<Vec<_>, _>>()?;
            plan = if op == "*" {
                plan.on_all(faults)
            } else {
                plan.on(op, faults)
            };
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_syntax() {
        let plan: FaultPlan = "getDatabase=503,503;*=429:1,drop,latency:200ms,lose"
            .parse()
            .expect("valid spec");
        let expected = FaultPlan::new()
            .on("getDatabase", [Fault::status(503), Fault::status(503)])
            .on_all([
                Fault::rate_limited(1),
                Fault::drop_connection(),
                Fault::latency(Duration::from_millis(200)),
                Fault::lose_answer(),
            ]);
        assert_eq!(plan, expected);
    }

    #[test]
    fn rejects_garbage() {
        assert!("getDatabase".parse::<FaultPlan>().is_err());
        assert!("x=abc".parse::<FaultPlan>().is_err());
        assert!("x=999".parse::<FaultPlan>().is_err());
        assert!("x=latency:5y".parse::<FaultPlan>().is_err());
    }

    #[test]
    fn refuses_statuses_that_are_not_errors() {
        for spec in ["op=200", "op=302", "op=100", "*=204:1", "op=503,200"] {
            let err = spec.parse::<FaultPlan>().expect_err(spec).to_string();
            assert!(err.contains("is not an error status"), "{spec}: {err}");
        }
        assert!("op=400;op=599".parse::<FaultPlan>().is_ok());
        let built = FaultPlan::new().on("op", [Fault::status(503), Fault::status(200)]);
        let err = built.check().expect_err("200 is refused").to_string();
        assert!(err.contains("status 200 is not an error status"), "{err}");
        assert!(
            FaultPlan::new()
                .on_all([Fault::status(302)])
                .check()
                .is_err()
        );
        assert!(
            FaultPlan::new()
                .on_all([Fault::rate_limited(1)])
                .check()
                .is_ok()
        );
    }

    #[test]
    fn per_operation_faults_come_first_and_run_out() {
        let mut plan = FaultPlan::new()
            .on("a", [Fault::status(500)])
            .on_all([Fault::status(503)]);
        assert_eq!(plan.next_for("a", true), Some(Fault::status(500)));
        assert_eq!(plan.next_for("upload", false), None);
        assert_eq!(plan.next_for("a", true), Some(Fault::status(503)));
        assert_eq!(plan.next_for("a", true), None);
        assert!(plan.is_empty());
    }
}
