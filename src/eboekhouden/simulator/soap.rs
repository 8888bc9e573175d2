//! The SOAP endpoint: reads the request, checks SOAPAction, applies an injected fault, checks the
//! session, then lets `ops` answer.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;

use super::body::{xml_response, Damage};
use super::faults::FaultKind;
use super::request::{self, RecordedRequest};
use super::{lock, ops, render, Session, Shared};
use crate::eboekhouden::{Operation, NAMESPACE};

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let request = match request::parse(&body) {
        Ok(request) => request,
        Err(message) => return fault("soap:Client", &message),
    };
    let action = headers.get("SOAPAction").and_then(|v| v.to_str().ok()).unwrap_or("").trim().trim_matches('"');
    if action != format!("{NAMESPACE}/{}", request.operation) {
        return fault(
            "soap:Client",
            &format!("Server did not recognize the value of HTTP Header SOAPAction: {action}."),
        );
    }
    shared.record(request.clone());
    let injected = lock(&shared.faults).take(request.operation);
    let mut damage = Damage::default();
    match injected {
        Some(FaultKind::Latency { millis }) => tokio::time::sleep(Duration::from_millis(millis)).await,
        Some(FaultKind::Http500) => {
            let html = "<html><body><h1>Server Error in '/' Application.</h1></body></html>";
            return (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/html")], html).into_response();
        }
        Some(FaultKind::SoapFault) => {
            return fault("soap:Server", "Server was unable to process request. ---> Simulated failure.");
        }
        Some(FaultKind::SessionExpired) if request.operation != Operation::OpenSession => {
            if let Some(id) = request.get("SessionID") {
                lock(&shared.sessions).remove(id);
            }
            return service_error(request.operation, "E002.3", "Sessie is verlopen.");
        }
        Some(FaultKind::CutOff { after_bytes }) => damage.cut_after = Some(after_bytes),
        Some(FaultKind::MalformedXml) => damage.malformed = true,
        Some(FaultKind::BadRecord) => damage.bad_record = true,
        Some(FaultKind::SessionExpired) | None => {}
    }
    match request.operation {
        Operation::OpenSession => open_session(&shared, &request),
        Operation::CloseSession => close_session(&shared, &request),
        op => {
            if let Err((code, description)) = check_session(&shared, &request) {
                return service_error(op, code, description);
            }
            ops::respond(&shared, &request, damage)
        }
    }
}

pub(crate) fn fault(code: &str, message: &str) -> Response {
    xml_response(StatusCode::INTERNAL_SERVER_ERROR, render::fault(code, message))
}

pub(crate) fn service_error(op: Operation, code: &str, description: &str) -> Response {
    xml_response(StatusCode::OK, render::service_error(op, code, description))
}

fn open_session(shared: &Shared, request: &RecordedRequest) -> Response {
    let config = &shared.config;
    let op = Operation::OpenSession;
    if request.get("Username") != Some(config.username.as_str())
        || request.get("SecurityCode1") != Some(config.security_code_1.expose_secret())
    {
        return service_error(op, "E001.1", "Gebruikersnaam of beveiligingscode 1 is onjuist.");
    }
    if request.get("SecurityCode2") != Some(config.security_code_2.expose_secret()) {
        return service_error(op, "E001.3", "Beveiligingscode 2 is onjuist.");
    }
    let id = format!("{{{}}}", uuid::Uuid::new_v4().to_string().to_uppercase());
    lock(&shared.sessions).insert(id.clone(), Session { opened: std::time::Instant::now() });
    let mut out = String::new();
    render::result_open(&mut out, op, &shared.shape());
    render::el(&mut out, "SessionID", &id);
    render::result_close(&mut out, op);
    xml_response(StatusCode::OK, out)
}

fn close_session(shared: &Shared, request: &RecordedRequest) -> Response {
    if let Some(id) = request.get("SessionID") {
        if lock(&shared.sessions).remove(id).is_some() {
            lock(&shared.closed).insert(id.to_owned());
        }
    }
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CloseSessionResponse xmlns="{NAMESPACE}" /></soap:Body></soap:Envelope>"#
    );
    xml_response(StatusCode::OK, body)
}

/// E002.x for a missing, closed, expired or mismatched session.
fn check_session(shared: &Shared, request: &RecordedRequest) -> Result<(), (&'static str, &'static str)> {
    let id = request.get("SessionID").unwrap_or("");
    if lock(&shared.closed).contains(id) {
        return Err(("E002.4", "Sessie is al afgesloten."));
    }
    let mut sessions = lock(&shared.sessions);
    let Some(session) = sessions.get(id) else { return Err(("E002.2", "Sessie niet gevonden.")) };
    if session.opened.elapsed() > shared.config.session_lifetime {
        sessions.remove(id);
        return Err(("E002.3", "Sessie is verlopen."));
    }
    if request.get("SecurityCode2") != Some(shared.config.security_code_2.expose_secret()) {
        return Err(("E002.1", "Ongeldige sessievariabelen."));
    }
    Ok(())
}
