//! Menu and stock fixtures, written with the library's own functions (as the admin API will).

use ocpizza::menu::admin::{self, NewIngredient, NewProduct, NewSize};
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
    let mozzarella = admin::create_ingredient(&mut tx, tenant, &ingredient("Mozzarella", "g"))
        .await
        .expect("ingredient");
    let dough = admin::create_ingredient(&mut tx, tenant, &ingredient("Pâte", "g"))
        .await
        .expect("ingredient");
    let cola_can = admin::create_ingredient(&mut tx, tenant, &ingredient("Cola 33 cl", "piece"))
        .await
        .expect("ingredient");
    for (id, qty) in [(mozzarella, 500), (dough, 10_000), (cola_can, 24)] {
        let m = NewMovement {
            ingredient_id: id,
            delta: qty,
            reason: "inventory",
            actor: None,
            order_id: None,
            note: "opening stock",
        };
        stock::insert_movement(&mut tx, tenant, &m)
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
        sqlx::query_as("SELECT code, id FROM product_sizes WHERE product_id = $1")
            .bind(margherita)
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
    }
}
