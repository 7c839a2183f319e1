//! Public menu, product and opening endpoints of a pizzeria.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::menu_doc::{self, MenuView};
use crate::domain::InvalidInput;
use crate::domain::opening::Interval;
use crate::http::Problem;
use crate::http::streamed::RawJson;
use crate::http::tx::in_tenant;
use crate::menu::{self, Extra, MenuData, Product};
use crate::state::AppState;
use crate::{orders, settings, stock, tenancy};

#[derive(Default)]
pub struct MenuApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SizeView {
    id: Uuid,
    code: String,
    label: String,
    price_cents: i64,
    /// Can be ordered now (in stock and not sold out).
    available: bool,
    /// How many current stock allows; absent when the product's stock is not tracked.
    remaining: Option<i64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProductView {
    id: Uuid,
    kind: String,
    name: String,
    description: String,
    allergens: Vec<String>,
    /// The product's picture (a redirect to a short-lived URL), when it has one.
    image_url: Option<String>,
    vat_class: String,
    vat_rate_bp: Option<i64>,
    /// Marked sold out by the pizzeria (wins over stock).
    sold_out: bool,
    sold_out_until: Option<DateTime<Utc>>,
    /// At least one size can be ordered now.
    available: bool,
    sizes: Vec<SizeView>,
}

/// The menu, or `304 Not Modified` when `If-None-Match` names its current `ETag`.
#[derive(ApiResponse)]
enum MenuAnswer {
    /// The menu; `ETag` changes with the menu, the stock and sold-out marks.
    #[oai(status = 200)]
    Ok(
        RawJson<MenuView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// Unchanged since the `ETag` sent.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
}

#[derive(Object)]
struct PeriodView {
    opens: String,
    closes: String,
}

#[derive(Object)]
struct IntervalView {
    service_day: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl From<Interval> for IntervalView {
    fn from(i: Interval) -> Self {
        Self {
            service_day: i.service_day.to_string(),
            start: i.start,
            end: i.end,
        }
    }
}

#[derive(Object)]
struct SlotView {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    capacity: i64,
    /// Orders that can still ask for this slot.
    remaining: i64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct OpeningView {
    pizzeria: String,
    timezone: String,
    now: DateTime<Utc>,
    open_now: bool,
    /// The service day of the current opening (a night past midnight counts for the day before).
    service_day: Option<String>,
    /// Today's opening periods, local times.
    today: Vec<PeriodView>,
    current: Option<IntervalView>,
    next_opening: Option<IntervalView>,
    online_paused: bool,
    pause_message: String,
    busy_extra_minutes: i64,
    /// Open now and not paused.
    accepting_orders: bool,
    /// Minutes until an order placed now would be ready (preparation plus busy time).
    estimated_ready_minutes: i64,
    /// The next slots an order may ask for, with their capacity.
    next_slots: Vec<SlotView>,
}

pub(crate) fn product_view(
    slug: &str,
    p: &Product,
    menu: &MenuData,
    extras: &[&Extra],
    on_hand: &HashMap<Uuid, i64>,
    now: DateTime<Utc>,
) -> ProductView {
    let sold_out = p.is_sold_out(now);
    let sizes: Vec<SizeView> = p
        .sizes
        .iter()
        .map(|s| {
            let remaining = s.remaining(extras, on_hand);
            SizeView {
                id: s.id,
                code: s.code.clone(),
                label: s.label.clone(),
                price_cents: s.price_cents,
                available: !sold_out && remaining != Some(0),
                remaining,
            }
        })
        .collect();
    ProductView {
        id: p.id,
        kind: p.kind.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        allergens: p.allergens.clone(),
        image_url: p
            .image_key
            .as_ref()
            .map(|_| format!("/api/v1/pizzerias/{slug}/products/{}/image", p.id)),
        vat_class: p.vat_class.clone(),
        vat_rate_bp: menu.vat_rate_bp(&p.vat_class),
        sold_out,
        sold_out_until: p.sold_out_until.filter(|_| sold_out),
        available: sizes.iter().any(|s| s.available),
        sizes,
    }
}

fn parse_extras(raw: Option<&str>) -> Result<Vec<Uuid>, InvalidInput> {
    raw.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                InvalidInput::new("extras", "must be a comma-separated list of extra ids")
            })
        })
        .collect()
}

