//! `/pizzerias/{slug}` and its settings: profile, service (slots, fees, minimum, times), legal
//! details, opening hours, closures, delivery zone, pause and busy time.

use chrono::{NaiveDate, NaiveTime};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::AdminTags;
use super::pizzeria_view::{Legal, PizzeriaView, Service, view};
use super::security::{Managed, franchise};
use super::state::AdminState;
use crate::domain::InvalidInput;
use crate::http::Problem;
use crate::http::strict::Text;
use crate::http::tx::in_platform;
use crate::settings::store::{HoursRow, ServiceParams, ZoneRow};
use crate::settings::{self, admin};
use crate::tenancy::platform::{self, ProfileChange};

#[derive(Default)]
pub struct PizzeriaAdminApi;

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct HoursIn {
    weekday: i16,
    opens: NaiveTime,
    closes: NaiveTime,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct ZoneIn {
    postcode: String,
    fee_cents: Option<i32>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct ExceptionIn {
    day: NaiveDate,
    /// Both or neither: special hours that day, or closed all day.
    opens: Option<NaiveTime>,
    closes: Option<NaiveTime>,
    note: Option<Text<200>>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct ProfileIn {
    address_line: Option<Text>,
    postcode: Option<Text>,
    city: Option<Text>,
    phone: Option<Text>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct PauseIn {
    /// Shown to customers.
    message: Text<280>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct BusyIn {
    /// 0 to 90 minutes added to every estimate.
    extra_minutes: i64,
    note: Option<Text>,
}

type Answer = Result<Json<PizzeriaView>, Problem>;

/// The pizzeria as it stands after a change.
async fn answer(state: &AdminState, m: &Managed) -> Answer {
    Ok(Json(view(state, &m.tenant.slug).await?))
}

#[OpenApi(tag = "AdminTags::Pizzeria")]
impl PizzeriaAdminApi {
    /// The pizzeria with all its settings.
    #[oai(path = "/pizzerias/:slug", method = "get")]
    async fn get(&self, state: Data<&AdminState>, slug: franchise::Path) -> Answer {
        answer(&state, &slug).await
    }

    /// Address, phone and coordinates (the name, slug and timezone are the platform's).
    #[oai(path = "/pizzerias/:slug/profile", method = "patch")]
    async fn profile(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<ProfileIn>,
    ) -> Answer {
        let b = body.0;
        let change = ProfileChange {
            address_line: b.address_line.map(String::from),
            postcode: b.postcode.map(String::from),
            city: b.city.map(String::from),
            phone: b.phone.map(String::from),
            latitude: b.latitude,
            longitude: b.longitude,
            ..ProfileChange::default()
        };
        // `tenants` is global: written with the owner role, for this pizzeria only.
        in_platform(&state.owner_pool, async |tx| {
            Ok(platform::update_profile(tx, slug.user_id, &slug.tenant.slug, change).await?)
        })
        .await?;
        answer(&state, &slug).await
    }

    /// Slots, capacity, delivery fee, minimum order for delivery, preparation and delivery times.
    #[oai(path = "/pizzerias/:slug/service", method = "put")]
    async fn service(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<Service>,
    ) -> Answer {
        let b = body.0;
        let p = ServiceParams {
            slot_minutes: b.slot_minutes,
            max_orders_per_slot: b.max_orders_per_slot,
            default_delivery_fee_cents: b.default_delivery_fee_cents,
            min_delivery_order_cents: b.min_delivery_order_cents,
            avg_prep_minutes: b.avg_prep_minutes,
            avg_delivery_minutes: b.avg_delivery_minutes,
        };
        slug.run(async |tx, t, by| Ok(admin::set_service(tx, t, by, &p).await?))
            .await?;
        answer(&state, &slug).await
    }

    /// The legal details printed on receipts.
    #[oai(path = "/pizzerias/:slug/legal", method = "put")]
    async fn legal(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<Legal>,
    ) -> Answer {
        slug.run(async |tx, t, by| {
            Ok(
                admin::set_legal(tx, t, by, &body.legal_name, &body.siret, &body.vat_number)
                    .await?,
            )
        })
        .await?;
        answer(&state, &slug).await
    }

    /// Replace the weekly opening hours.
    #[oai(path = "/pizzerias/:slug/hours", method = "put")]
    async fn hours(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<Vec<HoursIn>>,
    ) -> Answer {
        let rows: Vec<HoursRow> = body
            .0
            .into_iter()
            .map(|h| HoursRow {
                weekday: h.weekday,
                opens: h.opens,
                closes: h.closes,
            })
            .collect();
        slug.run(async |tx, t, by| Ok(admin::set_hours(tx, t, by, &rows).await?))
            .await?;
        answer(&state, &slug).await
    }

    /// A closure or special hours on one day.
    #[oai(path = "/pizzerias/:slug/exceptions", method = "post")]
    async fn exception(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<ExceptionIn>,
    ) -> Answer {
        let hours = match (body.opens, body.closes) {
            (Some(o), Some(c)) => Some((o, c)),
            (None, None) => None,
            _ => {
                return Err(
                    InvalidInput::new("closes", "give both opens and closes, or neither").into(),
                );
            }
        };
        let note = body.note.clone().unwrap_or_default();
        slug.run(async |tx, t, by| {
            Ok(admin::add_exception(tx, t, by, body.day, hours, &note).await?)
        })
        .await?;
        answer(&state, &slug).await
    }

    /// Remove the closures and special hours of a day: the weekly hours apply again.
    #[oai(path = "/pizzerias/:slug/exceptions/:day", method = "delete")]
    async fn delete_exception(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        day: Path<NaiveDate>,
    ) -> Answer {
        let removed = slug
            .run(async |tx, t, by| Ok(admin::delete_exceptions(tx, t, by, day.0).await?))
            .await?;
        if !removed {
            return Err(Problem::not_found("exception"));
        }
        answer(&state, &slug).await
    }

    /// Replace the delivery zone (postcodes, each with an optional fee of its own).
    #[oai(path = "/pizzerias/:slug/zones", method = "put")]
    async fn zones(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<Vec<ZoneIn>>,
    ) -> Answer {
        let rows: Vec<ZoneRow> = body
            .0
            .into_iter()
            .map(|z| ZoneRow {
                postcode: z.postcode.trim().to_string(),
                fee_cents: z.fee_cents,
            })
            .collect();
        slug.run(async |tx, t, by| Ok(admin::set_zones(tx, t, by, &rows).await?))
            .await?;
        answer(&state, &slug).await
    }

    /// Pause online orders with a message for customers.
    #[oai(path = "/pizzerias/:slug/pause", method = "put")]
    async fn pause(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<PauseIn>,
    ) -> Answer {
        slug.run(async |tx, t, by| Ok(settings::pause(tx, t, by, &body.message).await?))
            .await?;
        answer(&state, &slug).await
    }

    /// Take online orders again.
    #[oai(path = "/pizzerias/:slug/pause", method = "delete")]
    async fn resume(&self, state: Data<&AdminState>, slug: franchise::Path) -> Answer {
        slug.run(async |tx, t, by| Ok(settings::resume(tx, t, by).await?))
            .await?;
        answer(&state, &slug).await
    }

    /// Extra preparation time while the kitchen is busy.
    #[oai(path = "/pizzerias/:slug/busy", method = "put")]
    async fn busy(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<BusyIn>,
    ) -> Answer {
        let note = body.note.clone().unwrap_or_default();
        slug.run(async |tx, t, by| {
            Ok(settings::set_busy(tx, t, by, body.extra_minutes, &note).await?)
        })
        .await?;
        answer(&state, &slug).await
    }
}
