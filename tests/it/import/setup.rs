//! A registered, linked administration and a simulator to import from.

use chrono::Utc;
use secrecy::SecretString;
use sqlx::PgPool;
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::{AccountId, AccountRange, AdministrationId};
use vordering::engine::SoapVerifier;
use vordering::events::administration::ImportTrigger;
use vordering::events::Metadata;
use vordering::internals::credentials::{SecurityCodes, Vault};
use vordering::internals::eboekhouden::simulator::{Simulator, SimulatorConfig, SimulatorHandle};
use vordering::internals::import::{ImportReport, ImportRequest, Quiet};
use vordering::{Engine, EngineError, Settings};

pub struct Books {
    pub engine: Engine,
    pub simulator: SimulatorHandle,
    pub id: AdministrationId,
}

impl Books {
    pub async fn new(pool: PgPool, config: SimulatorConfig) -> Books {
        Books::with_settings(pool, config, Settings::default()).await
    }

    pub async fn with_settings(pool: PgPool, config: SimulatorConfig, mut settings: Settings) -> Books {
        let simulator = Simulator::start(config).await.unwrap();
        settings.eboekhouden.endpoint = simulator.endpoint();
        let vault = Vault::from_hex(&SecretString::from("22".repeat(32))).unwrap();
        let engine = Engine::from_pool(pool).await.unwrap().with_vault(vault).with_settings(settings);
        let books = Books { engine, simulator, id: AdministrationId::new("sim-bv").unwrap() };
        books.add_administration(&books.id).await;
        books
    }

    /// Registers and links another administration to the same simulated books.
    pub async fn add_administration(&self, id: &AdministrationId) {
        let meta = Metadata::new("tester", "test", Utc::now());
        let register =
            AdministrationCommand::Register { name: format!("{id} B.V."), registered_by: "tester".to_owned() };
        self.engine.administration_command(id, register, &meta).await.unwrap();
        let credentials = self.simulator.credentials();
        let codes =
            SecurityCodes { code1: credentials.security_code_1.clone(), code2: credentials.security_code_2.clone() };
        let verifier = SoapVerifier { settings: self.engine.client_settings(None) };
        self.engine.link(id, &credentials.username, &codes, &verifier, &meta).await.unwrap();
    }

    pub fn request_for(&self, id: &AdministrationId) -> ImportRequest {
        ImportRequest {
            administration: id.clone(),
            trigger: ImportTrigger::Manual,
            today: self.simulator.today(),
            actor: "tester".to_owned(),
        }
    }

    pub async fn import(&self) -> Result<ImportReport, EngineError> {
        self.import_into(&self.id).await
    }

    pub async fn import_into(&self, id: &AdministrationId) -> Result<ImportReport, EngineError> {
        self.engine.import(&self.request_for(id), None, &Quiet).await
    }

    pub async fn event_count(&self) -> i64 {
        self.events_of(&self.id).await
    }

    /// Debtor-account events of one administration.
    pub async fn events_of(&self, id: &AdministrationId) -> i64 {
        let range = AccountId::range_of(id);
        let sql = format!(
            "SELECT count(*) FROM events WHERE aggregate_type = 'DebtorAccount' AND {}",
            AccountRange::sql("aggregate_id", 1)
        );
        sqlx::query_scalar(&sql).bind(range.start).bind(range.end).fetch_one(self.engine.pool()).await.unwrap()
    }
}

pub fn small() -> SimulatorConfig {
    SimulatorConfig::new(20, 200, 7)
}
