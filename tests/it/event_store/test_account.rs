//! A small aggregate for store tests whose events carry document keys, like the import's do.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestAccount {
    pub invoices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TestEvent {
    InvoiceImported { document_key: String, amount: i64 },
    Noted { text: String },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("refused")]
pub struct Refused;

impl vordering::events::DocumentKeyed for TestEvent {
    fn document_key(&self) -> Option<&str> {
        match self {
            TestEvent::InvoiceImported { document_key, .. } => Some(document_key),
            TestEvent::Noted { .. } => None,
        }
    }
}

impl DomainEvent for TestEvent {
    fn event_type(&self) -> String {
        match self {
            TestEvent::InvoiceImported { .. } => "InvoiceImported".to_owned(),
            TestEvent::Noted { .. } => "Noted".to_owned(),
        }
    }
    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

impl Aggregate for TestAccount {
    const TYPE: &'static str = "TestAccount";
    type Command = TestEvent;
    type Event = TestEvent;
    type Error = Refused;
    type Services = ();

    async fn handle(&mut self, command: TestEvent, _: &(), sink: &EventSink<Self>) -> Result<(), Refused> {
        sink.write(command, self).await;
        Ok(())
    }

    fn apply(&mut self, event: TestEvent) {
        if let TestEvent::InvoiceImported { document_key, .. } = event {
            self.invoices.push(document_key);
        }
    }
}

pub fn invoice(key: &str, amount: i64) -> TestEvent {
    TestEvent::InvoiceImported { document_key: key.to_owned(), amount }
}
