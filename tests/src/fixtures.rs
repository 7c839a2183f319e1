//! Menu and stock fixtures, written with the library's own functions (as the admin API will).

use ocpizza::db::locks::Held;
use ocpizza::menu::write::{self as admin, NewProduct, NewSize};
use ocpizza::stock::ingredients::{self, NewIngredient};
use ocpizza::stock::store::{self as stock, NewMovement};
use uuid::Uuid;

use crate::TestApp;

/// A margherita whose medium needs 200 g of mozzarella (large 300 g), an extra-mozzarella of
/// 100 g, and a cola; 500 g of mozzarella and plenty of dough on hand.
pub struct SmallMenu {
    pub mozzarella: Uuid,
    pub dough: Uuid,
    pub margherita: Uuid,
    pub margherita_m: Uuid,
    pub margherita_l: Uuid,
    pub extra_mozzarella: Uuid,
    pub cola: Uuid,
    pub cola_unit: Uuid,
    pub cola_can: Uuid,
}

pub async fn small_menu(app: &TestApp, tenant: Uuid) -> SmallMenu {
    let mut tx = ocpizza::db::begin_tenant(&app.db.owner, tenant)
        .await
        .expect("tx");
    let ingredient = |name: &'static str, unit: &'static str| NewIngredient {
        name,
        unit,
        alert_threshold: 100,
    };
    let mozzarella = ingredients::insert(&mut tx, tenant, &ingredient("Mozzarella", "g"))
        .await
        .expect("ingredient");
    let dough = ingredients::insert(&mut tx, tenant, &ingredient("Pâte", "g"))
        .await
        .expect("ingredient");
    let cola_can = ingredients::insert(&mut tx, tenant, &ingredient("Cola 33 cl", "piece"))
        .await
        .expect("ingredient");
    let mut held = Held::default();
    stock::lock_many(&mut tx, &mut held, tenant, &[mozzarella, dough, cola_can])
        .await
        .expect("lock");
    for (id, qty) in [(mozzarella, 500), (dough, 10_000), (cola_can, 24)] {
        let m = NewMovement {
            ingredient_id: id,
            delta: qty,
            reason: "inventory",
            actor: None,
            order_id: None,
            note: "opening stock",
        };
        stock::insert_movement(&mut tx, &held, tenant, &m)
            .await
            .expect("movement");
    }
    let pizzas = admin::ensure_category(&mut tx, tenant, "Pizzas", 1)
        .await
        .expect("category");
    let drinks = admin::ensure_category(&mut tx, tenant, "Boissons", 2)
        .await
        .expect("category");
    let margherita = admin::create_product(
        &mut tx,
        tenant,
        &NewProduct {
            category_id: pizzas,
            kind: "pizza",
            name: "Margherita",
            description: "Tomate, mozzarella",
            allergens: vec!["gluten".into(), "lait".into()],
            vat_class: "food",
            position: 1,
            sizes: vec![
                NewSize {
                    code: "m",
                    label: "Moyenne",
                    price_cents: 1100,
                    recipe: vec![(mozzarella, 200), (dough, 250)],
                },
                NewSize {
                    code: "l",
                    label: "Grande",
                    price_cents: 1500,
                    recipe: vec![(mozzarella, 300), (dough, 380)],
                },
            ],
        },
    )
    .await
    .expect("product");
    let cola = admin::create_product(
        &mut tx,
        tenant,
        &NewProduct {
            category_id: drinks,
            kind: "drink",
            name: "Cola",
            description: "",
            allergens: vec![],
            vat_class: "soft_drink",
            position: 1,
            sizes: vec![NewSize {
                code: "unit",
                label: "33 cl",
                price_cents: 300,
                recipe: vec![(cola_can, 1)],
            }],
        },
    )
    .await
    .expect("product");
    let extra_mozzarella = admin::create_extra(
        &mut tx,
        tenant,
        "Supplément mozzarella",
        150,
        &[(mozzarella, 100)],
    )
    .await
    .expect("extra");
    tx.commit().await.expect("commit");
    let sizes: Vec<(String, Uuid)> =
        sqlx::query_as("SELECT code, id FROM product_sizes WHERE product_id IN ($1, $2)")
            .bind(margherita)
            .bind(cola)
            .fetch_all(&app.db.owner)
            .await
            .expect("sizes");
    let size = |code: &str| {
        sizes
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, id)| *id)
            .expect("size")
    };
    SmallMenu {
        mozzarella,
        dough,
        margherita,
        margherita_m: size("m"),
        margherita_l: size("l"),
        extra_mozzarella,
        cola,
        cola_unit: size("unit"),
        cola_can,
    }
}

