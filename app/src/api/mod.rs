//! The public HTTP API (poem-openapi): routes, the OpenAPI document and interactive docs.

mod account_links;
mod accounts;
mod addresses;
mod deliveries;
mod history;
mod images;
mod kitchen;
mod menu;
mod menu_doc;
mod operations;
mod order_access;
mod order_actions;
mod order_input;
mod order_view;
mod orders;
mod pizzerias;
mod receipts;
pub mod security;
mod staff;
mod stock;
mod stream_events;
mod streams;

use poem::web::Data;
use poem::{Endpoint, EndpointExt, get};
use poem_openapi::{OpenApiService, Tags};

use crate::http::sessions::SessionsApi;
use crate::http::{allow, health, maintenance, server};
use crate::state::AppState;

#[derive(Tags)]
enum ApiTags {
    /// Accounts and sessions.
    Accounts,
    /// Pizzerias of the group.
    Pizzerias,
    /// Menus, availability and opening times.
    Menu,
    /// Ingredient stock (staff).
    Stock,
    /// Placing and following orders.
    Orders,
    /// The kitchen queue and the staff's views of orders.
    Kitchen,
    /// Live events and deliveries.
    Live,
    /// Running a pizzeria now: pause, busy time, sold-out marks, settings (staff).
    Operations,
}

/// Every API, once: what customers use, then what staff use (nested: tuples of up to 12 have
/// a `Default`).
type Apis = (
    (
        SessionsApi,
        accounts::AccountsApi,
        account_links::AccountLinksApi,
        addresses::AddressesApi,
        pizzerias::PizzeriasApi,
        menu::MenuApi,
        images::ImagesApi,
        orders::OrdersApi,
        order_actions::OrderActionsApi,
        history::HistoryApi,
        receipts::ReceiptsApi,
        streams::StreamsApi,
    ),
    (
        stock::StockApi,
        operations::OperationsApi,
        kitchen::KitchenApi,
        deliveries::DeliveriesApi,
        staff::StaffApi,
    ),
);

pub fn openapi() -> OpenApiService<Apis, ()> {
    OpenApiService::new(Apis::default(), "OC Pizza API", env!("CARGO_PKG_VERSION"))
        .server("/api/v1")
        .description(
            "Ordering and pizzeria operations. Errors are application/problem+json (docs/API.md).",
        )
}

/// The app's metrics, with the live event streams counted at scrape time.
#[poem::handler]
fn metrics(state: Data<&AppState>) -> poem::Response {
    use crate::realtime::StreamKind;
    for (kind, label) in [
        (StreamKind::Order, "order"),
        (StreamKind::Kitchen, "kitchen"),
        (StreamKind::Driver, "driver"),
    ] {
        crate::metrics::sse_connections(label, state.hub.live.get(kind));
    }
    health::metrics_response()
}

/// Every route of `ocpizza-app`, with its middleware.
pub(crate) fn routes(state: AppState) -> impl Endpoint {
    let api = openapi();
    let spec = api.spec();
    let watch = state.shared.maintenance.clone();
    let routes = server::standard_routes(&api)
        .nest(
            "/api/v1",
            allow::with_allow(maintenance::guard(api, watch, &[]), &spec),
        )
        .at(
            "/metrics",
            health::guard_metrics(get(metrics), state.config.http.metrics_token.clone()),
        );
    let shared = state.shared.clone();
    server::with_middleware(routes.data(state), shared)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placing_an_order_is_in_the_openapi_document() {
        let spec: serde_json::Value = serde_json::from_str(&super::openapi().spec()).unwrap();
        let orders = &spec["paths"]["/pizzerias/{slug}/orders"];
        assert!(
            orders["post"].is_object() && orders["get"].is_object(),
            "{orders}"
        );
    }

    #[test]
    fn the_openapi_document_is_the_committed_one() {
        crate::http::contract::check(&super::openapi().spec(), "app.json");
    }
}
