//! Which orders a caller may see: its customer and the pizzeria's staff by id, anyone with
//! the tracking link by token. Anything else is the 404 of a missing order.

use uuid::Uuid;

use super::security::{Principal, staff_roles};
use crate::http::Problem;
use crate::http::tx::in_tenant;
use crate::orders::receipt::Seller;
use crate::orders::{self, OrderDetails};
use crate::settings;
use crate::state::AppState;
use crate::tenancy::{self, Tenant};

/// The order, if the caller may see it: its customer, or staff of the pizzeria. Anything else
/// is the 404 of a missing order.
pub(crate) async fn visible_order(
    state: &AppState,
    tenant: &Tenant,
    who: Principal,
    id: Uuid,
) -> Result<OrderDetails, Problem> {
    let is_staff = !staff_roles(state, tenant, who).await?.is_empty();
    let details = in_tenant(&state.pool, tenant.id, async |tx| {
        Ok(orders::load(tx, tenant.id, id).await?)
    })
    .await?;
    details
        .filter(|d| is_staff || d.order.customer_id == Some(who.user_id))
        .ok_or_else(|| Problem::not_found("order"))
}

pub(crate) async fn tracked_order(
    state: &AppState,
    tenant: &Tenant,
    token: &str,
) -> Result<OrderDetails, Problem> {
    let details = in_tenant(&state.pool, tenant.id, async |tx| {
        let order = orders::store::find_by_token(tx, tenant.id, token)
            .await?
            .ok_or_else(|| Problem::not_found("order"))?;
        orders::load(tx, tenant.id, order.id)
            .await?
            .ok_or_else(|| Problem::not_found("order"))
    })
    .await?;
    Ok(details)
}

pub(crate) async fn seller(state: &AppState, tenant: &Tenant) -> Result<Seller, Problem> {
    let mut conn = state.pool.acquire().await?;
    let slug = crate::domain::Slug::parse(&tenant.slug)?;
    let row = tenancy::store::find_by_slug(&mut conn, &slug)
        .await?
        .ok_or_else(|| Problem::not_found("pizzeria"))?;
    drop(conn);
    let s = in_tenant(&state.pool, tenant.id, async |tx| {
        Ok(settings::load(tx, tenant.id).await?)
    })
    .await?;
    Ok(Seller {
        name: row.name,
        legal_name: s.legal_name,
        address: format!("{}, {} {}", row.address_line, row.postcode, row.city),
        phone: row.phone,
        siret: s.siret,
        vat_number: s.vat_number,
        timezone: tenant.timezone,
    })
}
