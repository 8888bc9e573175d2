//! The first day on which statutory interest runs.

use chrono::{Days, NaiveDate};

/// With an agreed or statutory last day of payment: interest runs from the next day (6:119a lid 1,
/// "met ingang van de dag volgend op de dag die is overeengekomen als de uiterste dag van betaling").
pub fn first_day_after_due_date(last_day_of_payment: NaiveDate) -> Option<NaiveDate> {
    last_day_of_payment.succ_opt()
}

/// B2B without an agreed term (6:119a lid 2 sub a): "vanaf 30 dagen na de aanvang van de dag, volgende
/// op die waarop de schuldenaar de factuur heeft ontvangen". Received 2025-03-03: the day after begins
/// 2025-03-04; 30 days after that beginning is the start of 2025-04-03, the first interest day.
pub fn first_day_without_agreed_term(invoice_received: NaiveDate) -> Option<NaiveDate> {
    invoice_received.checked_add_days(Days::new(31))
}
