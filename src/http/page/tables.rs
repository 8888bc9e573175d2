//! The page's lists: invoices (with "start collection" where it applies), collection cases, the
//! import log and the audit trail.

use chrono::NaiveDate;

use super::html::{day, esc, money_td, t, urlencode};
use crate::engine::{CaseLine, InvoiceLine, Lang};
use crate::events::{AdministrationEvent, DebtorAccountEvent};
use crate::projections::{AuditRow, ImportRow};

/// Where an invoice row's "start collection" link leads: the preview for that invoice.
#[derive(Debug)]
pub struct ActionLink<'a> {
    pub administration: &'a str,
    pub date: Option<NaiveDate>,
}

impl ActionLink<'_> {
    fn href(&self, lang: Lang, line: &InvoiceLine) -> String {
        let date = self.date.map_or(String::new(), |d| format!("&date={d}"));
        format!(
            "/ui/collection?lang={}&administration={}&debtor={}&invoice={}{date}",
            lang.code(),
            urlencode(self.administration),
            urlencode(&line.debtor_code),
            urlencode(&line.invoice_number)
        )
    }
}

pub fn invoices(lang: Lang, title: &str, id: &str, lines: &[InvoiceLine], action: Option<&ActionLink>) -> String {
    let rows: String = lines
        .iter()
        .map(|i| {
            let act = action.map_or(String::new(), |a| {
                format!(
                    "<td><a class=\"action start-collection\" data-invoice=\"{}\" href=\"{}\">{}</a></td>",
                    esc(&i.invoice_number),
                    esc(&a.href(lang, i)),
                    t(lang, "Incasso starten…", "Start collection…")
                )
            });
            format!(
                "<tr data-invoice=\"{}\"><td>{}</td><td>{}</td><td>{}</td>{}<td class=\"n\">{}</td>{act}</tr>",
                esc(&i.invoice_number),
                esc(&i.invoice_number),
                esc(&i.debtor_code),
                day(i.due_date, lang),
                money_td(i.open, lang),
                i.days_past_due
            )
        })
        .collect();
    let head = format!(
        "<tr><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th>{}</tr>",
        t(lang, "Factuur", "Invoice"),
        t(lang, "Debiteur", "Debtor"),
        t(lang, "Vervaldatum", "Due"),
        t(lang, "Open", "Open"),
        t(lang, "Dagen", "Days"),
        if action.is_some() { "<th></th>" } else { "" }
    );
    let table = if lines.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "Geen.", "None."))
    } else {
        format!("<table>{head}{rows}</table>")
    };
    format!("<section id=\"{id}\"><h2>{}</h2>{table}</section>", esc(title))
}

/// The open collection cases with what each claimed when it started.
pub fn cases(lang: Lang, cases: &[CaseLine]) -> String {
    let rows: String = cases
        .iter()
        .map(|c| {
            let costs = if c.costs_waived {
                format!("<td class=\"n muted\" data-cents=\"0\">{}</td>", t(lang, "kwijtgescholden", "waived"))
            } else {
                // Both are non-negative parts of the case's total, which the engine summed with checks.
                let costs = c.costs.checked_add(c.vat_surcharge).expect("costs and surcharge are parts of the total");
                money_td(costs, lang)
            };
            format!(
                "<tr class=\"case\" data-case=\"{}\" data-invoices=\"{}\"><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td>{}{costs}{}{}<td>{}</td></tr>",
                c.case_id,
                esc(&c.invoices.join(" ")),
                esc(&c.debtor_code),
                esc(&c.debtor_name),
                esc(&c.invoices.join(", ")),
                money_td(c.principal, lang),
                money_td(c.interest, lang),
                money_td(c.total, lang).replace("<td class=\"n\"", "<td class=\"n total\""),
                day(c.started_on, lang)
            )
        })
        .collect();
    let head = format!(
        "<tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th>{}</th></tr>",
        t(lang, "Debiteur", "Debtor"),
        t(lang, "Facturen", "Invoices"),
        t(lang, "Hoofdsom", "Principal"),
        t(lang, "Incassokosten", "Collection costs"),
        t(lang, "Rente", "Interest"),
        t(lang, "Totaal", "Total"),
        t(lang, "Gestart", "Started")
    );
    let table = if cases.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "Geen open incassozaken.", "No open collection cases."))
    } else {
        format!("<table>{head}{rows}</table>")
    };
    format!("<section id=\"cases\"><h2>{}</h2>{table}</section>", t(lang, "Incassozaken", "Collection cases"))
}

