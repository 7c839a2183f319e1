//! Running the pizzeria now: pause online orders, busy time, sold-out marks, settings view.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::security::{Everyone, Kitchen, Managers, staff};
use crate::http::Problem;
use crate::http::responses::Done;
use crate::http::strict::Text;
use crate::http::tx::in_tenant;
use crate::state::AppState;
use crate::{menu, settings};

#[derive(Default)]
pub struct OperationsApi;

#[derive(Object)]
struct PauseRequest {
    /// Shown to customers while paused.
    #[oai(default)]
    message: Text<280>,
}

#[derive(Object)]
struct BusyRequest {
    /// Minutes added to every preparation estimate; 0 ends the busy time.
    extra_minutes: i64,
    #[oai(default)]
    note: Text,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SoldOutRequest {
    /// Until when; absent: until further notice.
    until: Option<DateTime<Utc>>,
    #[oai(default)]
    note: Text,
}

#[derive(Object)]
struct HoursView {
    /// ISO weekday, 1 = Monday.
    weekday: i16,
    opens: String,
    closes: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ZoneView {
    postcode: String,
    /// Absent: the default delivery fee.
    fee_cents: Option<i32>,
}

#[derive(Object)]
#[oai(rename = "VatRate")]
struct VatView {
    vat_class: String,
    rate_bp: i32,
    label: String,
}

#[derive(Object)]
struct SettingsView {
    online_paused: bool,
    pause_message: String,
    busy_extra_minutes: i32,
    slot_minutes: i32,
    max_orders_per_slot: i32,
    default_delivery_fee_cents: i32,
    min_delivery_order_cents: i32,
    avg_prep_minutes: i32,
    avg_delivery_minutes: i32,
    legal_name: String,
    siret: String,
    vat_number: String,
    weekly_hours: Vec<HoursView>,
    delivery_zones: Vec<ZoneView>,
    vat_rates: Vec<VatView>,
}

async fn settings_view(state: &AppState, tenant_id: Uuid) -> Result<SettingsView, Problem> {
    let (s, hours, zones, vat) = in_tenant(&state.pool, tenant_id, async |tx| {
        let s = settings::load(tx, tenant_id).await?;
        let hours = settings::store::weekly_hours(tx, tenant_id).await?;
        let zones = settings::store::zones(tx, tenant_id).await?;
        let vat = settings::store::vat_rates(tx, tenant_id).await?;
        Ok((s, hours, zones, vat))
    })
    .await?;
    Ok(SettingsView {
        online_paused: s.online_paused,
        pause_message: s.pause_message,
        busy_extra_minutes: s.busy_extra_minutes,
        slot_minutes: s.slot_minutes,
        max_orders_per_slot: s.max_orders_per_slot,
        default_delivery_fee_cents: s.default_delivery_fee_cents,
        min_delivery_order_cents: s.min_delivery_order_cents,
        avg_prep_minutes: s.avg_prep_minutes,
        avg_delivery_minutes: s.avg_delivery_minutes,
        legal_name: s.legal_name,
        siret: s.siret,
        vat_number: s.vat_number,
        weekly_hours: hours
            .into_iter()
            .map(|h| HoursView {
                weekday: h.weekday,
                opens: h.opens.format("%H:%M").to_string(),
                closes: h.closes.format("%H:%M").to_string(),
            })
            .collect(),
        delivery_zones: zones
            .into_iter()
            .map(|z| ZoneView {
                postcode: z.postcode,
                fee_cents: z.fee_cents,
            })
            .collect(),
        vat_rates: vat
            .into_iter()
            .map(|v| VatView {
                vat_class: v.vat_class,
                rate_bp: v.rate_bp,
                label: v.label,
            })
            .collect(),
    })
}

#[OpenApi(tag = "ApiTags::Operations")]
impl OperationsApi {
    /// The pizzeria's operating settings (staff).
    #[oai(path = "/pizzerias/:slug/settings", method = "get")]
    async fn settings(
        &self,
        state: Data<&AppState>,
        slug: staff::Path<Everyone>,
    ) -> Result<Json<SettingsView>, Problem> {
        Ok(Json(settings_view(&state, slug.tenant.id).await?))
    }

    /// Pause online orders now, with a message for customers (manager, owner).
    #[oai(path = "/pizzerias/:slug/operations/pause", method = "put")]
    async fn pause(
        &self,
        state: Data<&AppState>,
        slug: staff::Path<Managers>,
        body: Json<PauseRequest>,
    ) -> Result<Json<SettingsView>, Problem> {
        slug.run(async |tx, t, by| Ok(settings::pause(tx, t, by, &body.message).await?))
            .await?;
        Ok(Json(settings_view(&state, slug.tenant.id).await?))
    }

    /// Take online orders again (manager, owner).
    #[oai(path = "/pizzerias/:slug/operations/pause", method = "delete")]
    async fn resume(
        &self,
        state: Data<&AppState>,
        slug: staff::Path<Managers>,
    ) -> Result<Json<SettingsView>, Problem> {
        slug.run(async |tx, t, by| Ok(settings::resume(tx, t, by).await?))
            .await?;
        Ok(Json(settings_view(&state, slug.tenant.id).await?))
    }

    /// Set the extra preparation time while the kitchen is busy (manager, owner, pizzaiolo).
    #[oai(path = "/pizzerias/:slug/operations/busy", method = "put")]
    async fn busy(
        &self,
        state: Data<&AppState>,
        slug: staff::Path<Kitchen>,
        body: Json<BusyRequest>,
    ) -> Result<Json<SettingsView>, Problem> {
        slug.run(async |tx, t, by| {
            Ok(settings::set_busy(tx, t, by, body.extra_minutes, &body.note).await?)
        })
        .await?;
        Ok(Json(settings_view(&state, slug.tenant.id).await?))
    }

    /// Mark a product sold out, until a time or until further notice (manager, owner, pizzaiolo).
    #[oai(path = "/pizzerias/:slug/products/:id/sold-out", method = "put")]
    async fn sold_out(
        &self,
        slug: staff::Path<Kitchen>,
        id: Path<Uuid>,
        body: Json<SoldOutRequest>,
    ) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| {
            Ok(menu::write::set_sold_out(tx, t, *id, by, true, body.until, &body.note).await?)
        })
        .await?;
        Ok(Done::NoContent)
    }

    /// Put a product back on sale (manager, owner, pizzaiolo).
    #[oai(path = "/pizzerias/:slug/products/:id/sold-out", method = "delete")]
    async fn back_on_sale(
        &self,
        slug: staff::Path<Kitchen>,
        id: Path<Uuid>,
    ) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| {
            Ok(menu::write::set_sold_out(tx, t, *id, by, false, None, "").await?)
        })
        .await?;
        Ok(Done::NoContent)
    }
}
