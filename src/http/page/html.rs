//! The page's HTML building blocks: escaping, amounts and dates in the reader's language, and the
//! document around a body. Every value from the data passes through `esc` (amounts and dates are
//! built from numbers).

use chrono::NaiveDate;

use crate::domain::Cents;
use crate::engine::Lang;

pub fn t(lang: Lang, nl: &'static str, en: &'static str) -> &'static str {
    lang.pick(nl, en)
}

/// Escapes text for HTML element content and quoted attributes.
pub fn esc(text: &str) -> String {
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

/// `€ 1.234,56` (Dutch) or `€ 1,234.56` (English).
pub fn euro(amount: Cents, lang: Lang) -> String {
    crate::engine::euro(amount, lang)
}

/// A right-aligned amount cell that carries its cents for scripts and tests.
pub fn money_td(amount: Cents, lang: Lang) -> String {
    format!("<td class=\"n\" data-cents=\"{}\">{}</td>", amount.get(), euro(amount, lang))
}

/// `24-11-2026` in Dutch, `2026-11-24` in English.
pub fn day(date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Nl => date.format("%d-%m-%Y").to_string(),
        Lang::En => date.format("%Y-%m-%d").to_string(),
    }
}

/// Percent-encodes a query parameter value.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}h1{margin-bottom:0}\
h2{font-size:1.15rem;margin-bottom:.4rem}section{margin:1.5rem 0}table{border-collapse:collapse}\
td,th{padding:.25rem .7rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
th{font-weight:600;background:#f4f5f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.big{font-size:1.6rem;font-weight:600}.notice{background:#e8f0fe;border-left:4px solid #4a78c2;padding:.5rem .8rem}\
.refusal{background:#fdecea;border-left:4px solid #c0392b;padding:.5rem .8rem}\
.warning{background:#fff4e0;border-left:4px solid #d68910;padding:.5rem .8rem}form{margin-top:.8rem}.muted{color:#666}\
tr.total td{font-weight:700;border-top:2px solid #222}a.action{white-space:nowrap}\
button{font:inherit;padding:.3rem .9rem;cursor:pointer}.grid{display:flex;gap:2.5rem;flex-wrap:wrap}";

pub fn document(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        lang.code(),
        esc(title)
    )
}
