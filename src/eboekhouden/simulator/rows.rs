//! The list items of each operation, written one at a time from a snapshot of the model so that a
//! response of any size streams without being held in memory.

use std::sync::Arc;

use super::data::{Invoice, InvoiceKind, Model, MutationRef, Payment};
use super::render::{el, el_date, el_decimal, el_double, el_num, Shape};

/// Writes the next item into `out`; false when there are no more.
pub(crate) trait Rows: Send {
    fn write_next(&mut self, out: &mut String) -> bool;
}

/// Items from an iterator of indexes and a writer that may skip an index (returns false).
pub(crate) struct IndexRows<F> {
    pub model: Arc<Model>,
    pub shape: Shape,
    pub indexes: Box<dyn Iterator<Item = u64> + Send>,
    pub write: F,
    pub row: u64,
}

impl<F: FnMut(&Model, &Shape, u64, u64, &mut String) -> bool + Send> Rows for IndexRows<F> {
    fn write_next(&mut self, out: &mut String) -> bool {
        for index in self.indexes.by_ref() {
            if (self.write)(&self.model, &self.shape, index, self.row, out) {
                self.row += 1;
                return true;
            }
        }
        false
    }
}

pub(crate) fn relatie(model: &Model, index: u64, out: &mut String, shape: &Shape) {
    let d = model.debtor(index);
    out.push_str("<cRelatie>");
    el_num(out, "ID", d.id);
    el_date(out, "AddDatum", model.start - chrono::Days::new(400), shape);
    el(out, "Code", &d.code);
    el(out, "Bedrijf", &d.bedrijf);
    el(out, "Contactpersoon", &d.contactpersoon);
    out.push_str("<Geslacht />");
    el(out, "Adres", &d.adres);
    el(out, "Postcode", &d.postcode);
    el(out, "Plaats", &d.plaats);
    el(out, "Land", "NL");
    out.push_str("<Adres2 /><Postcode2 /><Plaats2 /><Land2 /><Telefoon /><GSM /><FAX />");
    el(out, "Email", &d.email);
    out.push_str("<Site /><Notitie /><Bankrekening /><Girorekening /><BTWNummer />");
    el(out, "KvkNummer", &d.kvk);
    out.push_str("<Aanhef /><IBAN /><BIC />");
    el(out, "BP", if d.consumer { "P" } else { "B" });
    out.push_str("<Def1 /><Def2 /><Def3 /><Def4 /><Def5 /><Def6 /><Def7 /><Def8 /><Def9 /><Def10 /><LA>0</LA>");
    out.push_str(
        "<Gb_ID>0</Gb_ID><GeenEmail>0</GeenEmail><NieuwsbriefgroepenCount>0</NieuwsbriefgroepenCount></cRelatie>",
    );
}

/// The open item of an invoice, or nothing when it is settled.
pub(crate) fn open_post(model: &Model, invoice: &Invoice, out: &mut String, shape: &Shape, row: u64) -> bool {
    let open = invoice.amounts.incl - model.paid(invoice.index);
    if open == 0 {
        return false;
    }
    let debtor = model.debtor(invoice.debtor);
    out.push_str("<cOpenPost>");
    el_date(out, "MutDatum", invoice.date, shape);
    el(out, "MutFactuur", &invoice.number);
    el(out, "RelCode", &debtor.code);
    el(out, "RelBedrijf", &debtor.bedrijf);
    el_double(out, "Bedrag", invoice.amounts.incl, shape, row);
    el_double(out, "Voldaan", model.paid(invoice.index), shape, row + 1);
    el_double(out, "Openstaand", open, shape, row);
    out.push_str("</cOpenPost>");
    true
}

pub(crate) fn factuur(model: &Model, invoice: &Invoice, out: &mut String, shape: &Shape, row: u64) {
    let debtor = model.debtor(invoice.debtor);
    let a = invoice.amounts;
    out.push_str("<cFactuurList>");
    el(out, "Factuurnummer", &invoice.number);
    el(out, "Relatiecode", &debtor.code);
    el_date(out, "Datum", invoice.date, shape);
    el_num(out, "Betalingstermijn", i64::from(invoice.term_days));
    el_double(out, "TotaalExclBTW", a.excl, shape, row);
    el_double(out, "TotaalBTW", a.btw, shape, row + 1);
    el_double(out, "TotaalInclBTW", a.incl, shape, row);
    el_double(out, "TotaalOpenstaand", a.incl - model.paid(invoice.index), shape, row + 1);
    el(out, "URLPDFBestand", &format!("https://simulator.example/facturen/{}.pdf", invoice.number));
    out.push_str("<Regels><cFactuurRegel>");
    el_double(out, "Aantal", 100, shape, row);
    out.push_str("<Eenheid>stuk</Eenheid><Code>DIENST</Code>");
    el(out, "Omschrijving", &format!("Werkzaamheden {}", invoice.number));
    el_double(out, "PrijsPerEenheid", a.excl, shape, row);
    out.push_str("<BTWCode>HOOG_VERK_21</BTWCode><TegenrekeningCode>8000</TegenrekeningCode>");
    out.push_str("<KostenplaatsID>0</KostenplaatsID></cFactuurRegel></Regels></cFactuurList>");
}

