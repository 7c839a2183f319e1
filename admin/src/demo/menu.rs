//! The demo menu, hours, delivery zones and opening stock of every demo pizzeria.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveTime;
use ocpizza::menu::admin::{self as menu, NewIngredient, NewProduct, NewSize};
use ocpizza::settings::store::{self as settings, HoursRow, ServiceParams, ZoneRow};
use ocpizza::stock::store::{self as stock, NewMovement};
use sqlx::PgConnection;
use uuid::Uuid;

/// (name, unit, opening stock, alert threshold)
const INGREDIENTS: &[(&str, &str, i64, i64)] = &[
    ("Pâte à pizza", "g", 30_000, 5_000),
    ("Sauce tomate", "g", 12_000, 2_000),
    ("Crème fraîche", "g", 5_000, 1_000),
    ("Mozzarella", "g", 15_000, 3_000),
    ("Jambon blanc", "g", 4_000, 800),
    ("Jambon cru", "g", 2_000, 400),
    ("Champignons", "g", 4_000, 800),
    ("Chorizo", "g", 2_500, 500),
    ("Salami piquant", "g", 2_500, 500),
    ("Poivrons", "g", 3_000, 600),
    ("Oignons", "g", 3_000, 600),
    ("Olives noires", "g", 1_500, 300),
    ("Anchois", "g", 300, 200),
    ("Câpres", "g", 500, 100),
    ("Chèvre", "g", 3_000, 600),
    ("Gorgonzola", "g", 2_000, 400),
    ("Emmental", "g", 3_000, 600),
    ("Parmesan", "g", 1_500, 300),
    ("Reblochon", "g", 2_000, 400),
    ("Lardons", "g", 2_500, 500),
    ("Pommes de terre", "g", 4_000, 800),
    ("Roquette", "g", 800, 150),
    ("Thon", "g", 2_000, 400),
    ("Poulet", "g", 3_000, 600),
    ("Merguez", "g", 2_500, 500),
    ("Artichauts", "g", 1_500, 300),
    ("Basilic frais", "g", 400, 80),
    ("Miel", "g", 1_000, 200),
    ("Œuf", "piece", 60, 12),
    ("Coca-Cola 33 cl", "piece", 96, 24),
    ("Coca-Cola zéro 33 cl", "piece", 72, 24),
    ("Orangina 33 cl", "piece", 48, 12),
    ("Eau minérale 50 cl", "piece", 96, 24),
    ("San Pellegrino 50 cl", "piece", 48, 12),
    ("Bière Peroni 33 cl", "piece", 72, 24),
    ("Tiramisu", "piece", 12, 4),
    ("Panna cotta", "piece", 12, 4),
    ("Moelleux au chocolat", "piece", 15, 4),
    ("Glace vanille 120 ml", "piece", 20, 5),
];

/// Medium-size recipe in grams (or pieces); small is 0.7×, large 1.5×. Prices S/M/L in cents.
struct Pizza {
    name: &'static str,
    description: &'static str,
    allergens: &'static [&'static str],
    base: &'static str,
    toppings: &'static [(&'static str, i64)],
    prices: [i64; 3],
}

