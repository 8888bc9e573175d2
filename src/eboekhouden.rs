//! The e-Boekhouden.nl SOAP client, its streamed typed records, and a faithful simulator.
//!
//! The wire contract follows e-Boekhouden's published WSDL (`tests/it/zeep.rs` checks the simulator
//! against it with an independent client): SOAP 1.1, document/literal,
//! every element in the `http://www.e-boekhouden.nl/soap` namespace, WSDL element order). Responses are
//! streamed: records come out one at a time and nothing holds a whole response. This module knows only
//! the wire types; mapping them to commands is the importer's job.

pub mod budget;
pub mod client;
pub mod credentials;
pub mod error;
pub mod mutaties;
pub mod parse;
pub mod records;
mod request;
pub mod settings;
pub mod simulator;

pub use budget::{BudgetMonth, CallBudget, InMemoryCallBudget};
pub use client::Client;
pub use credentials::Credentials;
pub use error::Error;
pub use mutaties::{MutatieSync, ROW_CAP};
pub use parse::Records;
pub use records::{
    Administratie, Factuur, FactuurRegel, Mutatie, MutatieRegel, MutatieSoort, OpenPost, Relatie, RelatieKind, Saldo,
};
pub use request::{FactuurFilter, MutatieFilter, RelatieFilter, SaldiFilter};
pub use settings::ClientSettings;

/// The target namespace of every request and response element.
pub const NAMESPACE: &str = "http://www.e-boekhouden.nl/soap";
/// The SOAP 1.1 envelope namespace.
pub const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The SOAP operations this crate speaks; the name is the request element and the SOAPAction suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Operation {
    OpenSession,
    CloseSession,
    GetAdministraties,
    GetRelaties,
    GetOpenPosten,
    GetFacturen,
    GetMutaties,
    GetSaldi,
}

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::OpenSession,
        Operation::CloseSession,
        Operation::GetAdministraties,
        Operation::GetRelaties,
        Operation::GetOpenPosten,
        Operation::GetFacturen,
        Operation::GetMutaties,
        Operation::GetSaldi,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::OpenSession => "OpenSession",
            Operation::CloseSession => "CloseSession",
            Operation::GetAdministraties => "GetAdministraties",
            Operation::GetRelaties => "GetRelaties",
            Operation::GetOpenPosten => "GetOpenPosten",
            Operation::GetFacturen => "GetFacturen",
            Operation::GetMutaties => "GetMutaties",
            Operation::GetSaldi => "GetSaldi",
        }
    }

    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The quoted SOAPAction header value of SOAP 1.1.
    pub fn soap_action(self) -> String {
        format!("\"{NAMESPACE}/{}\"", self.name())
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
