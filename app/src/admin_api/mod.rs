//! The admin API (`ocpizza-admin serve`): platform administrators run the tenants and see the
//! whole group; owners and managers run their own pizzeria. Its own port, OpenAPI document,
//! `/docs`, probes and sessions (tokens of the admin audience). See docs/API.md.

mod auth;
mod dashboard;
mod extras;
mod group;
mod menu;
mod menu_view;
mod operations;
mod paging;
mod pizzeria;
mod pizzeria_view;
mod security;
mod staff;
mod startup;
mod state;
mod stock;
mod tenants;

use std::time::Duration;

use poem::{Endpoint, EndpointExt, Route, get};
use poem_openapi::{OpenApiService, Tags};

use crate::api::{health, middleware};
pub use startup::{AdminApplication, AdminStartupError};
pub use state::AdminState;

#[derive(Tags)]
enum AdminTags {
    /// Logging in to the admin API.
    Sessions,
    /// Platform administrators: pizzerias, the group, operations.
    Platform,
    /// Dashboards of the group and of a pizzeria.
    Reports,
    /// Owners and managers: running their pizzeria.
    Pizzeria,
}

type Apis = (
    auth::AdminAuthApi,
    tenants::TenantsApi,
    operations::OperationsApi,
    dashboard::DashboardApi,
    pizzeria::PizzeriaAdminApi,
    staff::StaffAdminApi,
    menu::MenuAdminApi,
    extras::ExtrasAdminApi,
    stock::StockAdminApi,
    group::GroupMenuApi,
);

pub fn openapi() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        Apis::default(),
        "OC Pizza admin API",
        env!("CARGO_PKG_VERSION"),
    )
    .server("/admin/v1")
    .description(
        "Running the group and the pizzerias. Errors are application/problem+json (docs/API.md).",
    )
}

#[poem::handler]
fn metrics() -> poem::Response {
    health::metrics_response()
}

#[poem::handler]
async fn readyz(state: poem::web::Data<&AdminState>) -> poem::Response {
    health::readiness(&state.pool).await
}

/// Every route of the admin server, with its middleware.
pub fn routes(state: AdminState) -> impl Endpoint {
    let api = openapi();
    let spec = api.spec_endpoint();
    let ui = api.swagger_ui();
    let timeout = Duration::from_secs(state.config.http.request_timeout_secs);
    let max_body = state.config.http.max_body_bytes;
    Route::new()
        .nest("/admin/v1", api)
        .at("/openapi.json", spec)
        .nest("/docs", ui)
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics))
        .data(state)
        .around(move |ep, req| middleware::limit_body(ep, req, max_body))
        .around(move |ep, req| middleware::observe(ep, req, timeout))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_openapi_document_builds_with_unique_schema_names() {
        // poem-openapi panics when two types share a schema name.
        let spec: serde_json::Value = serde_json::from_str(&super::openapi().spec()).unwrap();
        assert!(spec["paths"]["/group/products"].is_object());
        assert!(spec["paths"]["/pizzerias/{slug}/menu"].is_object());
    }
}
