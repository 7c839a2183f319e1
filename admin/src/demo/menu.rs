//! The demo menu, hours, delivery zones and opening stock of every demo pizzeria.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveTime;
use ocpizza::db::locks::Held;
use ocpizza::menu::write::{self as menu, NewProduct, NewSize};
use ocpizza::settings::store::{self as settings, HoursRow, ServiceParams, ZoneRow};
use ocpizza::stock::ingredients::{self, NewIngredient};
use ocpizza::stock::store::{self as stock, NewMovement};
use sqlx::PgConnection;
use uuid::Uuid;

use super::catalogue::{DESSERTS, DRINKS, EXTRAS, INGREDIENTS, PIZZAS, SIZES};

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

/// Lunch 11:30–14:30 and evenings 18:00–23:30 every day, Friday and Saturday until 01:00;
/// `late_night` pizzerias stay open until 02:00 every evening.
fn weekly_hours(late_night: bool) -> Vec<HoursRow> {
    (1..=7)
        .flat_map(|weekday| {
            let evening_close = match (late_night, weekday) {
                (true, _) => t(2, 0),
                (false, 5 | 6) => t(1, 0),
                (false, _) => t(23, 30),
            };
            [
                HoursRow {
                    weekday,
                    opens: t(11, 30),
                    closes: t(14, 30),
                },
                HoursRow {
                    weekday,
                    opens: t(18, 0),
                    closes: evening_close,
                },
            ]
        })
        .collect()
}

