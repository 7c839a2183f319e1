//! The admin API (`ocpizza-admin serve`): platform administrators run the tenants and see the
//! whole group; owners and managers run their own pizzeria. Its own port, OpenAPI document,
//! `/docs`, probes and sessions (tokens of the admin audience). See docs/API.md.

mod dashboard;
mod devices;
mod extras;
mod group;
mod me;
mod menu;
mod menu_view;
mod operations;
mod pizzeria;
mod pizzeria_view;
mod security;
mod staff;
mod startup;
mod state;
mod stock;
mod tenants;

use poem::{Endpoint, EndpointExt, get};
use poem_openapi::{OpenApiService, Tags};

use crate::http::sessions::SessionsApi;
use crate::http::{allow, health, maintenance, server};
pub use startup::AdminApplication;
pub use state::AdminState;

#[derive(Tags)]
enum AdminTags {
    /// Platform administrators: pizzerias, the group, operations.
    Platform,
    /// Dashboards of the group and of a pizzeria.
    Reports,
    /// Owners and managers: running their pizzeria.
    Pizzeria,
}

type Apis = (
    SessionsApi,
    me::MeApi,
    tenants::TenantsApi,
    operations::OperationsApi,
    dashboard::DashboardApi,
    pizzeria::PizzeriaAdminApi,
    staff::StaffAdminApi,
    devices::DevicesAdminApi,
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

/// Every route of the admin server, with its middleware.
pub(crate) fn routes(state: AdminState) -> impl Endpoint {
    let api = openapi();
    let spec = api.spec();
    let watch = state.shared.maintenance.clone();
    // The switch itself stays up, so an operator can turn maintenance off through the API.
    let routes = server::standard_routes(&api)
        .nest(
            "/admin/v1",
            allow::with_allow(
                maintenance::guard(api, watch, &["/admin/v1/maintenance", "/maintenance"]),
                &spec,
            ),
        )
        .at(
            "/metrics",
            health::guard_metrics(
                get(health::metrics),
                state.config.http.metrics_token.clone(),
            ),
        );
    let shared = state.shared.clone();
    server::with_middleware(routes.data(state), shared)
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

    #[test]
    fn the_openapi_document_is_the_committed_one() {
        crate::http::contract::check(&super::openapi().spec(), "admin.json");
    }
}
