//! The answers of the authenticated read operations, computed from a snapshot of the model.

use std::sync::Arc;

use axum::response::Response;
use chrono::NaiveDate;

use super::body::{kept_response, list_response, rendered_list, Damage};
use super::data::Model;
use super::request::RecordedRequest;
use super::rows::{self, IndexRows, MutationDoc, Rows};
use super::soap::{fault, service_error};
use super::{kept, lock, Shape, Shared};
use crate::eboekhouden::budget::BudgetMonth;
use crate::eboekhouden::parse::values;
use crate::eboekhouden::Operation;

/// The elements the manual says must be present ("all tags must be present").
fn required(op: Operation) -> &'static [&'static str] {
    match op {
        Operation::GetRelaties => &["cFilter/Trefwoord", "cFilter/Code", "cFilter/ID"],
        Operation::GetOpenPosten => &["OpSoort"],
        Operation::GetFacturen => {
            &["cFilter/Factuurnummer", "cFilter/Relatiecode", "cFilter/DatumVan", "cFilter/DatumTm"]
        }
        Operation::GetMutaties => &[
            "cFilter/MutatieNr",
            "cFilter/MutatieNrVan",
            "cFilter/MutatieNrTm",
            "cFilter/Factuurnummer",
            "cFilter/DatumVan",
            "cFilter/DatumTm",
        ],
        Operation::GetSaldi => &["cFilter/KostenPlaatsId", "cFilter/DatumVan", "cFilter/DatumTot", "cFilter/Categorie"],
        _ => &[],
    }
}

/// A filter value that does not deserialize: ASP.NET answers with a fault.
struct BadRequest(String);

fn text<'a>(request: &'a RecordedRequest, path: &str) -> &'a str {
    request.get(path).unwrap_or("").trim()
}

fn long(request: &RecordedRequest, path: &str) -> Result<i64, BadRequest> {
    values::long("filter", text(request, path)).map_err(|_| BadRequest(format!("{path} is not a long")))
}

fn date(request: &RecordedRequest, path: &str, default: NaiveDate) -> Result<NaiveDate, BadRequest> {
    match text(request, path) {
        "" => Ok(default),
        t => values::date("filter", t).map_err(|_| BadRequest(format!("{path}: `{t}` is not a dateTime"))),
    }
}

pub(crate) fn respond(shared: &Shared, request: &RecordedRequest, damage: Damage) -> Response {
    let op = request.operation;
    if shared.config.strict_elements {
        if let Some(missing) = required(op).iter().find(|path| request.get(path).is_none()) {
            return fault("soap:Client", &format!("The element {missing} is missing; all tags must be present."));
        }
    }
    let shape = shared.shape();
    let ctx = (shared.snapshot(), shape);
    if op == Operation::GetMutaties {
        if let Some(response) = spend_quota(shared, &ctx.0) {
            return response;
        }
    }
    let key = (shared.config.keep_rendered && damage == Damage::default())
        .then(|| kept::Key::of(ctx.0.today, shape, request));
    if let Some(body) = key.as_ref().and_then(|key| lock(&shared.kept).get(key)) {
        return kept_response(body);
    }
    let built = match op {
        Operation::GetAdministraties => Ok(administraties(shared, ctx)),
        Operation::GetRelaties => relaties(ctx, request),
        Operation::GetOpenPosten => Ok(open_posten(ctx, text(request, "OpSoort") == "Debiteuren")),
        Operation::GetFacturen => facturen(ctx, request),
        Operation::GetMutaties => mutaties(ctx, request, shared.config.row_cap),
        Operation::GetSaldi => saldi(ctx, request),
        Operation::OpenSession | Operation::CloseSession => Err(BadRequest("not a list operation".into())),
    };
    let rows = match built {
        Ok(rows) => rows,
        Err(BadRequest(message)) => {
            return fault("soap:Client", &format!("Server was unable to read request. ---> {message}"))
        }
    };
    lock(&shared.kept).counts.rendered += 1;
    match key {
        Some(key) => {
            let body = rendered_list(op, &shape, collection(op), rows);
            lock(&shared.kept).keep(key, Arc::clone(&body));
            kept_response(body)
        }
        None => list_response(op, &shape, collection(op), rows, damage),
    }
}

