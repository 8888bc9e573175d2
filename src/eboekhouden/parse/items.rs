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

    fn leaf(&mut self, depth: usize, name: &[u8], text: &str) -> Result<(), FieldError> {
        if depth != 1 {
            return Ok(());
        }
        let slot = match name {
            b"ID" => {
                self.id = long("ID", text)?;
                return Ok(());
            }
            b"AddDatum" => {
                // Optional for our purposes: an absent or empty date is no reason to drop a debtor.
                self.add_datum = if text.trim().is_empty() { None } else { Some(date("AddDatum", text)?) };
                return Ok(());
            }
            b"BP" => {
                self.kind = match text.trim() {
                    "P" | "p" => RelatieKind::Consumer,
                    "B" | "b" | "" => RelatieKind::Business,
                    other => return Err(FieldError { field: "BP", reason: format!("`{other}` is neither B nor P") }),
                };
                return Ok(());
            }
            b"Code" => &mut self.code,
            b"Bedrijf" => &mut self.bedrijf,
            b"Contactpersoon" => &mut self.contactpersoon,
            b"Geslacht" => &mut self.geslacht,
            b"Adres" => &mut self.adres,
            b"Postcode" => &mut self.postcode,
            b"Plaats" => &mut self.plaats,
            b"Land" => &mut self.land,
            b"Adres2" => &mut self.adres2,
            b"Postcode2" => &mut self.postcode2,
            b"Plaats2" => &mut self.plaats2,
            b"Land2" => &mut self.land2,
            b"Telefoon" => &mut self.telefoon,
            b"GSM" => &mut self.gsm,
            b"Email" => &mut self.email,
            b"IBAN" => &mut self.iban,
            b"BTWNummer" => &mut self.btw_nummer,
            b"KvkNummer" => &mut self.kvk_nummer,
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

    fn leaf(&mut self, depth: usize, name: &[u8], text: &str) -> Result<(), FieldError> {
        if depth != 1 {
            return Ok(());
        }
        match name {
            b"MutDatum" => self.mut_datum = Some(date("MutDatum", text)?),
            b"MutFactuur" => text.clone_into(&mut self.mut_factuur),
            b"RelCode" => text.clone_into(&mut self.rel_code),
            b"RelBedrijf" => text.clone_into(&mut self.rel_bedrijf),
            b"Bedrag" => self.bedrag = Some(amount("Bedrag", text)?),
            b"Voldaan" => self.voldaan = Some(amount("Voldaan", text)?),
            b"Openstaand" => self.openstaand = Some(amount("Openstaand", text)?),
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

    fn leaf(&mut self, depth: usize, name: &[u8], text: &str) -> Result<(), FieldError> {
        match (depth, name) {
            (1, b"ID") => self.id = long("ID", text)?,
            (1, b"Code") => text.clone_into(&mut self.code),
            (1, b"Categorie") => text.clone_into(&mut self.categorie),
            (1, b"Saldo") => self.saldo = Some(amount("Saldo", text)?),
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

    fn leaf(&mut self, depth: usize, name: &[u8], text: &str) -> Result<(), FieldError> {
        match (depth, name) {
            (1, b"Bedrijf") => text.clone_into(&mut self.bedrijf),
            (1, b"Plaats") => text.clone_into(&mut self.plaats),
            (1, b"Guid") => text.clone_into(&mut self.guid),
            (1, b"StartBoekjaar") => text.clone_into(&mut self.start_boekjaar),
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
