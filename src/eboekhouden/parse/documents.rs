//! Field mapping of the items with lines: `cFactuurList` (+ `cFactuurRegel`) and `cMutatieList`
//! (+ `cMutatieListRegel`). Depth 1 is a field of the item, depth 2 a line, depth 3 a line's field.

use chrono::NaiveDate;

use super::items::required;
use super::values::{amount, date, long, FieldError};
use super::{Record, RecordBuilder};
use crate::domain::Cents;
use crate::eboekhouden::records::{Factuur, FactuurRegel, Mutatie, MutatieRegel, MutatieSoort};
use crate::eboekhouden::Operation;

/// Collects a `cFactuurList`.
#[derive(Debug, Default)]
pub struct FactuurBuilder {
    factuurnummer: String,
    relatiecode: String,
    datum: Option<NaiveDate>,
    betalingstermijn: Option<i64>,
    totals: [Option<Cents>; 4],
    url_pdf_bestand: String,
    regels: Vec<FactuurRegel>,
}

impl Record for Factuur {
    const OPERATION: Operation = Operation::GetFacturen;
    const COLLECTION: &'static str = "Facturen";
    const ITEM: &'static str = "cFactuurList";
    type Builder = FactuurBuilder;
}

const TOTALS: [&str; 4] = ["TotaalExclBTW", "TotaalBTW", "TotaalInclBTW", "TotaalOpenstaand"];

impl RecordBuilder for FactuurBuilder {
    type Output = Factuur;

    fn start(&mut self, depth: usize, name: &[u8]) {
        if depth == 2 && name == b"cFactuurRegel" {
            self.regels.push(FactuurRegel::default());
        }
    }

    fn leaf(&mut self, depth: usize, name: &[u8], text: &str) -> Result<(), FieldError> {
        match depth {
            1 => match name {
                b"Factuurnummer" => text.clone_into(&mut self.factuurnummer),
                // Untyped in the WSDL (xs:anyType): read as text.
                b"Relatiecode" => text.clone_into(&mut self.relatiecode),
                b"Datum" => self.datum = Some(date("Datum", text)?),
                b"Betalingstermijn" => self.betalingstermijn = Some(long("Betalingstermijn", text)?),
                b"URLPDFBestand" => text.clone_into(&mut self.url_pdf_bestand),
                _ => {
                    if let Some(i) = TOTALS.iter().position(|t| t.as_bytes() == name) {
                        self.totals[i] = Some(amount(TOTALS[i], text)?);
                    }
                }
            },
            3 => {
                let Some(regel) = self.regels.last_mut() else { return Ok(()) };
                let slot = match name {
                    b"Aantal" => &mut regel.aantal,
                    b"Eenheid" => &mut regel.eenheid,
                    b"Code" => &mut regel.code,
                    b"Omschrijving" => &mut regel.omschrijving,
                    b"PrijsPerEenheid" => &mut regel.prijs_per_eenheid,
                    b"BTWCode" => &mut regel.btw_code,
                    b"TegenrekeningCode" => &mut regel.tegenrekening_code,
                    b"KostenplaatsID" => {
                        regel.kostenplaats_id = long("KostenplaatsID", text)?;
                        return Ok(());
                    }
                    _ => return Ok(()),
                };
                text.clone_into(slot);
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Factuur, FieldError> {
        let [excl, btw, incl, open] = self.totals;
        Ok(Factuur {
            factuurnummer: self.factuurnummer,
            relatiecode: self.relatiecode,
            datum: required(self.datum, "Datum")?,
            betalingstermijn: required(self.betalingstermijn, "Betalingstermijn")?,
            totaal_excl_btw: required(excl, TOTALS[0])?,
            totaal_btw: required(btw, TOTALS[1])?,
            totaal_incl_btw: required(incl, TOTALS[2])?,
            totaal_openstaand: required(open, TOTALS[3])?,
            url_pdf_bestand: self.url_pdf_bestand,
            regels: self.regels,
        })
    }
}

/// Collects a `cMutatieList`.
#[derive(Debug, Default)]
pub struct MutatieBuilder {
    mutatie_nr: Option<i64>,
    soort: Option<MutatieSoort>,
    datum: Option<NaiveDate>,
    text: [String; 7],
    regels: Vec<MutatieRegel>,
}

impl Record for Mutatie {
    const OPERATION: Operation = Operation::GetMutaties;
    const COLLECTION: &'static str = "Mutaties";
    const ITEM: &'static str = "cMutatieList";
    type Builder = MutatieBuilder;
}

const TEXT_FIELDS: [&str; 7] =
    ["Rekening", "RelatieCode", "Factuurnummer", "Boekstuk", "Omschrijving", "Betalingstermijn", "InExBTW"];

impl RecordBuilder for MutatieBuilder {
    type Output = Mutatie;

    fn start(&mut self, depth: usize, name: &[u8]) {
        if depth == 2 && name == b"cMutatieListRegel" {
            self.regels.push(MutatieRegel::default());
        }
    }

    fn leaf(&mut self, depth: usize, name: &[u8], text: &str) -> Result<(), FieldError> {
        match (depth, name) {
            (1, b"MutatieNr") => self.mutatie_nr = Some(long("MutatieNr", text)?),
            (1, b"Soort") => self.soort = Some(MutatieSoort::parse(text)),
            (1, b"Datum") => self.datum = Some(date("Datum", text)?),
            (1, _) => {
                if let Some(i) = TEXT_FIELDS.iter().position(|t| t.as_bytes() == name) {
                    text.clone_into(&mut self.text[i]);
                }
            }
            (3, _) => {
                if let Some(regel) = self.regels.last_mut() {
                    regel_field(regel, name, text)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Mutatie, FieldError> {
        let [rekening, relatie_code, factuurnummer, boekstuk, omschrijving, betalingstermijn, in_ex_btw] = self.text;
        Ok(Mutatie {
            mutatie_nr: required(self.mutatie_nr, "MutatieNr")?,
            soort: required(self.soort, "Soort")?,
            datum: required(self.datum, "Datum")?,
            rekening,
            relatie_code,
            factuurnummer,
            boekstuk,
            omschrijving,
            betalingstermijn,
            in_ex_btw,
            regels: self.regels,
        })
    }
}

fn regel_field(regel: &mut MutatieRegel, name: &[u8], text: &str) -> Result<(), FieldError> {
    match name {
        b"BedragInvoer" => regel.bedrag_invoer = amount("BedragInvoer", text)?,
        b"BedragExclBTW" => regel.bedrag_excl_btw = amount("BedragExclBTW", text)?,
        b"BedragBTW" => regel.bedrag_btw = amount("BedragBTW", text)?,
        b"BedragInclBTW" => regel.bedrag_incl_btw = amount("BedragInclBTW", text)?,
        b"BTWCode" => text.clone_into(&mut regel.btw_code),
        b"BTWPercentage" => text.trim().clone_into(&mut regel.btw_percentage),
        b"Factuurnummer" => text.clone_into(&mut regel.factuurnummer),
        b"TegenrekeningCode" => text.clone_into(&mut regel.tegenrekening_code),
        b"KostenplaatsID" => regel.kostenplaats_id = long("KostenplaatsID", text)?,
        _ => {}
    }
    Ok(())
}