fn collection(op: Operation) -> (&'static str, &'static str) {
    match op {
        Operation::GetAdministraties => ("Administraties", "cAdministratie"),
        Operation::GetRelaties => ("Relaties", "cRelatie"),
        Operation::GetFacturen => ("Facturen", "cFactuurList"),
        Operation::GetMutaties => ("Mutaties", "cMutatieList"),
        Operation::GetSaldi => ("Saldi", "cSaldo"),
        _ => ("Openposten", "cOpenPost"),
    }
}

/// Counts a GetMutaties call in the simulator's month, or answers E003.1 when the quota is used up.
fn spend_quota(shared: &Shared, model: &Model) -> Option<Response> {
    let month = BudgetMonth::of(model.today);
    let mut quota = lock(&shared.quota);
    if quota.0 != Some(month) {
        *quota = (Some(month), 0);
    }
    if quota.1 >= shared.config.mutaties_quota {
        let text = "Het maximum aantal GetMutaties-calls voor deze maand is bereikt.";
        return Some(service_error(Operation::GetMutaties, "E003.1", text));
    }
    quota.1 += 1;
    None
}

/// The snapshot and shape every row writer reads.
type Ctx = (Arc<Model>, Shape);

fn boxed(
    (model, shape): Ctx,
    indexes: impl Iterator<Item = u64> + Send + 'static,
    write: impl FnMut(&Model, &Shape, u64, u64, &mut String) -> bool + Send + 'static,
) -> Box<dyn Rows> {
    Box::new(IndexRows { model, shape, indexes: Box::new(indexes), write, row: 0 })
}

fn administraties(shared: &Shared, ctx: Ctx) -> Box<dyn Rows> {
    use secrecy::ExposeSecret;
    let mut out = String::from("<cAdministratie>");
    super::render::el(&mut out, "Bedrijf", &format!("Simulatie {}", shared.config.seed));
    super::render::el(&mut out, "Plaats", "Utrecht");
    super::render::el(&mut out, "Guid", shared.config.security_code_2.expose_secret());
    out.push_str("<StartBoekjaar>2025</StartBoekjaar></cAdministratie>");
    boxed(ctx, 0..1, move |_, _, _, _, w| {
        w.push_str(&out);
        true
    })
}

fn relaties(ctx: Ctx, request: &RecordedRequest) -> Result<Box<dyn Rows>, BadRequest> {
    let id = long(request, "cFilter/ID")?;
    let code = text(request, "cFilter/Code").to_owned();
    let keyword = text(request, "cFilter/Trefwoord").to_lowercase();
    let all = 0..ctx.0.debtors;
    Ok(boxed(ctx, all, move |m, shape, j, _, out| {
        let d = m.debtor(j);
        let matches = (id == 0 || d.id == id)
            && (code.is_empty() || d.code == code)
            && (keyword.is_empty()
                || [&d.code, &d.bedrijf, &d.contactpersoon, &d.plaats, &d.email]
                    .iter()
                    .any(|field| field.to_lowercase().contains(&keyword)));
        if matches {
            rows::relatie(m, j, out, shape);
        }
        matches
    }))
}

fn open_posten(ctx: Ctx, debiteuren: bool) -> Box<dyn Rows> {
    let count = if debiteuren { ctx.0.invoice_count() } else { 0 };
    boxed(ctx, 0..count, |m, shape, k, row, out| m.invoice(k).is_some_and(|i| rows::open_post(m, &i, out, shape, row)))
}

