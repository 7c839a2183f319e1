//! A franchise owner running their pizzeria: the menu refuses what would be wrong (another
//! pizzeria's ingredient in a recipe, a price of zero, a name used twice) and writes nothing
//! then; staff changes follow the owner/manager rules and a removal counts from the next request.

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::small_menu;
use ocpizza_tests::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

async fn actions(app: &ocpizza_tests::TestApp, tenant: Uuid) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM tenant_audit_log WHERE tenant_id = $1 ORDER BY id")
        .bind(tenant)
        .fetch_all(&app.db.owner)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_menu_refuses_what_would_be_wrong_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let a = app.create_pizzeria("pizzeria-a").await;
    let b = app.create_pizzeria("pizzeria-b").await;
    let b_menu = small_menu(&app, b).await;
    let owner = admin.staff(&app, a, "owner@a.test", Role::Owner).await;

    let resp = admin
        .post(
            "/pizzerias/pizzeria-a/categories",
            &owner,
            &json!({ "name": "Pizzas" }),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let category: Value = resp.json().await.unwrap();
    let resp = admin
        .post(
            "/pizzerias/pizzeria-a/ingredients",
            &owner,
            &json!({ "name": "Jambon", "unit": "g", "alert_threshold": 200 }),
        )
        .await;
    let ham: Value = resp.json().await.unwrap();
    let regina = |price: i64, ingredient: &Value| {
        json!({
            "category_id": category["id"], "kind": "pizza", "name": "Regina", "vat_class": "food",
            "sizes": [{ "code": "m", "label": "Moyenne", "price_cents": price,
                        "recipe": [{ "ingredient_id": ingredient, "quantity": 80 }] }],
        })
    };

    let stolen = json!(b_menu.mozzarella);
    let (status, p) = problem(
        admin
            .post(
                "/pizzerias/pizzeria-a/products",
                &owner,
                &regina(1200, &stolen),
            )
            .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("recipe")), "{p}");
    let (status, p) = problem(
        admin
            .post(
                "/pizzerias/pizzeria-a/products",
                &owner,
                &regina(0, &ham["id"]),
            )
            .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("price_cents")));
    let menu: Value = admin
        .get("/pizzerias/pizzeria-a/menu", &owner)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        menu["categories"][0]["products"],
        json!([]),
        "nothing half-written"
    );

    let resp = admin
        .post(
            "/pizzerias/pizzeria-a/products",
            &owner,
            &regina(1200, &ham["id"]),
        )
        .await;
    assert_eq!(resp.status(), 201);
    // The answer is the product itself, with the size ids an order needs.
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["name"], "Regina");
    let size = &created["sizes"][0];
    assert_eq!(
        (size["code"].as_str(), size["price_cents"].as_i64()),
        (Some("m"), Some(1200))
    );
    assert!(
        size["id"].as_str().unwrap().parse::<Uuid>().is_ok(),
        "{created}"
    );
    assert_eq!(size["recipe"][0]["ingredient_id"], ham["id"]);
    let (status, p) = problem(
        admin
            .post(
                "/pizzerias/pizzeria-a/products",
                &owner,
                &regina(1300, &ham["id"]),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/duplicate"))
    );
    let (status, _) = problem(
        admin
            .post(
                "/pizzerias/pizzeria-a/categories",
                &owner,
                &json!({ "name": "Pizzas" }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 409, "category names are unique too");
    let path = format!(
        "/pizzerias/pizzeria-a/categories/{}",
        category["id"].as_str().unwrap()
    );
    let (status, p) = problem(admin.send(Method::DELETE, &path, Some(&owner), None).await).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/in-use"))
    );
    // An ingredient a recipe uses cannot go either.
    let path = format!(
        "/pizzerias/pizzeria-a/ingredients/{}",
        ham["id"].as_str().unwrap()
    );
    let (status, _) = problem(admin.send(Method::DELETE, &path, Some(&owner), None).await).await;
    assert_eq!(status, 409);

    // B's menu is untouched and A's writes are in A's audit log, not B's.
    assert_eq!(
        actions(&app, a)
            .await
            .iter()
            .filter(|a| !a.starts_with("staff."))
            .collect::<Vec<_>>(),
        ["category.create", "ingredient.create", "product.create"]
    );
    assert!(!actions(&app, b).await.iter().any(|a| a == "product.create"));
}

#[tokio::test]
async fn staff_changes_follow_the_rules_and_a_removal_counts_from_the_next_request() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let a = app.create_pizzeria("pizzeria-a").await;
    let owner = admin.staff(&app, a, "owner@a.test", Role::Owner).await;
    let manager = admin.staff(&app, a, "manager@a.test", Role::Manager).await;
    admin.staff(&app, a, "driver@a.test", Role::Driver).await;
    let staff: Value = admin
        .get("/pizzerias/pizzeria-a/staff", &owner)
        .await
        .json()
        .await
        .unwrap();
    let id_of = |email: &str| {
        staff["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .unwrap_or_else(|| panic!("{email} in {staff}"))["user_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (owner_id, manager_id, driver_id) = (
        id_of("owner@a.test"),
        id_of("manager@a.test"),
        id_of("driver@a.test"),
    );

    // A manager hires cooks, not managers, and does not touch the owner.
    let invite = |role: &str| json!({ "email": "new@a.test", "role": role });
    let resp = admin
        .post(
            "/pizzerias/pizzeria-a/staff/invitations",
            &manager,
            &invite("manager"),
        )
        .await;
    assert_eq!(problem(resp).await.0, 403);
    let resp = admin
        .post(
            "/pizzerias/pizzeria-a/staff/invitations",
            &manager,
            &invite("pizzaiolo"),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let path = |id: &str| format!("/pizzerias/pizzeria-a/staff/{id}");
    let resp = admin
        .send(Method::DELETE, &path(&owner_id), Some(&manager), None)
        .await;
    assert_eq!(problem(resp).await.0, 403);
    let resp = admin
        .send(
            Method::PUT,
            &path(&driver_id),
            Some(&manager),
            Some(&json!({ "role": "cashier" })),
        )
        .await;
    assert_eq!(resp.status(), 204);

    // The last owner stays.
    let resp = admin
        .send(Method::DELETE, &path(&owner_id), Some(&owner), None)
        .await;
    let (status, p) = problem(resp).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/last-owner"))
    );

    // Removed: the manager's next request is refused, with the same token.
    assert_eq!(
        admin
            .get("/pizzerias/pizzeria-a/menu", &manager)
            .await
            .status(),
        200
    );
    let resp = admin
        .send(Method::DELETE, &path(&manager_id), Some(&owner), None)
        .await;
    assert_eq!(resp.status(), 204);
    let resp = admin.get("/pizzerias/pizzeria-a/menu", &manager).await;
    assert_eq!(problem(resp).await.0, 403);

    let staff: Value = admin
        .get("/pizzerias/pizzeria-a/staff", &owner)
        .await
        .json()
        .await
        .unwrap();
    let mut roles: Vec<(String, Value)> = staff["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap().to_string(), m["roles"].clone()))
        .collect();
    roles.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        roles,
        [
            ("driver@a.test".to_string(), json!(["cashier"])),
            ("owner@a.test".to_string(), json!(["owner"])),
        ]
    );
    let invited = staff["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "new@a.test")
        .expect("the manager's invitation");
    assert_eq!(invited["role"], "pizzaiolo");
}

#[tokio::test]
async fn settings_changes_are_audited_with_before_and_after_and_closures_can_be_undone() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let a = app.create_pizzeria("pizzeria-a").await;
    let manager = admin.staff(&app, a, "manager@a.test", Role::Manager).await;
    let before: Value = admin
        .get("/pizzerias/pizzeria-a", &manager)
        .await
        .json()
        .await
        .unwrap();
    let service = json!({
        "slot_minutes": 20, "max_orders_per_slot": 6, "default_delivery_fee_cents": 300,
        "min_delivery_order_cents": 1800, "avg_prep_minutes": 18, "avg_delivery_minutes": 25,
    });
    let resp = admin
        .send(
            Method::PUT,
            "/pizzerias/pizzeria-a/service",
            Some(&manager),
            Some(&service),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let after: Value = resp.json().await.unwrap();
    assert_eq!(after["service"]["min_delivery_order_cents"], 1800);
    let details: Value = sqlx::query_scalar(
        "SELECT details FROM tenant_audit_log WHERE tenant_id = $1 AND action = 'settings.service'",
    )
    .bind(a)
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(
        details["before"]["min_delivery_order_cents"],
        before["service"]["min_delivery_order_cents"]
    );
    assert_eq!(details["after"]["min_delivery_order_cents"], 1800);

    // A closure added by mistake is taken back; the weekly hours apply again.
    let closure = json!({ "day": "2026-12-25", "note": "Noël" });
    let resp = admin
        .post("/pizzerias/pizzeria-a/exceptions", &manager, &closure)
        .await;
    let with: Value = resp.json().await.unwrap();
    assert_eq!(with["exceptions"].as_array().unwrap().len(), 1);
    let path = "/pizzerias/pizzeria-a/exceptions/2026-12-25";
    let resp = admin.send(Method::DELETE, path, Some(&manager), None).await;
    assert_eq!(resp.status(), 200);
    let without: Value = resp.json().await.unwrap();
    assert_eq!(without["exceptions"], json!([]));
    let resp = admin.send(Method::DELETE, path, Some(&manager), None).await;
    assert_eq!(problem(resp).await.0, 404, "nothing left to remove");
}
