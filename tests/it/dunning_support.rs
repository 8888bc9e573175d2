//! Builders for the dunning, collection and outbox tests: an engine on the test's database with one
//! registered administration, debtors, invoices and payments imported through the real commands.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::debtor_account::{
    DebtorAccount, DebtorAccountCommand as C, DebtorDocument, DocumentKey, DocumentKind, InvoiceDocument,
    PaymentDocument,
};
use vordering::domain::{AdministrationId, Cents, DebtorCode, InvoiceNumber, PaymentRef};
use vordering::events::debtor_account::{DebtorKind, InvoiceSource, PaymentSource};
use vordering::events::{DebtorAccountEvent, Metadata};
use vordering::internals::store::CommandBus;
use vordering::Engine;

pub const ADMIN: &str = "acme-bv";

pub fn admin() -> AdministrationId {
    AdministrationId::new(ADMIN).unwrap()
}

pub fn code(text: &str) -> DebtorCode {
    DebtorCode::new(text).unwrap()
}

pub fn inv(text: &str) -> InvoiceNumber {
    InvoiceNumber::new(text).unwrap()
}

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

pub fn metadata() -> Metadata {
    Metadata::new("test", "test", crate::support::at("2025-01-01T00:00:00Z"))
}

/// An engine on the test's database with `acme-bv` registered.
pub async fn engine(pool: PgPool) -> Engine {
    let engine = Engine::from_pool(pool).await.unwrap();
    let register = AdministrationCommand::Register { name: "Acme B.V.".to_owned(), registered_by: "test".to_owned() };
    engine.administration_command(&admin(), register, &metadata()).await.unwrap();
    engine
}

async fn execute(engine: &Engine, debtor: &str, command: C) {
    let bus: CommandBus<DebtorAccount> = CommandBus::new(engine.pool().clone());
    bus.execute(&DebtorAccount::aggregate_id(&admin(), &code(debtor)), command, &metadata()).await.unwrap();
}

pub async fn debtor(engine: &Engine, debtor: &str, kind: DebtorKind, email: Option<&str>) {
    let key = DocumentKey::new(&admin(), DocumentKind::Debtor, debtor).unwrap();
    let doc = DebtorDocument {
        code: code(debtor),
        name: format!("Debiteur {debtor}"),
        kind,
        email: email.map(str::to_owned),
        address: None,
        kvk: None,
    };
    execute(engine, debtor, C::ImportDebtor { key, debtor: doc }).await;
}

pub async fn invoice(engine: &Engine, debtor: &str, number: &str, cents: i64, due: NaiveDate) {
    let key = DocumentKey::new(&admin(), DocumentKind::Invoice, number).unwrap();
    let invoice = InvoiceDocument {
        invoice_number: inv(number),
        invoice_date: due - chrono::Days::new(30),
        due_date: due,
        amount: Cents::new(cents),
        source: InvoiceSource::Invoicing,
    };
    execute(engine, debtor, C::ImportInvoice { key, invoice, link_id_seed: Uuid::from_u128(1) }).await;
}

pub async fn payment(engine: &Engine, debtor: &str, reference: &str, cents: i64, on: NaiveDate, invoice: &str) {
    let key = DocumentKey::new(&admin(), DocumentKind::Payment, reference).unwrap();
    let payment = PaymentDocument {
        payment_ref: PaymentRef::new(reference).unwrap(),
        value_date: on,
        amount: Cents::new(cents),
        reference_invoice: Some(inv(invoice)),
        source: PaymentSource::InvoicePayment,
    };
    execute(engine, debtor, C::ReceivePayment { key, payment, today: on, link_id_seed: Uuid::from_u128(2) }).await;
}

/// Every event of one debtor's account, in order.
pub async fn events_of(engine: &Engine, debtor: &str) -> Vec<DebtorAccountEvent> {
    let id = DebtorAccount::aggregate_id(&admin(), &code(debtor));
    engine.history("DebtorAccount", &id).await.unwrap().iter().map(|e| e.decode().unwrap()).collect()
}

pub async fn outbox_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(pool).await.unwrap()
}

/// A URL for the binary that points at this test's database.
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test server");
    let database = pool.connect_options().get_database().expect("sqlx::test names the database").to_owned();
    let (head, query) = base.split_once('?').map_or((base.as_str(), None), |(h, q)| (h, Some(q)));
    let (server, _) = head.rsplit_once('/').expect("the URL has a database path");
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// Runs the binary against the test's database; returns (exit code, stdout, stderr).
pub fn cli(pool: &PgPool, args: &[&str]) -> (Option<i32>, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vordering"))
        .args(args)
        .env("DATABASE_URL", database_url(pool))
        .env_remove("VORDERING__SMTP__HOST")
        .output()
        .expect("the binary runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}
