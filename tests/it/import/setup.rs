//! A registered, linked administration and a simulator to import from.

use chrono::Utc;
use secrecy::SecretString;
use sqlx::PgPool;
use vordering::credentials::{SecurityCodes, Vault};
use vordering::domain::administration::AdministrationCommand;
use vordering::domain::AdministrationId;
use vordering::eboekhouden::simulator::{Simulator, SimulatorConfig, SimulatorHandle};
use vordering::engine::SoapVerifier;
use vordering::events::administration::ImportTrigger;
use vordering::events::Metadata;
use vordering::import::{ImportReport, ImportRequest, Quiet};
use vordering::{Engine, Settings};

pub struct Books {
    pub engine: Engine,
    pub simulator: SimulatorHandle,
    pub id: AdministrationId,
}

impl Books {
    pub async fn new(pool: PgPool, config: SimulatorConfig) -> Books {
        let simulator = Simulator::start(config).await.unwrap();
        let mut settings = Settings::default();
        settings.eboekhouden.endpoint = simulator.endpoint();
        let vault = Vault::from_hex(&SecretString::from("22".repeat(32))).unwrap();
        let engine = Engine::from_pool(pool).await.unwrap().with_vault(vault).with_settings(settings.clone());
        let id = AdministrationId::new("sim-bv").unwrap();
        let meta = Metadata::new("tester", "test", Utc::now());
        let register =
            AdministrationCommand::Register { name: "Sim B.V.".to_owned(), registered_by: "tester".to_owned() };
        engine.administration_command(&id, register, &meta).await.unwrap();
        let credentials = simulator.credentials();
        let codes =
            SecurityCodes { code1: credentials.security_code_1.clone(), code2: credentials.security_code_2.clone() };
        let verifier = SoapVerifier { settings: settings.eboekhouden };
        engine.link(&id, &credentials.username, &codes, &verifier, &meta).await.unwrap();
        Books { engine, simulator, id }
    }

    pub fn request(&self) -> ImportRequest {
        ImportRequest {
            administration: self.id.clone(),
            trigger: ImportTrigger::Manual,
            today: self.simulator.today(),
            actor: "tester".to_owned(),
        }
    }

    pub async fn import(&self) -> Result<ImportReport, vordering::import::ImportError> {
        self.engine.import(&self.request(), None, &Quiet).await
    }

    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'DebtorAccount'")
            .fetch_one(self.engine.pool())
            .await
            .unwrap()
    }
}

pub fn small() -> SimulatorConfig {
    SimulatorConfig::new(20, 200, 7)
}