/// Opens the pizzeria from three hours ago to three hours from now (Paris time), delivering to
/// 75011 (default fee, 3 €) and 75012 (5 €), 15 € minimum, 15-minute slots of `per_slot` orders,
/// 20 minutes to prepare and 20 to deliver. Returns the service day.
pub async fn open_for_orders(app: &TestApp, tenant: Uuid, per_slot: i32) -> chrono::NaiveDate {
    use chrono::{Datelike, Duration, NaiveTime, Timelike, Utc};
    use ocpizza::settings::store::{self as settings, HoursRow, ServiceParams, ZoneRow};
    let local = Utc::now().with_timezone(&chrono_tz::Europe::Paris);
    let opened = local - Duration::hours(3);
    let closes = local + Duration::hours(3);
    let minute = |t: chrono::DateTime<chrono_tz::Tz>| {
        NaiveTime::from_hms_opt(t.hour(), t.minute(), 0).expect("time")
    };
    let weekday = i16::try_from(opened.weekday().number_from_monday()).expect("weekday");
    let mut tx = app.db.owner.begin().await.expect("tx");
    settings::replace_weekly_hours(
        &mut tx,
        tenant,
        &[HoursRow {
            weekday,
            opens: minute(opened),
            closes: minute(closes),
        }],
    )
    .await
    .expect("hours");
    settings::replace_zones(
        &mut tx,
        tenant,
        &[
            ZoneRow {
                postcode: "75011".into(),
                fee_cents: None,
            },
            ZoneRow {
                postcode: "75012".into(),
                fee_cents: Some(500),
            },
        ],
    )
    .await
    .expect("zones");
    let params = ServiceParams {
        slot_minutes: 15,
        max_orders_per_slot: per_slot,
        default_delivery_fee_cents: 300,
        min_delivery_order_cents: 1500,
        avg_prep_minutes: 20,
        avg_delivery_minutes: 20,
    };
    settings::set_service_params(&mut tx, tenant, &params)
        .await
        .expect("params");
    settings::set_legal(
        &mut tx,
        tenant,
        "Pizzeria Test SARL",
        "12345678900012",
        "FR99123456789",
    )
    .await
    .expect("legal");
    tx.commit().await.expect("commit");
    opened.date_naive()
}

/// Adds stock (a restock movement) outside the API.
pub async fn restock(app: &TestApp, tenant: Uuid, ingredient: Uuid, qty: i64) {
    let mut tx = app.db.owner.begin().await.expect("tx");
    let mut held = Held::default();
    stock::lock(&mut tx, &mut held, tenant, ingredient)
        .await
        .expect("lock");
    let m = NewMovement {
        ingredient_id: ingredient,
        delta: qty,
        reason: "restock",
        actor: None,
        order_id: None,
        note: "test",
    };
    stock::insert_movement(&mut tx, &held, tenant, &m)
        .await
        .expect("restock");
    tx.commit().await.expect("commit");
}

/// Quantity on hand of an ingredient.
pub async fn on_hand(app: &TestApp, ingredient: Uuid) -> i64 {
    sqlx::query_scalar("SELECT quantity_on_hand FROM ingredients WHERE id = $1")
        .bind(ingredient)
        .fetch_one(&app.db.owner)
        .await
        .expect("on hand")
}

/// Rows of the tables an order writes: orders, lines, events, movements, idempotency keys.
pub async fn order_rows(app: &TestApp) -> [i64; 5] {
    let row: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines), (SELECT count(*) FROM order_events),
                (SELECT count(*) FROM stock_movements WHERE reason = 'order'), (SELECT count(*) FROM idempotency_keys)",
    )
    .fetch_one(&app.db.owner)
    .await
    .expect("counts");
    [row.0, row.1, row.2, row.3, row.4]
}
