//! The public HTTP API (poem-openapi): routes, the OpenAPI document and interactive docs.

mod account_links;
mod accounts;
mod addresses;
mod deliveries;
pub mod health;
mod history;
mod images;
mod kitchen;
mod menu;
pub mod middleware;
mod operations;
mod optional_body;
mod order_access;
mod order_actions;
mod order_view;
mod orders;
mod pizzerias;
pub mod problem;
mod receipts;
pub mod security;
mod staff;
mod stock;
mod streams;

use std::time::Duration;

use poem::{Endpoint, EndpointExt, Route, get};
use poem_openapi::{OpenApiService, Tags};

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
        accounts::AccountsApi,
        account_links::AccountLinksApi,
        addresses::AddressesApi,
        pizzerias::PizzeriasApi,
        menu::MenuApi,
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

/// Every route of `ocpizza-app`, with its middleware.
pub fn routes(state: AppState) -> impl Endpoint {
    let api = openapi();
    let spec = api.spec_endpoint();
    let ui = api.swagger_ui();
    let timeout = Duration::from_secs(state.config.http.request_timeout_secs);
    let max_body = state.config.http.max_body_bytes;
    Route::new()
        .nest("/api/v1", api.around(middleware::maintenance))
        .at(
            "/api/v1/pizzerias/:slug/products/:id/image",
            get(images::product_image),
        )
        .at("/openapi.json", spec)
        .nest("/docs", ui)
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .at("/metrics", get(health::metrics))
        .data(state)
        .around(move |ep, req| middleware::limit_body(ep, req, max_body))
        .around(move |ep, req| middleware::observe(ep, req, timeout))
}
