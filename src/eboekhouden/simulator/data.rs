//! The generated administration. The base (debtors and the first invoices with their payments) is a
//! pure function of the seed, generated row by row on demand; what `advance_days` adds or changes lives
//! in a small overlay. So a 1 GB GetOpenPosten is served without holding the administration in memory.

mod advance;

pub use advance::{Change, ChangeAction, DocumentKind};

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::draw::{self, Draw};

const FIRST: [&str; 12] =
    ["Jan", "Fatima", "Pieter", "Sanne", "Mohamed", "Eva", "Kees", "Lotte", "Ahmet", "Noor", "Bram", "Anouk"];
const LAST: [&str; 12] =
    ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Yilmaz", "Bos", "Vos", "Peters"];
const TRADE: [&str; 8] = ["Bouw", "Techniek", "Advies", "Installatie", "Transport", "Design", "Groothandel", "Zorg"];
const CITY: [&str; 8] = ["Amsterdam", "Utrecht", "Zwolle", "Groningen", "Eindhoven", "Leiden", "Tilburg", "Arnhem"];
const STREET: [&str; 6] = ["Kerkstraat", "Dorpsweg", "Stationsplein", "Molenlaan", "Havenkade", "Schoolstraat"];
/// The base invoices lie in the 180 days before the simulator's first day.
const BASE_SPAN_DAYS: u64 = 180;

/// A generated relation.
#[derive(Clone, Debug)]
pub(crate) struct Debtor {
    pub id: i64,
    pub code: String,
    pub consumer: bool,
    pub bedrijf: String,
    pub contactpersoon: String,
    pub adres: String,
    pub postcode: String,
    pub plaats: String,
    pub email: String,
    pub kvk: String,
}

/// How an invoice exists in e-Boekhouden.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InvoiceKind {
    /// Made in the invoicing module: in GetFacturen and booked as a `FactuurVerstuurd` mutation.
    Regular,
    /// Booked by an external system with AddMutatie only: not in GetFacturen.
    MutationOnly,
    /// A negative invoice made in the invoicing module.
    CreditNote,
}

/// Amounts in cents of one invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Amounts {
    pub excl: i64,
    pub btw: i64,
    pub incl: i64,
}

impl Amounts {
    /// 21 % VAT, rounded half away from zero to the cent.
    pub(crate) fn from_excl(excl: i64) -> Amounts {
        let btw = (excl * 21 + excl.signum() * 50) / 100;
        Amounts { excl, btw, incl: excl + btw }
    }
}

/// A generated invoice or credit note and the payment planned for it.
#[derive(Clone, Debug)]
pub(crate) struct Invoice {
    pub index: u64,
    pub number: String,
    pub debtor: u64,
    pub kind: InvoiceKind,
    pub date: NaiveDate,
    pub term_days: u32,
    pub amounts: Amounts,
    /// The `FactuurVerstuurd` mutation.
    pub mutatie_nr: i64,
    /// When and how much the debtor will pay (`None`: never).
    pub plan: Option<(NaiveDate, i64)>,
}

/// A payment (`FactuurbetalingOntvangen`) booked on an invoice.
#[derive(Clone, Debug)]
pub(crate) struct Payment {
    pub mutatie_nr: i64,
    pub invoice: u64,
    pub date: NaiveDate,
    pub amount: i64,
}

/// What a mutation number refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MutationRef {
    Invoice(u64),
    /// An index into `Model::payments`, or a base payment of the invoice with this index.
    Payment(usize),
    BasePayment(u64),
}

/// The administration at one moment: the seed-defined base plus the overlay of later days.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub seed: u64,
    pub debtors: u64,
    pub base_invoices: u64,
    pub start: NaiveDate,
    pub today: NaiveDate,
    /// Invoices created after the start, by index (`≥ base_invoices`).
    pub new_invoices: Vec<Invoice>,
    /// Payments booked after the start.
    pub payments: Vec<Payment>,
    /// Corrected amounts by invoice index.
    pub corrections: HashMap<u64, Amounts>,
    /// Sum of the overlay payments by invoice index.
    pub paid_later: HashMap<u64, i64>,
    /// Mutations numbered after the base range.
    pub later_mutations: BTreeMap<i64, MutationRef>,
    pub next_mutatie_nr: i64,
    /// Invoices whose planned payment was booked after the start.
    pub settled: HashSet<u64>,
}

/// A debtor's or invoice's index as a number of the books; `SimulatorConfig` caps the sizes.
fn index(k: u64) -> i64 {
    i64::try_from(k).expect("the simulator's sizes are capped at SimulatorConfig::MAX_SIZE")
}

impl Model {
    pub(crate) fn new(seed: u64, debtors: u64, base_invoices: u64, start: NaiveDate) -> Model {
        let base_top = index(base_invoices) * 2;
        Model {
            seed,
            debtors: debtors.max(1),
            base_invoices,
            start,
            today: start,
            new_invoices: Vec::new(),
            payments: Vec::new(),
            corrections: HashMap::new(),
            paid_later: HashMap::new(),
            later_mutations: BTreeMap::new(),
            next_mutatie_nr: base_top + 1,
            settled: HashSet::new(),
        }
    }

