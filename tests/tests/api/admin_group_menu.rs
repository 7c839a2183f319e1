//! The group menu: defined once by the group, pushed to every pizzeria, which keeps its prices
//! and may hide items; a push a pizzeria's menu cannot take writes nothing anywhere.

use ocpizza::domain::Role;
use ocpizza_tests::admin::AdminServer;
use ocpizza_tests::app::problem;
use ocpizza_tests::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

fn margherita(description: &str, sizes: Value) -> Value {
    json!({
        "category": "Pizzas du groupe", "kind": "pizza", "name": "Margherita",
        "description": description, "allergens": ["gluten", "lait"], "vat_class": "food",
        "sizes": sizes,
    })
}

fn size(code: &str, price: i64, mozzarella: i64) -> Value {
    json!({ "code": code, "label": code.to_uppercase(), "price_cents": price, "recipe": [
        { "ingredient": "Mozzarella", "unit": "g", "quantity": mozzarella },
        { "ingredient": "Sauce tomate", "unit": "ml", "quantity": 80 },
    ]})
}

async fn menu(admin: &AdminServer, slug: &str, token: &str) -> Value {
    let resp = admin.get(&format!("/pizzerias/{slug}/menu"), token).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// The pizzeria's copy of the product named `name`, if any.
fn product(menu: &Value, name: &str) -> Option<Value> {
    menu["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["products"].as_array().unwrap())
        .find(|p| p["name"] == name)
        .cloned()
}

fn size_of<'a>(product: &'a Value, code: &str) -> &'a Value {
    product["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("no size {code} in {product}"))
}

#[tokio::test]
async fn the_group_menu_reaches_every_pizzeria_which_keeps_its_prices_and_may_hide_it() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let ops = admin.platform_admin(&app, "ops@ocpizza.test").await;
    let a = app.create_pizzeria("pizzeria-a").await;
    app.create_pizzeria("pizzeria-b").await;
    let owner_a = admin.staff(&app, a, "owner@a.test", Role::Owner).await;
    // Pizzeria A already stocks mozzarella: the group recipe uses that row, not a new one.
    let resp = admin
        .post(
            "/pizzerias/pizzeria-a/ingredients",
            &owner_a,
            &json!({ "name": "mozzarella", "unit": "g", "alert_threshold": 0 }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let mozzarella_a: Value = resp.json().await.unwrap();

    // Bad input is refused before anything is pushed.
    let bad = margherita("", json!([size("m", 0, 100)]));
    let (status, p) = problem(admin.post("/group/products", &ops, &bad).await).await;
    assert_eq!((status, p["field"].as_str()), (422, Some("price_cents")));
    let mut extra_field = margherita("", json!([size("m", 1100, 100)]));
    extra_field["price_for_everyone"] = json!(true);
    let (status, _) = problem(admin.post("/group/products", &ops, &extra_field).await).await;
    assert_eq!(status, 422, "unknown fields are refused");

    let body = margherita(
        "Tomate, mozzarella",
        json!([size("m", 1100, 100), size("l", 1400, 150)]),
    );
    let resp = admin.post("/group/products", &ops, &body).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(
        (created["pizzerias"].as_u64(), created["created"].as_u64()),
        (Some(2), Some(2))
    );
    let group_id = created["product"]["id"].as_str().unwrap().to_string();

    let menu_a = menu(&admin, "pizzeria-a", &owner_a).await;
    let copy_a = product(&menu_a, "Margherita").expect("pushed to A");
    assert_eq!(copy_a["group_product_id"], group_id.as_str());
    assert_eq!(size_of(&copy_a, "m")["price_cents"], 1100);
    let recipe = &size_of(&copy_a, "m")["recipe"];
    let moz = recipe
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ingredient"] == "mozzarella");
    assert_eq!(
        moz.map(|r| r["ingredient_id"].clone()),
        Some(mozzarella_a["id"].clone()),
        "A's own mozzarella: {recipe}"
    );
    let menu_b = menu(&admin, "pizzeria-b", &ops).await;
    assert!(product(&menu_b, "Margherita").is_some(), "pushed to B");
    // B had no sauce: it has the ingredient now, with nothing in stock.
    let ingredients: Value = admin
        .get("/pizzerias/pizzeria-b/ingredients", &ops)
        .await
        .json()
        .await
        .unwrap();
    let sauce = ingredients["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Sauce tomate")
        .expect("sauce created in B");
    assert_eq!(
        (sauce["unit"].as_str(), sauce["quantity_on_hand"].as_i64()),
        (Some("ml"), Some(0))
    );

    // The franchise sets its own price and hides the product.
    let (pid, mid) = (
        copy_a["id"].as_str().unwrap(),
        size_of(&copy_a, "m")["id"].as_str().unwrap(),
    );
    let path = format!("/pizzerias/pizzeria-a/products/{pid}/sizes/{mid}");
    let resp = admin
        .send(
            Method::PATCH,
            &path,
            Some(&owner_a),
            Some(&json!({ "price_cents": 1250 })),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let path = format!("/pizzerias/pizzeria-a/products/{pid}");
    let resp = admin
        .send(
            Method::PATCH,
            &path,
            Some(&owner_a),
            Some(&json!({ "active": false })),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let customer_menu: Value = app
        .get("/api/v1/pizzerias/pizzeria-a/menu", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !customer_menu.to_string().contains("Margherita"),
        "hidden from A's customers"
    );

    // The group changes the product: new description, a size dropped, one added.
    let body = margherita(
        "Tomate, mozzarella, basilic",
        json!([size("m", 1000, 110), size("xl", 1800, 200)]),
    );
    let resp = admin
        .send(
            Method::PUT,
            &format!("/group/products/{group_id}"),
            Some(&ops),
            Some(&body),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let updated: Value = resp.json().await.unwrap();
    assert_eq!(
        (updated["pizzerias"].as_u64(), updated["created"].as_u64()),
        (Some(2), Some(0))
    );
    let copy_a = product(&menu(&admin, "pizzeria-a", &owner_a).await, "Margherita").unwrap();
    assert_eq!(copy_a["description"], "Tomate, mozzarella, basilic");
    assert_eq!(copy_a["active"], false, "still hidden in A");
    assert_eq!(
        size_of(&copy_a, "m")["price_cents"],
        1250,
        "A keeps its price"
    );
    let recipe = size_of(&copy_a, "m")["recipe"].as_array().unwrap();
    let moz = recipe
        .iter()
        .find(|r| r["ingredient"] == "mozzarella")
        .unwrap();
    assert_eq!(moz["quantity"], 110, "the group's recipe");
    assert_eq!(
        size_of(&copy_a, "xl")["price_cents"],
        1800,
        "a new size starts at the group's price"
    );
    assert!(
        copy_a["sizes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"] != "l")
    );
    let copy_b = product(&menu(&admin, "pizzeria-b", &ops).await, "Margherita").unwrap();
    assert_eq!(
        (
            copy_b["active"].as_bool(),
            size_of(&copy_b, "m")["price_cents"].as_i64()
        ),
        (Some(true), Some(1100))
    );

    // A new pizzeria starts with the group menu.
    let body = json!({ "slug": "pizzeria-c", "name": "C", "owner_email": "owner@c.test" });
    assert_eq!(admin.post("/tenants", &ops, &body).await.status(), 201);
    let copy_c =
        product(&menu(&admin, "pizzeria-c", &ops).await, "Margherita").expect("pushed to C");
    assert_eq!(size_of(&copy_c, "xl")["price_cents"], 1800);

    // Removing it hides every copy; the pizzerias keep them as their own.
    let resp = admin
        .send(
            Method::DELETE,
            &format!("/group/products/{group_id}"),
            Some(&ops),
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let copy_b = product(&menu(&admin, "pizzeria-b", &ops).await, "Margherita").unwrap();
    assert_eq!(
        (
            copy_b["active"].as_bool(),
            copy_b["group_product_id"].is_null()
        ),
        (Some(false), true)
    );
}

#[tokio::test]
async fn a_push_one_pizzeria_cannot_take_writes_nothing_anywhere() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let ops = admin.platform_admin(&app, "ops@ocpizza.test").await;
    app.create_pizzeria("pizzeria-a").await;
    app.create_pizzeria("pizzeria-b").await;
    // B counts mozzarella in pieces (balls); the group recipe weighs it.
    let resp = admin
        .post(
            "/pizzerias/pizzeria-b/ingredients",
            &ops,
            &json!({ "name": "Mozzarella", "unit": "piece", "alert_threshold": 0 }),
        )
        .await;
    assert_eq!(resp.status(), 201);

    let body = margherita("", json!([size("m", 1100, 100)]));
    let (status, p) = problem(admin.post("/group/products", &ops, &body).await).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/menu-conflict"))
    );
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("pizzeria-b") && detail.contains("Mozzarella"),
        "{detail}"
    );

    let list: Value = admin
        .get("/group/products", &ops)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]));
    let menu_a = menu(&admin, "pizzeria-a", &ops).await;
    assert!(
        product(&menu_a, "Margherita").is_none(),
        "nothing pushed to A either"
    );
    let ingredients: Value = admin
        .get("/pizzerias/pizzeria-a/ingredients", &ops)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ingredients["items"],
        json!([]),
        "no ingredient left behind in A"
    );
}
