//! The OpenAPI document of the API, generated from the handlers' annotations (utoipa) and served
//! at `/api/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::account_view::{
    AccountView, AllocationView, CreditNoteView, InvoiceView, PaymentAllocationView, PaymentView, SummaryView,
};
use super::accounts::{LinkCreated, LinkPaymentRequest, UnlinkRequest, Unlinked};
use super::administrations::{AdministrationItem, AdministrationView, LinkStatus, LinkView};
use super::collection::{CollectionClaim, StartCollectionRequest};
use super::dashboard::Dashboard;
use super::imports::{ImportAccepted, ImportLogEntry, ImportStatus};
use super::webhooks::{
    AttemptView, DeliveryView, DisableRequest, ReplayRequest, Replayed, WebhookCreated, WebhookRequest, WebhookView,
};
use super::{accounts, administrations, collection, dashboard, imports, webhooks, ErrorBody, ErrorDetail};

/// The OpenAPI 3.1 document of the JSON API (`ApiDoc::openapi()`), with the bearer security scheme;
/// served at `/api/openapi.json`.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "vordering", description = "Receivables linked to e-Boekhouden.nl. Every endpoint wants \
        `Authorization: Bearer <token>` (`vordering token create`). Errors are `{\"error\": {\"code\", \"message\"}}`."),
    paths(
        administrations::list, administrations::one, imports::log, imports::start, accounts::account,
        accounts::link_payment, accounts::unlink_payment, dashboard::dashboard, dashboard::invoices, dashboard::audit,
        collection::preview, collection::start, collection::cases, webhooks::list, webhooks::add, webhooks::rotate,
        webhooks::disable, webhooks::enable, webhooks::remove, webhooks::deliveries, webhooks::replay
    ),
    components(schemas(
        ErrorBody, ErrorDetail, AdministrationItem, AdministrationView, LinkView, LinkStatus, ImportLogEntry,
        ImportStatus, ImportAccepted, AccountView, SummaryView, InvoiceView, AllocationView, CreditNoteView,
        PaymentView, PaymentAllocationView, LinkPaymentRequest, LinkCreated, UnlinkRequest, Unlinked, Dashboard, CollectionClaim,
        StartCollectionRequest, WebhookView, WebhookCreated, WebhookRequest, DisableRequest, DeliveryView, AttemptView,
        ReplayRequest, Replayed
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Served without a token: it describes the API, not anyone's data.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