/// Seeds one pizzeria's menu, stock, hours and zones unless it already has products.
pub async fn seed(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    postcode: &str,
    late_night: bool,
    legal_name: &str,
) -> anyhow::Result<bool> {
    ocpizza::settings::store::init_defaults(conn, tenant_id).await?;
    let has_menu: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM products WHERE tenant_id = $1)")
            .bind(tenant_id)
            .fetch_one(&mut *conn)
            .await?;
    if has_menu {
        return Ok(false);
    }
    let mut ids: HashMap<&str, Uuid> = HashMap::new();
    for (name, unit, on_hand, threshold) in INGREDIENTS {
        let id = ingredients::insert(
            conn,
            tenant_id,
            &NewIngredient {
                name,
                unit,
                alert_threshold: *threshold,
            },
        )
        .await?;
        let opening = NewMovement {
            ingredient_id: id,
            delta: *on_hand,
            reason: "inventory",
            actor: None,
            order_id: None,
            note: "opening stock (demo)",
        };
        // A new Held each: one ingredient per lock step (docs/DESIGN.md, "Lock order").
        let mut held = Held::default();
        stock::lock(conn, &mut held, tenant_id, id).await?;
        stock::insert_movement(conn, &held, tenant_id, &opening).await?;
        ids.insert(name, id);
    }
    let id = |name: &str| {
        ids.get(name)
            .copied()
            .with_context(|| format!("demo ingredient {name} missing"))
    };

    let pizzas = menu::ensure_category(conn, tenant_id, "Pizzas", 1).await?;
    for (position, p) in (0..).zip(PIZZAS) {
        let mut sizes = Vec::new();
        for (code, label, factor, dough) in SIZES {
            let mut recipe = vec![
                (id("Pâte à pizza")?, dough),
                (id(p.base)?, scale(80, factor)),
            ];
            for (ingredient, qty) in p.toppings {
                let qty = if ingredient_is_piece(ingredient) {
                    *qty
                } else {
                    scale(*qty, factor)
                };
                recipe.push((id(ingredient)?, qty));
            }
            sizes.push((code, label, recipe));
        }
        let new = NewProduct {
            category_id: pizzas,
            kind: "pizza",
            name: p.name,
            description: p.description,
            allergens: p.allergens.iter().map(ToString::to_string).collect(),
            vat_class: "food",
            position,
            sizes: sizes
                .into_iter()
                .zip(p.prices)
                .map(|((code, label, recipe), price_cents)| NewSize {
                    code,
                    label,
                    price_cents,
                    recipe,
                })
                .collect(),
        };
        menu::create_product(conn, tenant_id, &new).await?;
    }
    let drinks = menu::ensure_category(conn, tenant_id, "Boissons", 2).await?;
    for (position, (name, ingredient, vat, price, allergens)) in (0..).zip(DRINKS) {
        let size = NewSize {
            code: "unit",
            label: if ingredient.contains("50 cl") {
                "50 cl"
            } else {
                "33 cl"
            },
            price_cents: *price,
            recipe: vec![(id(ingredient)?, 1)],
        };
        let new = NewProduct {
            category_id: drinks,
            kind: "drink",
            name,
            description: "",
            allergens: allergens.iter().map(ToString::to_string).collect(),
            vat_class: vat,
            position,
            sizes: vec![size],
        };
        menu::create_product(conn, tenant_id, &new).await?;
    }
    let desserts = menu::ensure_category(conn, tenant_id, "Desserts", 3).await?;
    for (position, (name, ingredient, price, allergens)) in (0..).zip(DESSERTS) {
        let size = NewSize {
            code: "unit",
            label: "Portion",
            price_cents: *price,
            recipe: vec![(id(ingredient)?, 1)],
        };
        let new = NewProduct {
            category_id: desserts,
            kind: "dessert",
            name,
            description: "",
            allergens: allergens.iter().map(ToString::to_string).collect(),
            vat_class: "food",
            position,
            sizes: vec![size],
        };
        menu::create_product(conn, tenant_id, &new).await?;
    }
    for (name, price, ingredient, qty) in EXTRAS {
        menu::create_extra(conn, tenant_id, name, *price, &[(id(ingredient)?, *qty)]).await?;
    }

    settings::replace_weekly_hours(conn, tenant_id, &weekly_hours(late_night)).await?;
    let neighbours = neighbour_postcodes(postcode);
    let zones: Vec<ZoneRow> = std::iter::once(ZoneRow {
        postcode: postcode.to_string(),
        fee_cents: Some(0),
    })
    .chain(neighbours.iter().map(|p| ZoneRow {
        postcode: (*p).to_string(),
        fee_cents: None,
    }))
    .collect();
    settings::replace_zones(conn, tenant_id, &zones).await?;
    settings::set_service_params(
        conn,
        tenant_id,
        &ServiceParams {
            slot_minutes: 15,
            max_orders_per_slot: 6,
            default_delivery_fee_cents: 350,
            min_delivery_order_cents: 1500,
            avg_prep_minutes: 20,
            avg_delivery_minutes: 20,
        },
    )
    .await?;
    settings::set_legal(
        conn,
        tenant_id,
        legal_name,
        "12345678900012",
        "FR12345678900",
    )
    .await?;
    Ok(true)
}

fn scale(qty: i64, factor: f64) -> i64 {
    // Exact for the demo's small quantities; rounding to whole grams.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let scaled = (qty as f64 * factor).round() as i64;
    scaled.max(1)
}

fn ingredient_is_piece(name: &str) -> bool {
    INGREDIENTS
        .iter()
        .any(|(n, unit, _, _)| *n == name && *unit == "piece")
}

/// A few postcodes around each demo pizzeria (delivered at the default fee).
fn neighbour_postcodes(postcode: &str) -> &'static [&'static str] {
    match postcode {
        "75011" => &["75003", "75004", "75012", "75020"],
        "75018" => &["75009", "75017", "93400"],
        "75017" => &["75008", "75016", "75018", "92300"],
        "92100" => &["75016", "92130", "92210"],
        "94300" => &["75012", "75020", "94160"],
        "93200" => &["93210", "93300", "93400"],
        "92300" => &["75017", "92200", "92110"],
        "92130" => &["75015", "92100", "92170"],
        _ => &[],
    }
}