fn import_status(lang: Lang, status: &str) -> &'static str {
    match status {
        "completed" => t(lang, "voltooid", "completed"),
        "failed" => t(lang, "mislukt", "failed"),
        _ => t(lang, "bezig", "running"),
    }
}

pub fn imports(lang: Lang, administration: &str, can_write: bool, imports: &[ImportRow]) -> String {
    let rows: String = imports
        .iter()
        .map(|i| {
            let events = i.counts.map_or(0, |c| c.events_written);
            let when = i.started_at.map_or(String::new(), |at| at.format("%Y-%m-%d %H:%M:%S").to_string());
            format!(
                "<tr class=\"import\" data-import=\"{}\" data-status=\"{}\"><td>{when}</td><td>{}</td><td class=\"n\">{events}</td><td>{}</td></tr>",
                i.import_id,
                esc(&i.status),
                import_status(lang, &i.status),
                esc(i.message.as_deref().unwrap_or(""))
            )
        })
        .collect();
    let button = if can_write {
        format!(
            "<form method=\"post\" action=\"/ui/import\"><input type=\"hidden\" name=\"administration\" value=\"{}\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\"><button id=\"import-now\">{}</button></form>",
            esc(administration),
            lang.code(),
            t(lang, "Nu importeren", "Import now")
        )
    } else {
        String::new()
    };
    format!(
        "<section id=\"imports\"><h2>{}</h2>{button}<table><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th></th></tr>{rows}</table></section>",
        t(lang, "Importlog (laatste maand)", "Import log (last month)"),
        t(lang, "Gestart (UTC)", "Started (UTC)"),
        t(lang, "Status", "Status"),
        t(lang, "Gebeurtenissen", "Events")
    )
}

fn event_label(lang: Lang, event_type: &str) -> String {
    let label = match event_type {
        DebtorAccountEvent::PAYMENT_LINKED => t(lang, "Betaling gekoppeld", "Payment linked"),
        DebtorAccountEvent::PAYMENT_UNLINKED => t(lang, "Betaling ontkoppeld", "Payment unlinked"),
        DebtorAccountEvent::CREDIT_NOTE_LINKED => t(lang, "Creditnota gekoppeld", "Credit note linked"),
        DebtorAccountEvent::CREDIT_NOTE_UNLINKED => t(lang, "Creditnota ontkoppeld", "Credit note unlinked"),
        AdministrationEvent::LINK_ESTABLISHED => t(lang, "Koppeling gemaakt", "Link established"),
        AdministrationEvent::LINK_CREDENTIALS_ROTATED => t(lang, "Inloggegevens vervangen", "Credentials rotated"),
        AdministrationEvent::LINK_BROKEN => t(lang, "Koppeling verbroken", "Link broken"),
        AdministrationEvent::LINK_REMOVED => t(lang, "Koppeling verwijderd", "Link removed"),
        AdministrationEvent::AUTO_IMPORT_ENABLED => t(lang, "Dagelijkse import aan", "Daily import on"),
        AdministrationEvent::AUTO_IMPORT_DISABLED => t(lang, "Dagelijkse import uit", "Daily import off"),
        other => return esc(other),
    };
    label.to_owned()
}

/// The reason a person gave, else the event's own; the engine's standard reasons in Dutch too.
fn reason_label(lang: Lang, row: &AuditRow) -> String {
    let given = row.reason.as_deref().or(row.event_reason.as_deref()).unwrap_or("");
    let dutch = match given {
        "referenced by the books" => Some("zo geboekt in de administratie"),
        "art. 6:43 (oldest due first)" => Some("art. 6:43 BW (oudste vervaldatum eerst)"),
        _ => None,
    };
    match (lang, dutch) {
        (Lang::Nl, Some(text)) => text.to_owned(),
        _ => esc(given),
    }
}

pub fn audit(lang: Lang, trail: &[AuditRow]) -> String {
    let rows: String = trail
        .iter()
        .map(|a| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.recorded_at.format("%Y-%m-%d %H:%M"),
                event_label(lang, &a.event_type),
                esc(a.invoice_number.as_deref().unwrap_or("")),
                esc(a.actor.as_deref().unwrap_or("")),
                reason_label(lang, a)
            )
        })
        .collect();
    format!(
        "<section id=\"audit\"><h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{rows}</table></section>",
        t(lang, "Audittrail", "Audit trail"),
        t(lang, "Tijdstip (UTC)", "When (UTC)"),
        t(lang, "Gebeurtenis", "Event"),
        t(lang, "Factuur", "Invoice"),
        t(lang, "Door", "By"),
        t(lang, "Reden", "Reason")
    )
}