/// The invoice or payment a mutation number refers to.
pub(crate) enum MutationDoc {
    Invoice(Invoice),
    Payment(Payment, Invoice),
}

impl MutationDoc {
    pub(crate) fn resolve(model: &Model, nr: i64) -> Option<MutationDoc> {
        let payment = match model.mutation(nr)? {
            MutationRef::Invoice(k) => return model.invoice(k).map(MutationDoc::Invoice),
            MutationRef::BasePayment(k) => model.base_payment(k)?,
            MutationRef::Payment(i) => model.payments.get(i)?.clone(),
        };
        let invoice = model.invoice(payment.invoice)?;
        Some(MutationDoc::Payment(payment, invoice))
    }

    pub(crate) fn date(&self) -> chrono::NaiveDate {
        match self {
            MutationDoc::Invoice(invoice) => invoice.date,
            MutationDoc::Payment(payment, _) => payment.date,
        }
    }

    pub(crate) fn factuurnummer(&self) -> &str {
        match self {
            MutationDoc::Invoice(invoice) | MutationDoc::Payment(_, invoice) => &invoice.number,
        }
    }
}

pub(crate) fn mutatie(model: &Model, doc: &MutationDoc, out: &mut String, shape: &Shape) {
    let (nr, soort, rekening, invoice, boekstuk, omschrijving, term, inex) = match doc {
        MutationDoc::Invoice(i) => {
            let term = i.term_days.to_string();
            (i.mutatie_nr, "FactuurVerstuurd", "1300", i, i.number.clone(), format!("Factuur {}", i.number), term, "IN")
        }
        MutationDoc::Payment(p, i) => {
            let boekstuk = format!("BANK-{}", p.mutatie_nr);
            (
                p.mutatie_nr,
                "FactuurbetalingOntvangen",
                "1100",
                i,
                boekstuk,
                format!("Betaling {}", i.number),
                String::new(),
                "EX",
            )
        }
    };
    let debtor = model.debtor(invoice.debtor);
    out.push_str("<cMutatieList>");
    el_num(out, "MutatieNr", nr);
    el(out, "Soort", soort);
    el_date(out, "Datum", doc.date(), shape);
    el(out, "Rekening", rekening);
    el(out, "RelatieCode", &debtor.code);
    el(out, "Factuurnummer", &invoice.number);
    el(out, "Boekstuk", &boekstuk);
    el(out, "Omschrijving", &omschrijving);
    el(out, "Betalingstermijn", &term);
    el(out, "InExBTW", inex);
    out.push_str("<MutatieRegels><cMutatieListRegel>");
    let (excl, btw, incl, code, pct, tegen) = match doc {
        MutationDoc::Invoice(i) => (i.amounts.excl, i.amounts.btw, i.amounts.incl, "HOOG_VERK_21", "21", "8000"),
        MutationDoc::Payment(p, _) => (p.amount, 0, p.amount, "GEEN", "0", "1300"),
    };
    el_decimal(out, "BedragInvoer", incl);
    el_decimal(out, "BedragExclBTW", excl);
    el_decimal(out, "BedragBTW", btw);
    el_decimal(out, "BedragInclBTW", incl);
    el(out, "BTWCode", code);
    el(out, "BTWPercentage", pct);
    el(out, "Factuurnummer", &invoice.number);
    el(out, "TegenrekeningCode", tegen);
    out.push_str("<KostenplaatsID>0</KostenplaatsID></cMutatieListRegel></MutatieRegels></cMutatieList>");
}

/// Whether an invoice is in GetFacturen (made in the invoicing module).
pub(crate) fn in_facturen(invoice: &Invoice) -> bool {
    invoice.kind != InvoiceKind::MutationOnly
}
