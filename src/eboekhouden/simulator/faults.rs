//! Fault injection: per operation (or any), after a number of matching calls, for a number of calls.

use serde::{Deserialize, Serialize};

use crate::eboekhouden::Operation;

/// What goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The response is delayed this long (then served normally).
    Latency { millis: u64 },
    /// HTTP 500 with an HTML body, no SOAP.
    Http500,
    /// HTTP 500 with a SOAP Fault.
    SoapFault,
    /// HTTP 200 with XML that is not well-formed after the first item.
    MalformedXml,
    /// Well-formed XML whose second item has a number field that is not a number.
    BadRecord,
    /// The body breaks off after this many bytes (the connection is aborted).
    CutOff { after_bytes: u64 },
    /// E002.3: the session expires now (it is removed, so only a new session helps).
    SessionExpired,
}

/// A fault rule. `Fault::new(FaultKind::SessionExpired).on(Operation::GetMutaties).nth(3)` gives the
/// third GetMutaties call after the injection an E002.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// `None`: any operation.
    #[serde(default)]
    pub operation: Option<Operation>,
    pub kind: FaultKind,
    /// Matching calls to let through first.
    #[serde(default)]
    pub skip: u32,
    /// Matching calls that get the fault.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn new(kind: FaultKind) -> Fault {
        Fault { operation: None, kind, skip: 0, times: 1 }
    }

    pub fn on(self, operation: Operation) -> Fault {
        Fault { operation: Some(operation), ..self }
    }

    /// The `n`th matching call (1-based) gets the fault.
    pub fn nth(self, n: u32) -> Fault {
        Fault { skip: n.saturating_sub(1), ..self }
    }

    pub fn times(self, times: u32) -> Fault {
        Fault { times, ..self }
    }

    /// Every matching call from now on.
    pub fn always(self) -> Fault {
        self.times(u32::MAX)
    }
}

/// The active rules, in injection order.
#[derive(Debug, Default)]
pub(crate) struct Faults(Vec<Fault>);

impl Faults {
    pub(crate) fn add(&mut self, fault: Fault) {
        self.0.push(fault);
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The fault for this call, if any. Every matching rule counts the call; the first due one fires.
    pub(crate) fn take(&mut self, operation: Operation) -> Option<FaultKind> {
        let mut fired = None;
        for rule in self.0.iter_mut().filter(|r| r.operation.is_none_or(|op| op == operation)) {
            if rule.skip > 0 {
                rule.skip -= 1;
            } else if rule.times > 0 && fired.is_none() {
                rule.times -= 1;
                fired = Some(rule.kind);
            }
        }
        self.0.retain(|r| r.times > 0);
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nth_matching_call_gets_the_fault_once() {
        let mut faults = Faults::default();
        faults.add(Fault::new(FaultKind::Http500).on(Operation::GetMutaties).nth(2));
        assert_eq!(faults.take(Operation::GetRelaties), None);
        assert_eq!(faults.take(Operation::GetMutaties), None);
        assert_eq!(faults.take(Operation::GetMutaties), Some(FaultKind::Http500));
        assert_eq!(faults.take(Operation::GetMutaties), None);
    }

    #[test]
    fn faults_deserialize_from_the_control_json() {
        let fault: Fault =
            serde_json::from_str(r#"{"operation": "GetOpenPosten", "kind": {"latency": {"millis": 50}}}"#).unwrap();
        assert_eq!(fault, Fault::new(FaultKind::Latency { millis: 50 }).on(Operation::GetOpenPosten));
    }
}
