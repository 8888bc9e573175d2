//! The typed records of the read operations, one struct per WSDL list item (`cRelatie`, `cOpenPost`,
//! `cFactuurList`, `cMutatieList`, `cSaldo`, `cAdministratie`). Amounts are `Cents`, dates `NaiveDate`;
//! codes stay plain strings because mapping them to domain ids is the importer's job.

use chrono::NaiveDate;
use secrecy::SecretString;

use crate::domain::Cents;

/// `BP`: `P` is a private person, `B` (the service's default) a business.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RelatieKind {
    Consumer,
    #[default]
    Business,
}

/// A relation (`cRelatie`): a debtor or creditor with its contact data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relatie {
    pub id: i64,
    pub add_datum: Option<NaiveDate>,
    pub code: String,
    pub kind: RelatieKind,
    pub bedrijf: String,
    pub contactpersoon: String,
    pub geslacht: String,
    pub adres: String,
    pub postcode: String,
    pub plaats: String,
    pub land: String,
    pub adres2: String,
    pub postcode2: String,
    pub plaats2: String,
    pub land2: String,
    pub telefoon: String,
    pub gsm: String,
    pub email: String,
    pub iban: String,
    pub btw_nummer: String,
    pub kvk_nummer: String,
}

impl Relatie {
    /// The display name: `Bedrijf` holds the company or the person's name; fall back to the contact.
    pub fn name(&self) -> &str {
        if self.bedrijf.trim().is_empty() {
            &self.contactpersoon
        } else {
            &self.bedrijf
        }
    }
}

/// An open item (`cOpenPost`) of GetOpenPosten: what the books say is still unpaid on an invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenPost {
    pub mut_datum: NaiveDate,
    pub mut_factuur: String,
    pub rel_code: String,
    pub rel_bedrijf: String,
    pub bedrag: Cents,
    pub voldaan: Cents,
    pub openstaand: Cents,
}

/// An invoice of the invoicing module (`cFactuurList`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factuur {
    pub factuurnummer: String,
    pub relatiecode: String,
    pub datum: NaiveDate,
    /// Payment term in days.
    pub betalingstermijn: i64,
    pub totaal_excl_btw: Cents,
    pub totaal_btw: Cents,
    pub totaal_incl_btw: Cents,
    pub totaal_openstaand: Cents,
    pub url_pdf_bestand: String,
    pub regels: Vec<FactuurRegel>,
}

impl Factuur {
    /// `Datum + Betalingstermijn`, or `None` for a negative or absurd term.
    pub fn due_date(&self) -> Option<NaiveDate> {
        let days = u64::try_from(self.betalingstermijn).ok()?;
        self.datum.checked_add_days(chrono::Days::new(days))
    }
}

/// An invoice line (`cFactuurRegel`). Quantity and unit price may carry more than two decimals, so
/// they keep their wire text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactuurRegel {
    pub aantal: String,
    pub eenheid: String,
    pub code: String,
    pub omschrijving: String,
    pub prijs_per_eenheid: String,
    pub btw_code: String,
    pub tegenrekening_code: String,
    pub kostenplaats_id: i64,
}

/// `Soort` (`enMutatieSoorten`), kept open because clients that closed it broke on new values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MutatieSoort {
    OpeningsSaldo,
    FactuurOntvangen,
    FactuurVerstuurd,
    FactuurbetalingOntvangen,
    FactuurbetalingVerstuurd,
    GeldOntvangen,
    GeldUitgegeven,
    Memoriaal,
    Unknown(String),
}

impl MutatieSoort {
    pub fn parse(text: &str) -> MutatieSoort {
        match text.trim() {
            "OpeningsSaldo" => MutatieSoort::OpeningsSaldo,
            "FactuurOntvangen" => MutatieSoort::FactuurOntvangen,
            "FactuurVerstuurd" => MutatieSoort::FactuurVerstuurd,
            "FactuurbetalingOntvangen" => MutatieSoort::FactuurbetalingOntvangen,
            "FactuurbetalingVerstuurd" => MutatieSoort::FactuurbetalingVerstuurd,
            "GeldOntvangen" => MutatieSoort::GeldOntvangen,
            "GeldUitgegeven" => MutatieSoort::GeldUitgegeven,
            "Memoriaal" => MutatieSoort::Memoriaal,
            other => MutatieSoort::Unknown(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            MutatieSoort::OpeningsSaldo => "OpeningsSaldo",
            MutatieSoort::FactuurOntvangen => "FactuurOntvangen",
            MutatieSoort::FactuurVerstuurd => "FactuurVerstuurd",
            MutatieSoort::FactuurbetalingOntvangen => "FactuurbetalingOntvangen",
            MutatieSoort::FactuurbetalingVerstuurd => "FactuurbetalingVerstuurd",
            MutatieSoort::GeldOntvangen => "GeldOntvangen",
            MutatieSoort::GeldUitgegeven => "GeldUitgegeven",
            MutatieSoort::Memoriaal => "Memoriaal",
            MutatieSoort::Unknown(other) => other,
        }
    }
}

/// A journal entry (`cMutatieList`) of GetMutaties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutatie {
    pub mutatie_nr: i64,
    pub soort: MutatieSoort,
    pub datum: NaiveDate,
    pub rekening: String,
    pub relatie_code: String,
    pub factuurnummer: String,
    pub boekstuk: String,
    pub omschrijving: String,
    /// The payment term as the service sends it here: a string (a number in `cFactuurList`).
    pub betalingstermijn: String,
    pub in_ex_btw: String,
    pub regels: Vec<MutatieRegel>,
}

impl Mutatie {
    /// The payment term in days when the string holds a plain non-negative number.
    pub fn betalingstermijn_days(&self) -> Option<u32> {
        self.betalingstermijn.trim().parse().ok()
    }

    /// The sum of the lines' `BedragInclBTW`, or `None` on overflow.
    pub fn total_incl_btw(&self) -> Option<Cents> {
        Cents::checked_sum(self.regels.iter().map(|r| r.bedrag_incl_btw)).ok()
    }
}

/// A line of a journal entry (`cMutatieListRegel`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MutatieRegel {
    pub bedrag_invoer: Cents,
    pub bedrag_excl_btw: Cents,
    pub bedrag_btw: Cents,
    pub bedrag_incl_btw: Cents,
    pub btw_code: String,
    /// A percentage, not money: kept as its wire text (`21`, `21.0000`).
    pub btw_percentage: String,
    /// The invoice this line refers to (e.g. the invoice a payment line settles).
    pub factuurnummer: String,
    pub tegenrekening_code: String,
    pub kostenplaats_id: i64,
}

/// A ledger balance (`cSaldo`) of GetSaldi.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saldo {
    pub id: i64,
    pub code: String,
    pub categorie: String,
    pub saldo: Cents,
}

/// An administration linked to the account (`cAdministratie`). The manual calls its `Guid` that
/// administration's SecurityCode2, so it is kept secret.
#[derive(Clone, Debug)]
pub struct Administratie {
    pub bedrijf: String,
    pub plaats: String,
    pub guid: SecretString,
    pub start_boekjaar: String,
}
