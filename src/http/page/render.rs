//! HTML for the dashboard page: totals, the ageing chart, phases and top debtors here; the lists
//! in `tables`. Labels come in Dutch and English; amounts carry their cents in `data-cents`.

use chrono::NaiveDate;

use super::html::{day, document, esc, euro, money_td, t};
use super::tables;
use crate::engine::{AgeBucket, CaseLine, DebtorLine, Dso, InvoiceLine, InvoicePage, Lang, PhaseTotal, Totals};
use crate::projections::{AuditRow, ImportRow};

/// What the page shows, read by the handler.
#[derive(Debug)]
pub struct Figures {
    pub administration: String,
    /// Every administration the token may see, to switch between them.
    pub others: Vec<String>,
    pub today: NaiveDate,
    /// The date the page was asked for (kept in its links); `None` is "today".
    pub asked_date: Option<NaiveDate>,
    pub can_write: bool,
    pub notice: Option<String>,
    pub totals: Totals,
    pub ageing: Vec<AgeBucket>,
    pub phases: Vec<PhaseTotal>,
    pub dso: Dso,
    pub top: Vec<DebtorLine>,
    pub overdue: InvoicePage,
    pub letters: InvoicePage,
    pub cases: Vec<CaseLine>,
    pub prescribing: Vec<InvoiceLine>,
    pub imports: Vec<ImportRow>,
    pub audit: Vec<AuditRow>,
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
    document(lang, "vordering", &body)
}

pub fn dashboard(lang: Lang, f: &Figures) -> String {
    let date = f.asked_date.map_or(String::new(), |d| format!("&date={d}"));
    let mut body = format!(
        "<h1>{a}</h1><p>{} {} · <a href=\"/?lang=nl&administration={a}{date}\">NL</a> · <a href=\"/?lang=en&administration={a}{date}\">EN</a></p>",
        t(lang, "Stand per", "As of"),
        day(f.today, lang),
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
    body.push_str("<div class=\"grid\">");
    body.push_str(&ageing_chart(lang, &f.ageing));
    body.push_str(&phases(lang, &f.phases));
    body.push_str("</div>");
    body.push_str(&top_debtors(lang, &f.top));
    body.push_str(&tables::cases(lang, &f.cases));
    let link = tables::ActionLink { administration: &f.administration, date: f.asked_date };
    body.push_str(&tables::invoices(
        lang,
        t(lang, "Vervallen facturen zonder herinnering", "Overdue invoices without a reminder"),
        "overdue",
        &f.overdue.invoices,
        Some(&link),
    ));
    body.push_str(&tables::invoices(
        lang,
        t(lang, "Veertiendagenbrief verstuurd", "14-day letter sent"),
        "letters",
        &f.letters.invoices,
        Some(&link),
    ));
    body.push_str(&tables::invoices(
        lang,
        t(lang, "Verjaren binnen 90 dagen", "Prescribing within 90 days"),
        "prescribing",
        &f.prescribing,
        None,
    ));
    body.push_str(&tables::imports(lang, &f.administration, f.can_write, &f.imports));
    body.push_str(&tables::audit(lang, &f.audit));
    document(lang, &format!("vordering · {}", f.administration), &body)
}

fn totals(lang: Lang, f: &Figures) -> String {
    let dso = f.dso.dso_hundredths.map_or("–".to_owned(), |h| {
        let sep = t(lang, ",", ".");
        format!("{}{sep}{:02}", h / 100, h % 100)
    });
    format!(
        "<section id=\"totals\"><table><tr><th>{}</th><th>{}</th><th>DSO</th></tr>\
         <tr><td class=\"big n\" id=\"outstanding\" data-cents=\"{}\">{}</td><td class=\"big n\" id=\"overdue\" data-cents=\"{}\">{}</td><td class=\"big n\" id=\"dso\">{dso}</td></tr>\
         <tr><td class=\"n\" id=\"open-invoices\" data-count=\"{}\">{} {}</td><td class=\"n\" id=\"overdue-invoices\" data-count=\"{}\">{} {}</td><td class=\"n\">{}</td></tr></table></section>",
        t(lang, "Openstaand", "Outstanding"),
        t(lang, "Vervallen", "Overdue"),
        f.totals.outstanding.get(),
        euro(f.totals.outstanding, lang),
        f.totals.overdue.get(),
        euro(f.totals.overdue, lang),
        f.totals.open_invoices,
        f.totals.open_invoices,
        t(lang, "facturen", "invoices"),
        f.totals.overdue_invoices,
        f.totals.overdue_invoices,
        t(lang, "facturen", "invoices"),
        t(lang, "dagen", "days")
    )
}

/// One bar per bucket, heights relative to the largest; amounts in the title and below.
fn ageing_chart(lang: Lang, buckets: &[AgeBucket]) -> String {
    let largest = buckets.iter().map(|b| b.open.get()).max().unwrap_or(0).max(1);
    let (width, height, bar) = (110_i64, 160_i64, 80_i64);
    let total_width = width * crate::convert::i64_of(buckets.len());
    let mut svg = format!(
        "<svg id=\"ageing\" role=\"img\" width=\"{total_width}\" height=\"{}\" viewBox=\"0 0 {total_width} {}\">",
        height + 40,
        height + 40
    );
    for (i, b) in buckets.iter().enumerate() {
        let x = width * crate::convert::i64_of(i) + 10;
        let h =
            (i128::from(b.open.get().max(0)) * i128::from(height) / i128::from(largest)).clamp(0, i128::from(height));
        let h = i64::try_from(h).expect("clamped to the chart's height");
        let label = esc(&b.range.label(lang));
        let amount = euro(b.open, lang);
        svg.push_str(&format!(
            "<rect class=\"bucket\" data-bucket=\"{i}\" data-cents=\"{}\" data-count=\"{}\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"#4a78c2\">\
             <title>{label}: {amount} ({} {})</title></rect>\
             <text x=\"{x}\" y=\"{}\" font-size=\"11\">{label}</text><text x=\"{x}\" y=\"{}\" font-size=\"11\">{amount}</text>",
            b.open.get(),
            b.count,
            height - h,
            b.count,
            t(lang, "facturen", "invoices"),
            height + 14,
            height + 28,
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
                "<tr data-phase=\"{:?}\" data-count=\"{}\"><td>{}</td><td class=\"n\">{}</td>{}</tr>",
                p.phase,
                p.count,
                p.phase.label(lang),
                p.count,
                money_td(p.open, lang)
            )
        })
        .collect();
    format!(
        "<section id=\"phases\"><h2>{}</h2><table><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr>{rows}</table></section>",
        t(lang, "Fasen", "Phases"),
        t(lang, "Fase", "Phase"),
        t(lang, "Facturen", "Invoices"),
        t(lang, "Open", "Open")
    )
}

fn top_debtors(lang: Lang, top: &[DebtorLine]) -> String {
    let rows: String = top
        .iter()
        .map(|d| {
            format!(
                "<tr><td>{}</td><td>{}</td>{}<td class=\"n\">{}</td></tr>",
                esc(&d.debtor_code),
                esc(&d.name),
                money_td(d.outstanding, lang),
                d.open_invoices
            )
        })
        .collect();
    format!(
        "<section id=\"top\"><h2>{}</h2><table><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr>{rows}</table></section>",
        t(lang, "Grootste debiteuren", "Top debtors"),
        t(lang, "Code", "Code"),
        t(lang, "Naam", "Name"),
        t(lang, "Openstaand", "Outstanding"),
        t(lang, "Facturen", "Invoices")
    )
}
