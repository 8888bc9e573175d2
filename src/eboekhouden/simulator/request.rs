//! Reading an incoming SOAP request the way an ASMX service does: the operation element and its
//! children must be in the e-Boekhouden namespace (children in another namespace are not seen), and
//! the SOAPAction header must name the operation.

use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;

use crate::eboekhouden::{Operation, NAMESPACE, SOAP_ENV};

/// One request: the operation and its leaf elements as (`cFilter/MutatieNrVan`, text), in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub operation: Operation,
    pub elements: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The text of the element at `path`, if it was sent.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.elements.iter().find(|(p, _)| p == path).map(|(_, v)| v.as_str())
    }

    /// The element paths in the order they were sent.
    pub fn paths(&self) -> Vec<&str> {
        self.elements.iter().map(|(p, _)| p.as_str()).collect()
    }
}

fn in_ns(resolved: &ResolveResult<'_>, ns: &str) -> bool {
    matches!(resolved, ResolveResult::Bound(Namespace(n)) if *n == ns.as_bytes())
}

/// Parses the envelope; the error text becomes a SOAP fault.
pub(crate) fn parse(body: &[u8]) -> Result<RecordedRequest, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the request is not UTF-8".to_owned())?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(true);
    let read_error = |e: quick_xml::Error| format!("Server was unable to read request. ---> {e}");
    loop {
        match reader.read_resolved_event().map_err(read_error)? {
            (ns, Event::Start(e)) if e.local_name().as_ref() == b"Body" && in_ns(&ns, SOAP_ENV) => break,
            (_, Event::Eof) => return Err("the request has no SOAP 1.1 Body".to_owned()),
            _ => {}
        }
    }
    let (operation, empty) = loop {
        match reader.read_resolved_event().map_err(read_error)? {
            (ns, Event::Start(e)) => break (operation_of(&ns, e.local_name().as_ref())?, false),
            (ns, Event::Empty(e)) => break (operation_of(&ns, e.local_name().as_ref())?, true),
            (_, Event::Eof) => return Err("the SOAP Body is empty".to_owned()),
            _ => {}
        }
    };
    let mut request = RecordedRequest { operation, elements: Vec::new() };
    if empty {
        return Ok(request);
    }
    let mut path: Vec<(String, bool)> = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_resolved_event().map_err(read_error)? {
            (ns, Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let visible = in_ns(&ns, NAMESPACE) && path.iter().all(|(_, v)| *v);
                path.push((name, visible));
                text.clear();
            }
            (_, Event::Text(t)) => text.push_str(&t.unescape().map_err(read_error)?),
            (ns, Event::Empty(e)) if in_ns(&ns, NAMESPACE) && path.iter().all(|(_, v)| *v) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                request.elements.push((joined(&path, &name), String::new()));
            }
            (_, Event::End(_)) => {
                let Some((name, visible)) = path.pop() else { return Ok(request) };
                if visible && (!text.is_empty() || !had_children(&request, &path, &name)) {
                    request.elements.push((joined(&path, &name), std::mem::take(&mut text)));
                }
                text.clear();
            }
            (_, Event::Eof) => return Err("the request ends early".to_owned()),
            _ => {}
        }
    }
}

fn operation_of(ns: &ResolveResult<'_>, local: &[u8]) -> Result<Operation, String> {
    let name = String::from_utf8_lossy(local);
    if !in_ns(ns, NAMESPACE) {
        return Err(format!("Server did not recognize the request element {name} outside {NAMESPACE}."));
    }
    Operation::from_name(&name).ok_or_else(|| format!("Server did not recognize the operation {name}."))
}

fn joined(path: &[(String, bool)], name: &str) -> String {
    let mut out = String::new();
    for (part, _) in path {
        out.push_str(part);
        out.push('/');
    }
    out.push_str(name);
    out
}

/// Whether leaves below `parent/name` were recorded (then `name` is a wrapper, not an empty leaf).
fn had_children(request: &RecordedRequest, path: &[(String, bool)], name: &str) -> bool {
    let prefix = format!("{}/", joined(path, name));
    request.elements.iter().any(|(p, _)| p.starts_with(&prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_qualified_children_and_ignores_unqualified_ones() {
        let body = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><e:GetMutaties xmlns:e="http://www.e-boekhouden.nl/soap"><e:SessionID>x</e:SessionID><SecurityCode2>ignored</SecurityCode2><e:cFilter><e:MutatieNr>0</e:MutatieNr><e:Factuurnummer/><e:DatumVan>2025-01-01</e:DatumVan></e:cFilter></e:GetMutaties></s:Body></s:Envelope>"#;
        let request = parse(body.as_bytes()).unwrap();
        assert_eq!(request.operation, Operation::GetMutaties);
        assert_eq!(
            request.paths(),
            vec!["SessionID", "cFilter/MutatieNr", "cFilter/Factuurnummer", "cFilter/DatumVan"]
        );
        assert_eq!(request.get("cFilter/DatumVan"), Some("2025-01-01"));
        assert_eq!(request.get("SecurityCode2"), None);
    }

    #[test]
    fn an_operation_outside_the_namespace_is_refused() {
        let body = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetRelaties/></s:Body></s:Envelope>"#;
        assert!(parse(body.as_bytes()).unwrap_err().contains("outside"));
    }
}
