//! Request envelopes: SOAP 1.1, every element in the e-Boekhouden namespace, in WSDL order, every
//! element present (the manual: "all tags must be present, unused numerical tags as 0").

use chrono::NaiveDate;
use quick_xml::escape::escape;

use super::{Operation, NAMESPACE, SOAP_ENV};

/// Filter of GetRelaties (`cRelatieFilter`). The default matches every relation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RelatieFilter {
    pub trefwoord: String,
    pub code: String,
    /// `0` = no filter.
    pub id: i64,
}

/// Filter of GetFacturen (`cFactuurFilter`); both dates are always sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactuurFilter {
    pub factuurnummer: String,
    pub relatiecode: String,
    pub datum_van: NaiveDate,
    pub datum_tm: NaiveDate,
}

/// Filter of GetMutaties (`cMutatieFilter`). Numbers are inclusive; `0` = no filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MutatieFilter {
    pub mutatie_nr: i64,
    pub mutatie_nr_van: i64,
    pub mutatie_nr_tm: i64,
    pub factuurnummer: String,
    pub datum_van: NaiveDate,
    pub datum_tm: NaiveDate,
}

/// Filter of GetSaldi (`cSaldiFilter`); `categorie` e.g. `DEB` for receivables, empty for all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaldiFilter {
    pub kostenplaats_id: i64,
    pub datum_van: NaiveDate,
    pub datum_tot: NaiveDate,
    pub categorie: String,
}

/// The widest dates clients are seen to use; the booking range itself is 1980–2049.
pub(crate) fn wide_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}
pub(crate) fn wide_to() -> NaiveDate {
    NaiveDate::from_ymd_opt(2050, 12, 31).unwrap_or_default()
}

impl FactuurFilter {
    /// Every invoice between the two dates.
    pub fn between(datum_van: NaiveDate, datum_tm: NaiveDate) -> Self {
        FactuurFilter { factuurnummer: String::new(), relatiecode: String::new(), datum_van, datum_tm }
    }
}

impl Default for FactuurFilter {
    fn default() -> Self {
        FactuurFilter::between(wide_from(), wide_to())
    }
}

impl MutatieFilter {
    /// Mutations numbered `van..=tm` (`tm = 0`: no upper bound) booked on or after `datum_van`.
    pub fn numbers(van: i64, tm: i64, datum_van: NaiveDate) -> Self {
        MutatieFilter {
            mutatie_nr: 0,
            mutatie_nr_van: van,
            mutatie_nr_tm: tm,
            factuurnummer: String::new(),
            datum_van,
            datum_tm: wide_to(),
        }
    }
}

impl SaldiFilter {
    /// Balances of one category over the widest date range.
    pub fn categorie(categorie: impl Into<String>) -> Self {
        SaldiFilter { kostenplaats_id: 0, datum_van: wide_from(), datum_tot: wide_to(), categorie: categorie.into() }
    }
}

/// Builds the body of one request; `el` appends `<name>escaped</name>`.
pub(crate) struct Envelope {
    xml: String,
    operation: Operation,
}

impl Envelope {
    pub(crate) fn new(operation: Operation) -> Self {
        let mut xml = String::with_capacity(512);
        xml.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
        xml.push_str(&format!(r#"<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="{SOAP_ENV}"><soap:Body>"#));
        xml.push_str(&format!(r#"<{operation} xmlns="{NAMESPACE}">"#));
        Envelope { xml, operation }
    }

    pub(crate) fn el(mut self, name: &str, value: &str) -> Self {
        self.xml.push_str(&format!("<{name}>{}</{name}>", escape(value)));
        self
    }

    pub(crate) fn num(self, name: &str, value: i64) -> Self {
        self.el(name, &value.to_string())
    }

    pub(crate) fn date(self, name: &str, value: NaiveDate) -> Self {
        self.el(name, &value.format("%Y-%m-%d").to_string())
    }

    pub(crate) fn open(mut self, name: &str) -> Self {
        self.xml.push_str(&format!("<{name}>"));
        self
    }

    pub(crate) fn close(mut self, name: &str) -> Self {
        self.xml.push_str(&format!("</{name}>"));
        self
    }

    pub(crate) fn finish(mut self) -> String {
        self.xml.push_str(&format!("</{}></soap:Body></soap:Envelope>", self.operation));
        self.xml
    }
}

/// `SessionID` + `SecurityCode2`: the first two children of every call after OpenSession.
pub(crate) fn authenticated(operation: Operation, session_id: &str, code_2: &str) -> Envelope {
    Envelope::new(operation).el("SessionID", session_id).el("SecurityCode2", code_2)
}

impl RelatieFilter {
    pub(crate) fn write(&self, envelope: Envelope) -> Envelope {
        envelope
            .open("cFilter")
            .el("Trefwoord", &self.trefwoord)
            .el("Code", &self.code)
            .num("ID", self.id)
            .close("cFilter")
    }
}

impl FactuurFilter {
    pub(crate) fn write(&self, envelope: Envelope) -> Envelope {
        envelope
            .open("cFilter")
            .el("Factuurnummer", &self.factuurnummer)
            .el("Relatiecode", &self.relatiecode)
            .date("DatumVan", self.datum_van)
            .date("DatumTm", self.datum_tm)
            .close("cFilter")
    }
}

impl MutatieFilter {
    pub(crate) fn write(&self, envelope: Envelope) -> Envelope {
        envelope
            .open("cFilter")
            .num("MutatieNr", self.mutatie_nr)
            .num("MutatieNrVan", self.mutatie_nr_van)
            .num("MutatieNrTm", self.mutatie_nr_tm)
            .el("Factuurnummer", &self.factuurnummer)
            .date("DatumVan", self.datum_van)
            .date("DatumTm", self.datum_tm)
            .close("cFilter")
    }
}

impl SaldiFilter {
    pub(crate) fn write(&self, envelope: Envelope) -> Envelope {
        envelope
            .open("cFilter")
            .num("KostenPlaatsId", self.kostenplaats_id)
            .date("DatumVan", self.datum_van)
            .date("DatumTot", self.datum_tot)
            .el("Categorie", &self.categorie)
            .close("cFilter")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_mutaties_sends_every_filter_element_in_wsdl_order_and_escapes_text() {
        let mut filter = MutatieFilter::numbers(501, 1000, NaiveDate::from_ymd_opt(2025, 1, 2).unwrap());
        filter.factuurnummer = "A&B<1>".into();
        let xml = filter.write(authenticated(Operation::GetMutaties, "{s}", "c2")).finish();
        let body = xml.split_once("<soap:Body>").unwrap().1;
        assert_eq!(
            body,
            "<GetMutaties xmlns=\"http://www.e-boekhouden.nl/soap\"><SessionID>{s}</SessionID>\
             <SecurityCode2>c2</SecurityCode2><cFilter><MutatieNr>0</MutatieNr><MutatieNrVan>501</MutatieNrVan>\
             <MutatieNrTm>1000</MutatieNrTm><Factuurnummer>A&amp;B&lt;1&gt;</Factuurnummer>\
             <DatumVan>2025-01-02</DatumVan><DatumTm>2050-12-31</DatumTm></cFilter></GetMutaties>\
             </soap:Body></soap:Envelope>"
        );
    }
}