    pub(crate) fn debtor(&self, j: u64) -> Debtor {
        let mut d = Draw::new(self.seed, draw::DEBTOR, j);
        let consumer = d.below(10) < 6;
        let person = format!("{} {}", d.pick(&FIRST), d.pick(&LAST));
        let (bedrijf, kvk) = if consumer {
            (person.clone(), String::new())
        } else {
            (format!("{} {} B.V.", d.pick(&LAST), d.pick(&TRADE)), format!("{:08}", 10_000_000 + d.below(89_999_999)))
        };
        let code = format!("DEB{:05}", j + 1);
        Debtor {
            id: 1000 + index(j),
            email: format!("{}@example.nl", code.to_ascii_lowercase()),
            code,
            consumer,
            bedrijf,
            contactpersoon: person,
            adres: format!("{} {}", d.pick(&STREET), 1 + d.below(200)),
            postcode: format!(
                "{} {}{}",
                1000 + d.below(8999),
                char::from(b'A' + small(&mut d, 26)),
                char::from(b'A' + small(&mut d, 26))
            ),
            plaats: d.pick(&CITY).to_owned(),
            kvk,
        }
    }

    /// The invoice with this index (base or later), with its corrections applied.
    pub(crate) fn invoice(&self, index: u64) -> Option<Invoice> {
        let mut invoice = if index < self.base_invoices {
            self.base_invoice(index)
        } else {
            self.new_invoices.get(usize::try_from(index - self.base_invoices).ok()?)?.clone()
        };
        if let Some(amounts) = self.corrections.get(&index) {
            invoice.amounts = *amounts;
        }
        Some(invoice)
    }

    pub(crate) fn invoice_count(&self) -> u64 {
        self.base_invoices + crate::convert::u64_of(self.new_invoices.len())
    }

    fn base_invoice(&self, k: u64) -> Invoice {
        let back = (self.base_invoices - 1 - k) * BASE_SPAN_DAYS / self.base_invoices.max(1);
        let date = self.start - chrono::Days::new(back + 1);
        let nr = index(k) * 2 + 1;
        generate_invoice(self.seed, k, self.debtors, date, nr)
    }

    /// The base payment of invoice `k` if it was booked before the start (mutation `2k + 2`).
    pub(crate) fn base_payment(&self, k: u64) -> Option<Payment> {
        if k >= self.base_invoices {
            return None;
        }
        let invoice = self.base_invoice(k);
        let (date, amount) = invoice.plan.filter(|(date, _)| *date < self.start)?;
        Some(Payment { mutatie_nr: invoice.mutatie_nr + 1, invoice: k, date, amount })
    }

    /// Everything paid on invoice `index` so far.
    pub(crate) fn paid(&self, index: u64) -> i64 {
        self.base_payment(index).map_or(0, |p| p.amount) + self.paid_later.get(&index).copied().unwrap_or(0)
    }

    /// The highest mutation number in use.
    pub(crate) fn max_mutatie_nr(&self) -> i64 {
        self.next_mutatie_nr - 1
    }

    /// What mutation number `nr` is, if it exists.
    pub(crate) fn mutation(&self, nr: i64) -> Option<MutationRef> {
        if nr <= 0 {
            return None;
        }
        if let Some(found) = self.later_mutations.get(&nr) {
            return Some(*found);
        }
        let k = u64::try_from((nr - 1) / 2).ok()?;
        if k >= self.base_invoices {
            return None;
        }
        if nr % 2 == 1 {
            Some(MutationRef::Invoice(k))
        } else {
            self.base_payment(k).map(|_| MutationRef::BasePayment(k))
        }
    }
}

fn small(d: &mut Draw, n: u8) -> u8 {
    u8::try_from(d.below(u64::from(n))).expect("a draw below a u8 is a u8")
}

/// One invoice from its own draws: kind, debtor, term, amount and the payment plan.
pub(crate) fn generate_invoice(seed: u64, index: u64, debtors: u64, date: NaiveDate, mutatie_nr: i64) -> Invoice {
    let mut d = Draw::new(seed, draw::INVOICE, index);
    let kind = match d.below(100) {
        0..5 => InvoiceKind::CreditNote,
        5..20 => InvoiceKind::MutationOnly,
        _ => InvoiceKind::Regular,
    };
    let prefix = match kind {
        InvoiceKind::Regular => "F",
        InvoiceKind::MutationOnly => "W",
        InvoiceKind::CreditNote => "C",
    };
    let term_days = [14, 30, 30, 60][crate::convert::usize_of(d.below(4))];
    let mut excl = 1_000 + d.below_i64(499_000);
    if kind == InvoiceKind::CreditNote {
        excl = -(excl / 10);
    }
    let amounts = Amounts::from_excl(excl);
    let delay = chrono::Days::new(d.below(u64::from(term_days) + 25));
    let plan = match (kind, d.below(10)) {
        (InvoiceKind::CreditNote, _) | (_, 7..) => None,
        (_, 0..5) => Some((date + delay, amounts.incl)),
        (_, _) => Some((date + delay, amounts.incl * (30 + d.below_i64(41)) / 100)),
    };
    Invoice {
        index,
        number: format!("{prefix}{:07}", index + 1),
        debtor: d.below(debtors.max(1)),
        kind,
        date,
        term_days,
        amounts,
        mutatie_nr,
        plan,
    }
}