fn facturen(ctx: Ctx, request: &RecordedRequest) -> Result<Box<dyn Rows>, BadRequest> {
    let van = date(request, "cFilter/DatumVan", NaiveDate::MIN)?;
    let tm = date(request, "cFilter/DatumTm", NaiveDate::MAX)?;
    let number = text(request, "cFilter/Factuurnummer").to_owned();
    let relatie = text(request, "cFilter/Relatiecode").to_owned();
    let count = ctx.0.invoice_count();
    Ok(boxed(ctx, 0..count, move |m, shape, k, row, out| {
        let Some(invoice) = m.invoice(k) else { return false };
        let matches = rows::in_facturen(&invoice)
            && invoice.date >= van
            && invoice.date <= tm
            && (number.is_empty() || invoice.number == number)
            && (relatie.is_empty() || m.debtor(invoice.debtor).code == relatie);
        if matches {
            rows::factuur(m, &invoice, out, shape, row);
        }
        matches
    }))
}

fn mutaties(ctx: Ctx, request: &RecordedRequest, cap: usize) -> Result<Box<dyn Rows>, BadRequest> {
    let exact = long(request, "cFilter/MutatieNr")?;
    let van = long(request, "cFilter/MutatieNrVan")?.max(1);
    let tm = long(request, "cFilter/MutatieNrTm")?;
    let number = text(request, "cFilter/Factuurnummer").to_owned();
    let datum_van = date(request, "cFilter/DatumVan", NaiveDate::MIN)?;
    let datum_tm = date(request, "cFilter/DatumTm", NaiveDate::MAX)?;
    let model = &ctx.0;
    let top = if tm > 0 { tm.min(model.max_mutatie_nr()) } else { model.max_mutatie_nr() };
    let (low, high) = if exact > 0 { (exact, exact.min(top)) } else { (van, top) };
    // "Only the last 500": walk down from the top of the window and keep the highest matches.
    let mut found = Vec::new();
    let mut nr = high;
    while nr >= low && found.len() < cap {
        if let Some(doc) = MutationDoc::resolve(model, nr) {
            let date = doc.date();
            if date >= datum_van && date <= datum_tm && (number.is_empty() || doc.factuurnummer() == number) {
                found.push(u64::try_from(nr).expect("only positive mutation numbers resolve to a document"));
            }
        }
        nr -= 1;
    }
    found.reverse();
    Ok(boxed(ctx, found.into_iter(), |m, shape, nr, _, out| {
        let doc = i64::try_from(nr).ok().and_then(|nr| MutationDoc::resolve(m, nr));
        doc.map(|doc| rows::mutatie(m, &doc, out, shape)).is_some()
    }))
}

fn saldi(ctx: Ctx, request: &RecordedRequest) -> Result<Box<dyn Rows>, BadRequest> {
    let categorie = text(request, "cFilter/Categorie").to_owned();
    let model = &ctx.0;
    let (mut open, mut paid, mut excl, mut btw) = (0i64, 0i64, 0i64, 0i64);
    for k in 0..model.invoice_count() {
        if let Some(invoice) = model.invoice(k) {
            let p = model.paid(k);
            open += invoice.amounts.incl - p;
            paid += p;
            excl += invoice.amounts.excl;
            btw += invoice.amounts.btw;
        }
    }
    let balances: Vec<(i64, &str, &str, i64)> =
        vec![(1, "1100", "FIN", paid), (2, "1300", "DEB", open), (3, "1500", "AF19", -btw), (4, "8000", "VW", -excl)];
    let chosen: Vec<_> = balances.into_iter().filter(|b| categorie.is_empty() || b.2 == categorie).collect();
    let count = crate::convert::u64_of(chosen.len());
    Ok(boxed(ctx, 0..count, move |_, shape, i, row, out| {
        let Some((id, code, cat, cents)) = usize::try_from(i).ok().and_then(|i| chosen.get(i)) else { return false };
        out.push_str("<cSaldo>");
        super::render::el_num(out, "ID", *id);
        super::render::el(out, "Code", code);
        super::render::el(out, "Categorie", cat);
        super::render::el_double(out, "Saldo", *cents, shape, row);
        out.push_str("</cSaldo>");
        true
    }))
}
