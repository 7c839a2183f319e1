//! What `GET /pizzerias/{slug}` answers (and every settings change returns).

use chrono::{NaiveDate, NaiveTime, Utc};
use poem_openapi::Object;

use super::state::AdminState;
use crate::http::Problem;
use crate::http::strict::Text;
use crate::http::tx::in_tenant;
use crate::settings::{self, store};
use crate::tenancy::platform;

#[derive(Object)]
pub(super) struct Hours {
    /// 1 (Monday) to 7 (Sunday).
    pub(super) weekday: i16,
    pub(super) opens: NaiveTime,
    /// At or before `opens`: the next day (a service that ends past midnight).
    pub(super) closes: NaiveTime,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct Zone {
    pub(super) postcode: String,
    /// This postcode's fee; none: the default fee.
    pub(super) fee_cents: Option<i32>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct Exception {
    pub(super) day: NaiveDate,
    /// None with `closes`: closed all day.
    pub(super) opens: Option<NaiveTime>,
    pub(super) closes: Option<NaiveTime>,
    pub(super) note: String,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub(super) struct Service {
    pub(super) slot_minutes: i32,
    pub(super) max_orders_per_slot: i32,
    pub(super) default_delivery_fee_cents: i32,
    pub(super) min_delivery_order_cents: i32,
    pub(super) avg_prep_minutes: i32,
    pub(super) avg_delivery_minutes: i32,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub(super) struct Legal {
    pub(super) legal_name: Text<120>,
    /// 14 digits.
    pub(super) siret: Text,
    pub(super) vat_number: Text,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct PizzeriaView {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) status: String,
    pub(super) address_line: String,
    pub(super) postcode: String,
    pub(super) city: String,
    pub(super) phone: String,
    pub(super) latitude: Option<f64>,
    pub(super) longitude: Option<f64>,
    pub(super) timezone: String,
    pub(super) service: Service,
    pub(super) legal: Legal,
    pub(super) online_paused: bool,
    pub(super) pause_message: String,
    pub(super) busy_extra_minutes: i32,
    pub(super) hours: Vec<Hours>,
    pub(super) zones: Vec<Zone>,
    /// Closures and special hours from today on.
    pub(super) exceptions: Vec<Exception>,
}

pub(super) async fn view(state: &AdminState, slug: &str) -> Result<PizzeriaView, Problem> {
    let tenant = crate::tenancy::find(&state.pool, slug).await?;
    let mut conn = state.pool.acquire().await?;
    let row = platform::find(&mut conn, slug).await?;
    drop(conn);
    let (s, hours, zones, exceptions) = in_tenant(&state.pool, tenant.id, async |tx| {
        let s = settings::load(tx, tenant.id).await?;
        let hours = store::weekly_hours(tx, tenant.id).await?;
        let zones = store::zones(tx, tenant.id).await?;
        let today = Utc::now().with_timezone(&tenant.timezone).date_naive();
        let far = today + chrono::Duration::days(366);
        let exceptions = store::exceptions_between(tx, tenant.id, today, far).await?;
        Ok((s, hours, zones, exceptions))
    })
    .await?;
    Ok(PizzeriaView {
        slug: row.slug,
        name: row.name,
        status: row.status,
        address_line: row.address_line,
        postcode: row.postcode,
        city: row.city,
        phone: row.phone,
        latitude: row.latitude,
        longitude: row.longitude,
        timezone: row.timezone,
        service: Service {
            slot_minutes: s.slot_minutes,
            max_orders_per_slot: s.max_orders_per_slot,
            default_delivery_fee_cents: s.default_delivery_fee_cents,
            min_delivery_order_cents: s.min_delivery_order_cents,
            avg_prep_minutes: s.avg_prep_minutes,
            avg_delivery_minutes: s.avg_delivery_minutes,
        },
        legal: Legal {
            legal_name: s.legal_name.into(),
            siret: s.siret.into(),
            vat_number: s.vat_number.into(),
        },
        online_paused: s.online_paused,
        pause_message: s.pause_message,
        busy_extra_minutes: s.busy_extra_minutes,
        hours: hours
            .into_iter()
            .map(|h| Hours {
                weekday: h.weekday,
                opens: h.opens,
                closes: h.closes,
            })
            .collect(),
        zones: zones
            .into_iter()
            .map(|z| Zone {
                postcode: z.postcode,
                fee_cents: z.fee_cents,
            })
            .collect(),
        exceptions: exceptions
            .into_iter()
            .map(|e| Exception {
                day: e.day,
                opens: e.opens,
                closes: e.closes,
                note: e.note,
            })
            .collect(),
    })
}
