//! HTML for the dashboard page. Every value from the data passes through `esc`; labels come in
//! Dutch and English.

use chrono::NaiveDate;

use super::Lang;
use crate::domain::Cents;
use crate::engine::{AgeBucket, BucketRange, DebtorLine, Dso, InvoiceLine, InvoicePage, PhaseTotal, Totals};
use crate::projections::{AuditRow, ImportRow};

/// What the page shows, read by the handler.
#[derive(Debug)]
pub struct Figures {
    pub administration: String,
    /// Every administration the token may see, to switch between them.
    pub others: Vec<String>,
    pub today: NaiveDate,
    pub can_write: bool,
    pub notice: Option<String>,
    pub totals: Totals,
    pub ageing: Vec<AgeBucket>,
    pub phases: Vec<PhaseTotal>,
    pub dso: Dso,
    pub top: Vec<DebtorLine>,
    pub overdue: InvoicePage,
    pub prescribing: Vec<InvoiceLine>,
    pub imports: Vec<ImportRow>,
    pub audit: Vec<AuditRow>,
}

fn t(lang: Lang, nl: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

/// Escapes text for HTML element content and quoted attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn euro(amount: Cents) -> String {
    format!("€&nbsp;{}", esc(&amount.to_string()))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}h1{margin-bottom:0}\
section{margin:1.5rem 0}table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}\
td.n{text-align:right}.big{font-size:1.6rem;font-weight:600}.notice{background:#eef;padding:.5rem}";

fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        lang.code(),
        esc(title)
    )
}

pub fn login(lang: Lang, refused: bool) -> String {
    let note = if refused { t(lang, "<p>Dit token is onbekend.</p>", "<p>This token is not known.</p>") } else { "" };
    let body = format!(
        "<h1>vordering</h1>{note}<form method=\"get\" action=\"/\"><label>{} <input name=\"token\" type=\"password\" size=\"70\"></label>\
         <input type=\"hidden\" name=\"lang\" value=\"{}\"> <button>{}</button></form>",
        t(lang, "API-token", "API token"),
        lang.code(),
        t(lang, "Openen", "Open")
    );
    page(lang, "vordering", &body)
}

pub fn dashboard(lang: Lang, f: &Figures) -> String {
    let mut body = format!(
        "<h1>{}</h1><p>{} {} · <a href=\"/?lang=nl&administration={a}\">NL</a> · <a href=\"/?lang=en&administration={a}\">EN</a></p>",
        esc(&f.administration),
        t(lang, "Stand per", "As of"),
        f.today,
        a = esc(&f.administration)
    );
    if f.others.len() > 1 {
        let links: Vec<String> = f
            .others
            .iter()
            .map(|other| format!("<a href=\"/?lang={}&administration={o}\">{o}</a>", lang.code(), o = esc(other)))
            .collect();
        body.push_str(&format!("<p>{} {}</p>", t(lang, "Administraties:", "Administrations:"), links.join(" · ")));
    }
    if let Some(notice) = &f.notice {
        body.push_str(&format!("<p class=\"notice\" id=\"notice\">{}</p>", esc(notice)));
    }
    body.push_str(&totals(lang, f));
    body.push_str(&ageing_chart(lang, &f.ageing));
    body.push_str(&phases(lang, &f.phases));
    body.push_str(&top_debtors(lang, &f.top));
    body.push_str(&invoices(
        lang,
        t(lang, "Vervallen facturen zonder herinnering", "Overdue invoices without a reminder"),
        "overdue",
        &f.overdue.invoices,
    ));
    body.push_str(&invoices(
        lang,
        t(lang, "Verjaren binnen 90 dagen", "Prescribing within 90 days"),
        "prescribing",
        &f.prescribing,
    ));
    body.push_str(&imports(lang, f));
    body.push_str(&audit(lang, &f.audit));
    page(lang, &format!("vordering · {}", f.administration), &body)
}

fn totals(lang: Lang, f: &Figures) -> String {
    let dso = f.dso.dso_hundredths.map_or("–".to_owned(), |h| format!("{}.{:02}", h / 100, h % 100));
    format!(
        "<section id=\"totals\"><table><tr><th>{}</th><th>{}</th><th>DSO</th></tr>\
         <tr><td class=\"big\" id=\"outstanding\" data-cents=\"{}\">{}</td><td class=\"big\" id=\"overdue\" data-cents=\"{}\">{}</td><td class=\"big\">{dso}</td></tr>\
         <tr><td>{} {}</td><td>{} {}</td><td>{}</td></tr></table></section>",
        t(lang, "Openstaand", "Outstanding"),
        t(lang, "Vervallen", "Overdue"),
        f.totals.outstanding.get(),
        euro(f.totals.outstanding),
        f.totals.overdue.get(),
        euro(f.totals.overdue),
        f.totals.open_invoices,
        t(lang, "facturen", "invoices"),
        f.totals.overdue_invoices,
        t(lang, "facturen", "invoices"),
        t(lang, "dagen", "days")
    )
}

