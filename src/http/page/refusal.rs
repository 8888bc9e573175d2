//! Why a collection case was not started (or cannot be previewed), as a sentence in the reader's
//! language: the refusals a person can act on. Anything else is not theirs and stays an error.

use super::html::{day, t};
use crate::domain::debtor_account::DebtorAccountError;
use crate::engine::{EngineError, Lang, NotFound, Refusal};
use crate::http::ApiError;

/// A refusal the user can act on, as a sentence; `None` for failures that are not theirs.
pub fn refusal(lang: Lang, error: &ApiError) -> Option<String> {
    let refused = match error {
        ApiError::Engine(EngineError::Refused(Refusal::Account(refused)))
        | ApiError::Engine(EngineError::NotFound(NotFound::InAccount(refused))) => refused,
        ApiError::ReadOnly => return Some(t(lang, "Dit token mag alleen lezen.", "This token may only read.").into()),
        ApiError::NotFound(what) => return Some(format!("{} {what}", t(lang, "Niet gevonden:", "Not found:"))),
        ApiError::BadRequest { message, .. } => return Some(message.clone()),
        _ => return None,
    };
    let en = lang == Lang::En;
    Some(match refused {
        DebtorAccountError::TermRunning { invoice, term_last, costs_from } if en => format!(
            "The term of the 14-day letter on invoice {invoice} runs until {}; collection can start from {}.",
            day(*term_last, lang),
            day(*costs_from, lang)
        ),
        DebtorAccountError::TermRunning { invoice, term_last, costs_from } => format!(
            "De termijn van de veertiendagenbrief voor factuur {invoice} loopt nog tot en met {}; incasso kan vanaf {}.",
            day(*term_last, lang),
            day(*costs_from, lang)
        ),
        DebtorAccountError::AlreadyInCollection { invoice, .. } if en => format!("Invoice {invoice} is already in a collection case."),
        DebtorAccountError::AlreadyInCollection { invoice, .. } => format!("Factuur {invoice} zit al in een incassozaak."),
        DebtorAccountError::NothingOpen(invoice) if en => format!("Invoice {invoice} is paid: nothing is open."),
        DebtorAccountError::NothingOpen(invoice) => format!("Factuur {invoice} is betaald: er staat niets meer open."),
        DebtorAccountError::NoFourteenDayLetter(invoice) if en => format!(
            "Invoice {invoice} has had no 14-day letter (or its delivery is not known yet); a consumer owes no collection costs without one."
        ),
        DebtorAccountError::NoFourteenDayLetter(invoice) => format!(
            "Voor factuur {invoice} is nog geen veertiendagenbrief verstuurd (of de bezorging is nog niet bekend); een consument is zonder die brief geen incassokosten verschuldigd."
        ),
        DebtorAccountError::PaidWithinTerm if en => "The invoices in the letter were paid within its term: no collection costs are owed.".into(),
        DebtorAccountError::PaidWithinTerm => "De facturen uit de brief zijn binnen de termijn betaald: er zijn geen incassokosten verschuldigd.".into(),
        DebtorAccountError::NotOverdue { invoice, due_date, .. } if en => format!("Invoice {invoice} is due on {}: not overdue yet.", day(*due_date, lang)),
        DebtorAccountError::NotOverdue { invoice, due_date, .. } => format!("Factuur {invoice} vervalt op {}: nog niet vervallen.", day(*due_date, lang)),
        DebtorAccountError::InvoicePaused(invoice) if en => format!("Invoice {invoice} is paused; resume it first."),
        DebtorAccountError::InvoicePaused(invoice) => format!("Factuur {invoice} is gepauzeerd; hervat die eerst."),
        DebtorAccountError::UnknownInvoice(invoice) if en => format!("This debtor has no invoice {invoice}."),
        DebtorAccountError::UnknownInvoice(invoice) => format!("Deze debiteur heeft geen factuur {invoice}."),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::InvoiceNumber;

    fn rejected(error: DebtorAccountError) -> ApiError {
        ApiError::Engine(EngineError::from(error))
    }

    #[test]
    fn a_running_term_says_until_when_in_both_languages() {
        let day = |d| NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
        let invoice = InvoiceNumber::new("K1").unwrap();
        let error = rejected(DebtorAccountError::TermRunning { invoice, term_last: day(17), costs_from: day(18) });
        assert_eq!(
            refusal(Lang::Nl, &error).unwrap(),
            "De termijn van de veertiendagenbrief voor factuur K1 loopt nog tot en met 17-03-2025; incasso kan vanaf 18-03-2025."
        );
        assert_eq!(
            refusal(Lang::En, &error).unwrap(),
            "The term of the 14-day letter on invoice K1 runs until 2025-03-17; collection can start from 2025-03-18."
        );
    }

    #[test]
    fn paid_and_read_only_are_sentences_and_a_database_failure_is_not_a_refusal() {
        let paid = rejected(DebtorAccountError::NothingOpen(InvoiceNumber::new("F2").unwrap()));
        assert_eq!(refusal(Lang::Nl, &paid).unwrap(), "Factuur F2 is betaald: er staat niets meer open.");
        assert_eq!(refusal(Lang::En, &ApiError::ReadOnly).unwrap(), "This token may only read.");
        assert_eq!(refusal(Lang::Nl, &ApiError::Internal("disk".to_owned())), None);
    }
}
