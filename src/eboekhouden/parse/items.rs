//! Field mapping of the flat list items: `cRelatie`, `cOpenPost`, `cSaldo`, `cAdministratie`.

use super::values::{amount, date, long, FieldError};
use super::{Record, RecordBuilder};
use crate::domain::Cents;
use crate::eboekhouden::records::{Administratie, OpenPost, Relatie, RelatieKind, Saldo};
use crate::eboekhouden::Operation;

/// Takes a required value out of its slot or names the missing element.
pub(super) fn required<T>(slot: Option<T>, field: &'static str) -> Result<T, FieldError> {
    slot.ok_or_else(|| FieldError::missing(field))
}

impl Record for Relatie {
    const OPERATION: Operation = Operation::GetRelaties;
    const COLLECTION: &'static str = "Relaties";
    const ITEM: &'static str = "cRelatie";
    type Builder = Relatie;
}

impl RecordBuilder for Relatie {
    type Output = Relatie;

    fn leaf(&mut self, depth: usize, name: &str, text: &str) -> Result<(), FieldError> {
        if depth != 1 {
            return Ok(());
        }
        let slot = match name {
            "ID" => {
                self.id = long("ID", text)?;
                return Ok(());
            }
            "AddDatum" => {
                // Optional for our purposes: an absent or empty date is no reason to drop a debtor.
                self.add_datum = if text.trim().is_empty() { None } else { Some(date("AddDatum", text)?) };
                return Ok(());
            }
            "BP" => {
                self.kind = match text.trim() {
                    "P" | "p" => RelatieKind::Consumer,
                    "B" | "b" | "" => RelatieKind::Business,
                    other => return Err(FieldError { field: "BP", reason: format!("`{other}` is neither B nor P") }),
                };
                return Ok(());
            }
            "Code" => &mut self.code,
            "Bedrijf" => &mut self.bedrijf,
            "Contactpersoon" => &mut self.contactpersoon,
            "Geslacht" => &mut self.geslacht,
            "Adres" => &mut self.adres,
            "Postcode" => &mut self.postcode,
            "Plaats" => &mut self.plaats,
            "Land" => &mut self.land,
            "Adres2" => &mut self.adres2,
            "Postcode2" => &mut self.postcode2,
            "Plaats2" => &mut self.plaats2,
            "Land2" => &mut self.land2,
            "Telefoon" => &mut self.telefoon,
            "GSM" => &mut self.gsm,
            "Email" => &mut self.email,
            "IBAN" => &mut self.iban,
            "BTWNummer" => &mut self.btw_nummer,
            "KvkNummer" => &mut self.kvk_nummer,
            _ => return Ok(()),
        };
        text.clone_into(slot);
        Ok(())
    }

    fn finish(self) -> Result<Relatie, FieldError> {
        Ok(self)
    }
}

/// Collects a `cOpenPost`; the dates and amounts are required by the WSDL (`minOccurs=1`).
#[derive(Debug, Default)]
pub struct OpenPostBuilder {
    mut_datum: Option<chrono::NaiveDate>,
    mut_factuur: String,
    rel_code: String,
    rel_bedrijf: String,
    bedrag: Option<Cents>,
    voldaan: Option<Cents>,
    openstaand: Option<Cents>,
}

impl Record for OpenPost {
    const OPERATION: Operation = Operation::GetOpenPosten;
    const COLLECTION: &'static str = "Openposten";
    const ITEM: &'static str = "cOpenPost";
    type Builder = OpenPostBuilder;
}

impl RecordBuilder for OpenPostBuilder {
    type Output = OpenPost;

    fn leaf(&mut self, depth: usize, name: &str, text: &str) -> Result<(), FieldError> {
        if depth != 1 {
            return Ok(());
        }
        match name {
            "MutDatum" => self.mut_datum = Some(date("MutDatum", text)?),
            "MutFactuur" => text.clone_into(&mut self.mut_factuur),
            "RelCode" => text.clone_into(&mut self.rel_code),
            "RelBedrijf" => text.clone_into(&mut self.rel_bedrijf),
            "Bedrag" => self.bedrag = Some(amount("Bedrag", text)?),
            "Voldaan" => self.voldaan = Some(amount("Voldaan", text)?),
            "Openstaand" => self.openstaand = Some(amount("Openstaand", text)?),
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<OpenPost, FieldError> {
        Ok(OpenPost {
            mut_datum: required(self.mut_datum, "MutDatum")?,
            mut_factuur: self.mut_factuur,
            rel_code: self.rel_code,
            rel_bedrijf: self.rel_bedrijf,
            bedrag: required(self.bedrag, "Bedrag")?,
            voldaan: required(self.voldaan, "Voldaan")?,
            openstaand: required(self.openstaand, "Openstaand")?,
        })
    }
}

/// Collects a `cSaldo`.
#[derive(Debug, Default)]
pub struct SaldoBuilder {
    id: i64,
    code: String,
    categorie: String,
    saldo: Option<Cents>,
}

impl Record for Saldo {
    const OPERATION: Operation = Operation::GetSaldi;
    const COLLECTION: &'static str = "Saldi";
    const ITEM: &'static str = "cSaldo";
    type Builder = SaldoBuilder;
}

impl RecordBuilder for SaldoBuilder {
    type Output = Saldo;

    fn leaf(&mut self, depth: usize, name: &str, text: &str) -> Result<(), FieldError> {
        match (depth, name) {
            (1, "ID") => self.id = long("ID", text)?,
            (1, "Code") => text.clone_into(&mut self.code),
            (1, "Categorie") => text.clone_into(&mut self.categorie),
            (1, "Saldo") => self.saldo = Some(amount("Saldo", text)?),
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Saldo, FieldError> {
        Ok(Saldo { id: self.id, code: self.code, categorie: self.categorie, saldo: required(self.saldo, "Saldo")? })
    }
}

/// Collects a `cAdministratie`.
#[derive(Debug, Default)]
pub struct AdministratieBuilder {
    bedrijf: String,
    plaats: String,
    guid: String,
    start_boekjaar: String,
}

impl Record for Administratie {
    const OPERATION: Operation = Operation::GetAdministraties;
    const COLLECTION: &'static str = "Administraties";
    const ITEM: &'static str = "cAdministratie";
    type Builder = AdministratieBuilder;
}

impl RecordBuilder for AdministratieBuilder {
    type Output = Administratie;

    fn leaf(&mut self, depth: usize, name: &str, text: &str) -> Result<(), FieldError> {
        match (depth, name) {
            (1, "Bedrijf") => text.clone_into(&mut self.bedrijf),
            (1, "Plaats") => text.clone_into(&mut self.plaats),
            (1, "Guid") => text.clone_into(&mut self.guid),
            (1, "StartBoekjaar") => text.clone_into(&mut self.start_boekjaar),
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Administratie, FieldError> {
        Ok(Administratie {
            bedrijf: self.bedrijf,
            plaats: self.plaats,
            guid: self.guid.into(),
            start_boekjaar: self.start_boekjaar,
        })
    }
}