fn bucket_label(lang: Lang, range: BucketRange) -> String {
    match range {
        BucketRange::NotDue => t(lang, "niet vervallen", "not yet due").to_owned(),
        BucketRange::PastDue { from, to: Some(to) } => format!("{from}–{to} {}", t(lang, "dagen", "days")),
        BucketRange::PastDue { from, to: None } => format!("> {} {}", from.saturating_sub(1), t(lang, "dagen", "days")),
    }
}

/// One bar per bucket, heights relative to the largest; amounts in the title and below.
fn ageing_chart(lang: Lang, buckets: &[AgeBucket]) -> String {
    let largest = buckets.iter().map(|b| b.open.get()).max().unwrap_or(0).max(1);
    let (width, height, bar) = (110_i64, 160_i64, 70_i64);
    let mut svg = format!(
        "<svg id=\"ageing\" role=\"img\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">",
        width * i64::try_from(buckets.len()).unwrap_or(0),
        height + 40,
        width * i64::try_from(buckets.len()).unwrap_or(0),
        height + 40
    );
    for (i, b) in buckets.iter().enumerate() {
        let x = width * i64::try_from(i).unwrap_or(0) + 20;
        let h =
            (i128::from(b.open.get().max(0)) * i128::from(height) / i128::from(largest)).clamp(0, i128::from(height));
        let h = i64::try_from(h).unwrap_or(0);
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"#4a78c2\"><title>{} {}</title></rect>\
             <text x=\"{x}\" y=\"{}\" font-size=\"11\">{}</text><text x=\"{x}\" y=\"{}\" font-size=\"11\">€ {}</text>",
            height - h,
            esc(&bucket_label(lang, b.range)),
            esc(&b.open.to_string()),
            height + 14,
            esc(&bucket_label(lang, b.range)),
            height + 28,
            esc(&b.open.to_string())
        ));
    }
    svg.push_str("</svg>");
    format!("<section><h2>{}</h2>{svg}</section>", t(lang, "Ouderdom", "Ageing"))
}

fn phases(lang: Lang, phases: &[PhaseTotal]) -> String {
    let rows: String = phases
        .iter()
        .filter(|p| p.count > 0)
        .map(|p| {
            format!(
                "<tr><td>{:?}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                p.phase,
                p.count,
                euro(p.open)
            )
        })
        .collect();
    format!("<section id=\"phases\"><h2>{}</h2><table>{rows}</table></section>", t(lang, "Fasen", "Phases"))
}

fn top_debtors(lang: Lang, top: &[DebtorLine]) -> String {
    let rows: String = top
        .iter()
        .map(|d| {
            format!(
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&d.debtor_code),
                esc(&d.name),
                euro(d.outstanding),
                d.open_invoices
            )
        })
        .collect();
    format!(
        "<section id=\"top\"><h2>{}</h2><table>{rows}</table></section>",
        t(lang, "Grootste debiteuren", "Top debtors")
    )
}

fn invoices(lang: Lang, title: &str, id: &str, lines: &[InvoiceLine]) -> String {
    let rows: String = lines
        .iter()
        .map(|i| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&i.invoice_number),
                esc(&i.debtor_code),
                i.due_date,
                euro(i.open),
                i.days_past_due
            )
        })
        .collect();
    let head = format!(
        "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t(lang, "Factuur", "Invoice"),
        t(lang, "Debiteur", "Debtor"),
        t(lang, "Vervaldatum", "Due"),
        t(lang, "Open", "Open"),
        t(lang, "Dagen", "Days")
    );
    format!("<section id=\"{id}\"><h2>{}</h2><table>{head}{rows}</table></section>", esc(title))
}

fn imports(lang: Lang, f: &Figures) -> String {
    let rows: String = f
        .imports
        .iter()
        .map(|i| {
            let events = i.counts.map_or(0, |c| c.events_written);
            let when = i.started_at.map_or(String::new(), |at| at.format("%Y-%m-%d %H:%M").to_string());
            format!(
                "<tr><td>{when}</td><td>{}</td><td class=\"n\">{events}</td><td>{}</td></tr>",
                esc(&i.status),
                esc(i.message.as_deref().unwrap_or(""))
            )
        })
        .collect();
    let button = if f.can_write {
        format!(
            "<form method=\"post\" action=\"/ui/import\"><input type=\"hidden\" name=\"administration\" value=\"{}\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\"><button id=\"import-now\">{}</button></form>",
            esc(&f.administration),
            lang.code(),
            t(lang, "Nu importeren", "Import now")
        )
    } else {
        String::new()
    };
    format!(
        "<section id=\"imports\"><h2>{}</h2>{button}<table>{rows}</table></section>",
        t(lang, "Importlog (laatste maand)", "Import log (last month)")
    )
}

fn audit(lang: Lang, trail: &[AuditRow]) -> String {
    let rows: String = trail
        .iter()
        .map(|a| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.recorded_at.format("%Y-%m-%d %H:%M"),
                esc(&a.event_type),
                esc(a.invoice_number.as_deref().unwrap_or("")),
                esc(a.actor.as_deref().unwrap_or("")),
                esc(a.reason.as_deref().or(a.event_reason.as_deref()).unwrap_or(""))
            )
        })
        .collect();
    format!("<section id=\"audit\"><h2>{}</h2><table>{rows}</table></section>", t(lang, "Audittrail", "Audit trail"))
}