#[OpenApi(tag = "ApiTags::Menu")]
impl MenuApi {
    /// The menu: categories, products, sizes, prices, VAT classes, allergens, sold-out marks and,
    /// per size, whether it can be made now and how many.
    #[oai(path = "/pizzerias/:slug/menu", method = "get")]
    async fn menu(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<MenuAnswer, Problem> {
        let doc = menu_doc::current(&state, &slug).await?;
        let etag = doc.etag.clone();
        if let Some(tags) = if_none_match.0
            && doc.matches(&tags)
        {
            return Ok(MenuAnswer::NotModified(etag));
        }
        let body = RawJson::new(doc.body.clone().into());
        Ok(MenuAnswer::Ok(body, etag, "no-cache".to_string()))
    }

    /// One product. With `extras` (comma-separated extra ids), each size says how many could be
    /// made with those extras.
    #[oai(path = "/pizzerias/:slug/products/:id", method = "get")]
    async fn product(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        id: Path<Uuid>,
        extras: Query<Option<String>>,
    ) -> Result<Json<ProductView>, Problem> {
        let extra_ids = parse_extras(extras.0.as_deref())?;
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let (menu, on_hand) = in_tenant(&state.pool, tenant.id, async |tx| {
            let menu = menu::current(&state.menus, tx, tenant.id).await?;
            let on_hand = stock::store::on_hand(tx, tenant.id).await?;
            Ok((menu, on_hand))
        })
        .await?;
        let product = menu
            .product(*id)
            .filter(|p| p.active)
            .ok_or_else(|| Problem::not_found("product"))?;
        let chosen = extra_ids
            .iter()
            .map(|e| {
                menu.extra(*e).filter(|x| x.active).ok_or_else(|| {
                    Problem::invalid(&InvalidInput::new("extras", format!("unknown extra {e}")))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Json(product_view(
            &tenant.slug,
            product,
            &menu,
            &chosen,
            &on_hand,
            Utc::now(),
        )))
    }

    /// Opening: today's periods, open now or the next opening, pause and busy state, next slots.
    #[oai(path = "/pizzerias/:slug/opening", method = "get")]
    async fn opening(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
    ) -> Result<Json<OpeningView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let now = Utc::now();
        let (settings, schedule, booked) = in_tenant(&state.pool, tenant.id, async |tx| {
            let settings = settings::load(tx, tenant.id).await?;
            let schedule = settings::schedule(tx, &tenant, now).await?;
            let booked: HashMap<DateTime<Utc>, i64> =
                orders::store::slot_bookings(tx, tenant.id, now, now + Duration::days(2))
                    .await?
                    .into_iter()
                    .collect();
            Ok((settings, schedule, booked))
        })
        .await?;
        let today = now.with_timezone(&tenant.timezone).date_naive();
        let current = schedule.interval_at(now);
        let lead = i64::from(settings.avg_prep_minutes + settings.busy_extra_minutes);
        let capacity = i64::from(settings.max_orders_per_slot);
        // The next slots with room, within two days (what a customer may pick from).
        let next_slots = schedule
            .slots_from(
                now + Duration::minutes(lead),
                i64::from(settings.slot_minutes),
            )
            .take_while(|s| s.start < now + Duration::days(2))
            .map(|s| SlotView {
                start: s.start,
                end: s.end,
                capacity,
                remaining: capacity - booked.get(&s.start).copied().unwrap_or(0),
            })
            .filter(|s| s.remaining > 0)
            .take(8)
            .collect();
        Ok(Json(OpeningView {
            pizzeria: tenant.slug,
            timezone: tenant.timezone.name().to_string(),
            now,
            open_now: current.is_some(),
            service_day: current.map(|i| i.service_day.to_string()),
            today: schedule
                .periods_on(today)
                .iter()
                .map(|p| PeriodView {
                    opens: p.opens.format("%H:%M").to_string(),
                    closes: p.closes.format("%H:%M").to_string(),
                })
                .collect(),
            current: current.map(Into::into),
            next_opening: schedule.next_opening(now).map(Into::into),
            online_paused: settings.online_paused,
            pause_message: settings.pause_message,
            busy_extra_minutes: i64::from(settings.busy_extra_minutes),
            accepting_orders: current.is_some() && !settings.online_paused,
            estimated_ready_minutes: lead,
            next_slots,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_extras;

    #[test]
    fn extras_are_a_comma_separated_list_of_ids() {
        assert!(parse_extras(None).unwrap().is_empty());
        let id = uuid::Uuid::new_v4();
        assert_eq!(parse_extras(Some(&format!(" {id}, "))).unwrap(), vec![id]);
        assert!(parse_extras(Some("ham")).is_err());
    }
}
