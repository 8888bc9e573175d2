//! Every dashboard query against the hand-made history of `projections_history`, with the answers
//! worked out by hand in the comments.

use sqlx::PgPool;
use vordering::domain::{AdministrationId, Cents, DebtorCode};
use vordering::engine::{AgeBucket, AgeingBoundaries, BucketRange, Cursor, InvoiceFilter, Phase, PhaseTotal, Totals};
use vordering::Engine;

use crate::projections_history::{caught_up, date, euro, today, write_acme};

async fn acme(pool: PgPool) -> (Engine, AdministrationId) {
    let engine = Engine::from_pool(pool.clone()).await.unwrap();
    write_acme(&pool).await;
    caught_up(&pool).await;
    (engine, AdministrationId::new("acme").unwrap())
}

fn numbers(lines: &[vordering::engine::InvoiceLine]) -> Vec<&str> {
    lines.iter().map(|l| l.invoice_number.as_str()).collect()
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn outstanding_and_overdue_totals(pool: PgPool) {
    let (engine, acme) = acme(pool).await;
    // Open: F1 100 + F2 200 + F3 40 + F4 300 + F7 70 + F8 500 = 1210 in 6 invoices;
    // past due on 2025-06-15: all but F3 (due 2025-07-01) = 1170 in 5.
    let expected = Totals { outstanding: euro(1210), open_invoices: 6, overdue: euro(1170), overdue_invoices: 5 };
    assert_eq!(engine.outstanding(&acme, today()).await.unwrap(), expected);
    // On 2025-07-02 F3 is past due as well.
    let later = engine.outstanding(&acme, date(2025, 7, 2)).await.unwrap();
    assert_eq!((later.overdue, later.overdue_invoices), (euro(1210), 6));
}

fn bucket(range: BucketRange, euros: i64, count: i64) -> AgeBucket {
    AgeBucket { range, open: euro(euros), count }
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn ageing_buckets_with_default_and_custom_boundaries(pool: PgPool) {
    let (engine, acme) = acme(pool).await;
    // Days past due on 2025-06-15: F3 −16, F7 6, F2 15, F1 76, F4 126, F8 349.
    let past = |from, to| BucketRange::PastDue { from, to };
    let default = engine.ageing(&acme, today(), &AgeingBoundaries::default()).await.unwrap();
    assert_eq!(
        default,
        vec![
            bucket(BucketRange::NotDue, 40, 1),
            bucket(past(1, Some(30)), 270, 2),
            bucket(past(31, Some(60)), 0, 0),
            bucket(past(61, Some(90)), 100, 1),
            bucket(past(91, None), 800, 2),
        ]
    );
    let custom = engine.ageing(&acme, today(), &AgeingBoundaries::new(vec![15, 45]).unwrap()).await.unwrap();
    assert_eq!(
        custom,
        vec![
            bucket(BucketRange::NotDue, 40, 1),
            bucket(past(1, Some(15)), 270, 2),
            bucket(past(16, Some(45)), 0, 0),
            bucket(past(46, None), 900, 3),
        ]
    );
    // Boundary days: on 2025-06-30 F2 is exactly 30 days past due (still 1–30), F1 91 days (> 90).
    let edge = engine.ageing(&acme, date(2025, 6, 30), &AgeingBoundaries::default()).await.unwrap();
    assert_eq!(edge[1], bucket(past(1, Some(30)), 270, 2));
    assert_eq!(edge[3], bucket(past(61, Some(90)), 0, 0));
    assert_eq!(edge[4], bucket(past(91, None), 900, 3));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn count_and_open_amount_per_phase(pool: PgPool) {
    let (engine, acme) = acme(pool).await;
    let totals = engine.phase_totals(&acme, today()).await.unwrap();
    let expected = [
        (Phase::NotDue, 1, 40),
        (Phase::Overdue, 2, 700),
        (Phase::Reminder1, 1, 100),
        (Phase::Reminder2, 0, 0),
        (Phase::Reminder3, 0, 0),
        (Phase::FourteenDayLetter, 0, 0),
        (Phase::Collection, 1, 300),
        (Phase::Paused, 1, 70),
        (Phase::Paid, 1, 0),
        (Phase::Credited, 1, 0),
    ]
    .map(|(phase, count, euros)| PhaseTotal { phase, count, open: euro(euros) });
    assert_eq!(totals, expected);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn dso_counts_partly_paid_invoices_in_full_and_leaves_credit_notes_out(pool: PgPool) {
    let (engine, acme) = acme(pool).await;
    // June 2025: outstanding at the month's end = F1 100 + F2 250 (partly paid counts in full) + F3 40
    // + F4 300 + F7 70 + F8 500 = 1260; invoiced Jul 2024–Jun 2025 = 900 (F8 is June 2024);
    // 365 days. DSO = 1260 × 365 / 900 = 511.00 days.
    let june = engine.dso(&acme, today()).await.unwrap();
    assert_eq!(
        (june.month, june.outstanding, june.invoiced_12_months, june.days_in_12_months, june.dso_hundredths),
        (date(2025, 6, 1), euro(1260), euro(900), 365, Some(51_100))
    );
    // May 2025: outstanding 1220 (F3 not yet invoiced); invoiced Jun 2024–May 2025 = 1360; 365 days.
    // DSO = 1220 × 365 / 1360 = 327.426… → 327.43.
    let months = engine.dso_by_month(&acme, today(), 2).await.unwrap();
    assert_eq!(months.len(), 2);
    assert_eq!(months[1], june);
    assert_eq!(
        (months[0].month, months[0].outstanding, months[0].invoiced_12_months, months[0].dso_hundredths),
        (date(2025, 5, 1), euro(1220), euro(1360), Some(32_743))
    );
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn top_debtors_and_one_debtor(pool: PgPool) {
    let (engine, acme) = acme(pool).await;
    let top = engine.top_debtors(&acme, today(), 20).await.unwrap();
    let lines: Vec<(&str, Cents, i64, Option<Phase>)> =
        top.iter().map(|l| (l.debtor_code.as_str(), l.outstanding, l.open_invoices, l.phase)).collect();
    assert_eq!(
        lines,
        vec![
            ("D3", euro(500), 1, Some(Phase::Overdue)),
            ("D2", euro(370), 2, Some(Phase::Collection)),
            ("D1", euro(340), 3, Some(Phase::Reminder1)),
        ]
    );
    assert_eq!(engine.top_debtors(&acme, today(), 1).await.unwrap().len(), 1);

    let d1 = engine.debtor_invoices(&acme, &DebtorCode::new("D1").unwrap(), today()).await.unwrap().unwrap();
    assert_eq!((d1.line.name.as_str(), d1.line.outstanding, d1.overdue), ("Alpha BV", euro(340), euro(300)));
    assert_eq!(numbers(&d1.invoices), ["F1", "F2", "F3"]);
    let f2 = &d1.invoices[1];
    assert_eq!(
        (f2.amount, f2.open, f2.paid, f2.phase, f2.days_past_due),
        (euro(250), euro(200), euro(50), Phase::Overdue, 15)
    );
    assert_eq!(d1.invoices[0].steps.get("Reminder1"), Some(&date(2025, 4, 10)));
    let unknown = engine.debtor_invoices(&acme, &DebtorCode::new("D404").unwrap(), today()).await.unwrap();
    assert_eq!(unknown, None);
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn pages_by_phase_and_by_bucket(pool: PgPool) {
    let (engine, acme) = acme(pool).await;
    let overdue = InvoiceFilter::Phase(Phase::Overdue);
    let first = engine.invoice_page(&acme, today(), overdue, None, 1).await.unwrap();
    assert_eq!(numbers(&first.invoices), ["F8"]);
    let cursor = first.next.clone().unwrap();
    assert_eq!(cursor, Cursor { due_date: date(2024, 7, 1), invoice_number: "F8".to_owned() });
    let second = engine.invoice_page(&acme, today(), overdue, Some(&cursor), 1).await.unwrap();
    assert_eq!(numbers(&second.invoices), ["F2"]);
    let third = engine.invoice_page(&acme, today(), overdue, second.next.as_ref(), 1).await.unwrap();
    assert_eq!((third.invoices.len(), third.next), (0, None));

    let page = |filter| engine.invoice_page(&acme, today(), filter, None, 50);
    assert_eq!(numbers(&page(InvoiceFilter::Phase(Phase::NotDue)).await.unwrap().invoices), ["F3"]);
    assert_eq!(numbers(&page(InvoiceFilter::Phase(Phase::Paid)).await.unwrap().invoices), ["F6"]);
    assert_eq!(numbers(&page(InvoiceFilter::Phase(Phase::Credited)).await.unwrap().invoices), ["F5"]);
    assert_eq!(numbers(&page(InvoiceFilter::Phase(Phase::Collection)).await.unwrap().invoices), ["F4"]);
    let old = InvoiceFilter::Bucket(BucketRange::PastDue { from: 91, to: None });
    assert_eq!(numbers(&page(old).await.unwrap().invoices), ["F8", "F4"]);
    let young = InvoiceFilter::Bucket(BucketRange::PastDue { from: 1, to: Some(30) });
    let young = page(young).await.unwrap();
    assert_eq!((numbers(&young.invoices), young.next), (vec!["F2", "F7"], None));
}

#[sqlx::test(migrator = "vordering::MIGRATOR")]
async fn the_hand_written_dunning_events_are_the_write_sides_own(pool: PgPool) {
    write_acme(&pool).await;
    let events = vordering::internals::store::administration_log(
        &pool,
        &vordering::domain::AdministrationId::new("acme").unwrap(),
    )
    .await
    .unwrap();
    let dunning: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.event_type.as_str(), "ReminderSent" | "CollectionStarted" | "InvoicePaused"))
        .map(|e| e.decode::<vordering::events::DebtorAccountEvent>().map(|d| d.name()).unwrap())
        .collect();
    assert_eq!(dunning, ["ReminderSent", "CollectionStarted", "InvoicePaused"]);
}