const PIZZAS: &[Pizza] = &[
    Pizza {
        name: "Margherita",
        description: "Tomate, mozzarella, basilic frais",
        allergens: &["gluten", "lait"],
        base: "Sauce tomate",
        toppings: &[("Mozzarella", 140), ("Basilic frais", 5)],
        prices: [850, 1090, 1490],
    },
    Pizza {
        name: "Reine",
        description: "Tomate, mozzarella, jambon blanc, champignons",
        allergens: &["gluten", "lait"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 130),
            ("Jambon blanc", 70),
            ("Champignons", 50),
        ],
        prices: [990, 1250, 1690],
    },
    Pizza {
        name: "Quatre fromages",
        description: "Crème, mozzarella, chèvre, gorgonzola, emmental",
        allergens: &["gluten", "lait"],
        base: "Crème fraîche",
        toppings: &[
            ("Mozzarella", 90),
            ("Chèvre", 40),
            ("Gorgonzola", 40),
            ("Emmental", 40),
        ],
        prices: [1090, 1390, 1850],
    },
    Pizza {
        name: "Napolitaine",
        description: "Tomate, mozzarella, anchois, câpres, olives noires",
        allergens: &["gluten", "lait", "poisson"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 120),
            ("Anchois", 30),
            ("Câpres", 10),
            ("Olives noires", 15),
        ],
        prices: [990, 1250, 1690],
    },
    Pizza {
        name: "Chorizo",
        description: "Tomate, mozzarella, chorizo, poivrons",
        allergens: &["gluten", "lait"],
        base: "Sauce tomate",
        toppings: &[("Mozzarella", 130), ("Chorizo", 60), ("Poivrons", 40)],
        prices: [1050, 1320, 1750],
    },
    Pizza {
        name: "Diavola",
        description: "Tomate, mozzarella, salami piquant, olives noires",
        allergens: &["gluten", "lait"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 130),
            ("Salami piquant", 60),
            ("Olives noires", 15),
        ],
        prices: [1050, 1320, 1750],
    },
    Pizza {
        name: "Végétarienne",
        description: "Tomate, mozzarella, poivrons, oignons, champignons, olives, artichauts",
        allergens: &["gluten", "lait"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 120),
            ("Poivrons", 30),
            ("Oignons", 25),
            ("Champignons", 30),
            ("Olives noires", 10),
            ("Artichauts", 30),
        ],
        prices: [1050, 1320, 1750],
    },
    Pizza {
        name: "Savoyarde",
        description: "Crème, mozzarella, pommes de terre, lardons, oignons, reblochon",
        allergens: &["gluten", "lait"],
        base: "Crème fraîche",
        toppings: &[
            ("Mozzarella", 90),
            ("Pommes de terre", 80),
            ("Lardons", 60),
            ("Oignons", 20),
            ("Reblochon", 70),
        ],
        prices: [1150, 1450, 1950],
    },
    Pizza {
        name: "Chèvre miel",
        description: "Crème, mozzarella, chèvre, miel",
        allergens: &["gluten", "lait"],
        base: "Crème fraîche",
        toppings: &[("Mozzarella", 100), ("Chèvre", 80), ("Miel", 15)],
        prices: [1050, 1350, 1790],
    },
    Pizza {
        name: "Parma",
        description: "Tomate, mozzarella, jambon cru, roquette, parmesan",
        allergens: &["gluten", "lait"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 120),
            ("Jambon cru", 50),
            ("Roquette", 15),
            ("Parmesan", 20),
        ],
        prices: [1150, 1490, 1990],
    },
    Pizza {
        name: "Thon",
        description: "Tomate, mozzarella, thon, oignons, olives noires",
        allergens: &["gluten", "lait", "poisson"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 120),
            ("Thon", 70),
            ("Oignons", 25),
            ("Olives noires", 10),
        ],
        prices: [1050, 1320, 1750],
    },
    Pizza {
        name: "Orientale",
        description: "Tomate, mozzarella, merguez, poivrons, oignons, œuf",
        allergens: &["gluten", "lait", "œuf"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 120),
            ("Merguez", 70),
            ("Poivrons", 30),
            ("Oignons", 20),
            ("Œuf", 1),
        ],
        prices: [1090, 1390, 1850],
    },
    Pizza {
        name: "Poulet",
        description: "Crème, mozzarella, poulet, champignons, oignons",
        allergens: &["gluten", "lait"],
        base: "Crème fraîche",
        toppings: &[
            ("Mozzarella", 120),
            ("Poulet", 80),
            ("Champignons", 40),
            ("Oignons", 20),
        ],
        prices: [1090, 1390, 1850],
    },
    Pizza {
        name: "Calzone",
        description: "Chausson : tomate, mozzarella, jambon blanc, œuf, champignons",
        allergens: &["gluten", "lait", "œuf"],
        base: "Sauce tomate",
        toppings: &[
            ("Mozzarella", 130),
            ("Jambon blanc", 70),
            ("Œuf", 1),
            ("Champignons", 40),
        ],
        prices: [1050, 1350, 1790],
    },
];

const SIZES: [(&str, &str, f64, i64); 3] = [
    ("s", "Petite 26 cm", 0.7, 180),
    ("m", "Moyenne 31 cm", 1.0, 250),
    ("l", "Grande 40 cm", 1.5, 380),
];

/// (name, ingredient, VAT class, price, allergens)
const DRINKS: &[(&str, &str, &str, i64, &[&str])] = &[
    ("Coca-Cola", "Coca-Cola 33 cl", "soft_drink", 300, &[]),
    (
        "Coca-Cola zéro",
        "Coca-Cola zéro 33 cl",
        "soft_drink",
        300,
        &[],
    ),
    ("Orangina", "Orangina 33 cl", "soft_drink", 300, &[]),
    ("Eau minérale", "Eau minérale 50 cl", "soft_drink", 250, &[]),
    (
        "San Pellegrino",
        "San Pellegrino 50 cl",
        "soft_drink",
        350,
        &[],
    ),
    (
        "Bière Peroni",
        "Bière Peroni 33 cl",
        "alcohol",
        450,
        &["gluten"],
    ),
];

const DESSERTS: &[(&str, &str, i64, &[&str])] = &[
    ("Tiramisu", "Tiramisu", 550, &["gluten", "lait", "œuf"]),
    ("Panna cotta", "Panna cotta", 450, &["lait"]),
    (
        "Moelleux au chocolat",
        "Moelleux au chocolat",
        500,
        &["gluten", "lait", "œuf"],
    ),
    ("Glace vanille", "Glace vanille 120 ml", 400, &["lait"]),
];

/// (extra, price, ingredient, quantity)
const EXTRAS: &[(&str, i64, &str, i64)] = &[
    ("Supplément mozzarella", 150, "Mozzarella", 60),
    ("Œuf", 100, "Œuf", 1),
    ("Jambon blanc", 200, "Jambon blanc", 50),
    ("Champignons", 100, "Champignons", 40),
    ("Chèvre", 200, "Chèvre", 50),
    ("Olives noires", 100, "Olives noires", 20),
];

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
        let id = menu::create_ingredient(
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
        stock::insert_movement(conn, tenant_id, &opening).await?;
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
