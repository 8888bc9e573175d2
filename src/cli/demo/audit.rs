//! The demo's audit trail: one payment link taken apart and put back by hand, then every linking
//! decision of that debtor with who made it and why.

use chrono::Utc;
use vordering::domain::{AccountId, AccountRange, AdministrationId, InvoiceNumber, LinkId, PaymentRef};
use vordering::events::{DebtorAccountEvent, Metadata};
use vordering::Engine;

pub async fn show_one_debtor(engine: &Engine, id: &AdministrationId) -> anyhow::Result<()> {
    let range = AccountId::range_of(id);
    let sql = format!(
        "SELECT aggregate_id, payload -> 'PaymentLinked' ->> 'link_id', payload -> 'PaymentLinked' ->> 'payment_ref', \
                payload -> 'PaymentLinked' ->> 'invoice_number' \
         FROM events WHERE event_type = 'PaymentLinked' AND {} ORDER BY global_position LIMIT 1",
        AccountRange::sql("aggregate_id", 1)
    );
    let link: Option<(String, String, String, String)> =
        sqlx::query_as(&sql).bind(range.start).bind(range.end).fetch_optional(engine.pool()).await?;
    let Some((aggregate, link, payment, invoice)) = link else { return Ok(()) };
    let unlink = Metadata::new("alice@demo.example", "cli", Utc::now()).with_reason("booked on the wrong invoice");
    engine.unlink_document(id, LinkId::parse(&link)?, &unlink).await?;
    let relink = Metadata::new("bob@demo.example", "cli", Utc::now())
        .with_reason("checked with the bank statement: it was right");
    engine.link_payment(id, &PaymentRef::new(&payment)?, &InvoiceNumber::new(&invoice)?, None, &relink).await?;

    say!("\naudit trail of {aggregate} (every linking decision, with who and why):");
    for event in engine.history("DebtorAccount", &aggregate).await? {
        let meta = event.metadata_map()?;
        let who = meta.get("actor").map_or("?", String::as_str);
        let why = meta.get("reason").map_or(String::new(), |r| format!(" — {r}"));
        let what = match event.decode::<DebtorAccountEvent>()? {
            DebtorAccountEvent::PaymentLinked { payment_ref, invoice_number, split, .. } => {
                format!("payment {payment_ref} linked to {invoice_number}: € {} principal", split.principal)
            }
            DebtorAccountEvent::PaymentUnlinked { link_id, .. } => format!("payment link {link_id} undone"),
            DebtorAccountEvent::CreditNoteLinked { credit_note, invoice_number, amount, .. } => {
                format!("credit note {credit_note} linked to {invoice_number}: € {amount}")
            }
            DebtorAccountEvent::CreditNoteUnlinked { link_id, .. } => format!("credit-note link {link_id} undone"),
            DebtorAccountEvent::OpenAmountAdjusted { invoice_number, from, to } => {
                format!("open amount of {invoice_number} adjusted from € {from} to € {to} (the books said so)")
            }
            _ => continue,
        };
        say!("  #{:<4} {}  by {who:<20} {what}{why}", event.sequence, event.recorded_at.format("%Y-%m-%d %H:%M:%S"));
    }
    Ok(())
}
