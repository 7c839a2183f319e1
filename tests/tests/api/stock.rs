//! Stock operations: restock, waste, inventory; the ledger; who may touch what.

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::small_menu;
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::{Value, json};
use uuid::Uuid;

async fn op(
    app: &TestApp,
    token: &str,
    slug: &str,
    ingredient: Uuid,
    action: &str,
    body: Value,
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/pizzerias/{slug}/stock/ingredients/{ingredient}/{action}"),
        Some(token),
        &body,
    )
    .await
}

async fn on_hand(app: &TestApp, tenant: Uuid, ingredient: Uuid) -> (i64, i64) {
    sqlx::query_as(
        "SELECT quantity_on_hand, (SELECT coalesce(sum(delta), 0)::bigint FROM stock_movements m WHERE m.tenant_id = i.tenant_id AND m.ingredient_id = i.id)
         FROM ingredients i WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(ingredient)
    .fetch_one(&app.db.owner)
    .await
    .unwrap()
}

#[tokio::test]
async fn restock_waste_and_inventory_are_recorded_with_who_and_why() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("stock").await;
    let m = small_menu(&app, tenant).await;
    let manager = app
        .staff_token(tenant, "manager@stock.test", Role::Manager)
        .await;

    let resp = op(
        &app,
        &manager,
        "stock",
        m.mozzarella,
        "restock",
        json!({ "quantity": 300, "note": "livraison du mardi" }),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        (
            body["ingredient"]["quantity_on_hand"].as_i64(),
            body["delta"].as_i64()
        ),
        (Some(800), Some(300))
    );

    let (status, body) = problem(
        op(
            &app,
            &manager,
            "stock",
            m.mozzarella,
            "waste",
            json!({ "quantity": 50 }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("note")),
        "waste needs a reason"
    );
    let resp = op(
        &app,
        &manager,
        "stock",
        m.mozzarella,
        "waste",
        json!({ "quantity": 50, "note": "tombé par terre" }),
    )
    .await;
    assert_eq!(resp.status(), 200);

    // Counted 700 with 750 on hand: the difference, -50, is recorded.
    let body: Value = op(
        &app,
        &manager,
        "stock",
        m.mozzarella,
        "inventory",
        json!({ "counted": 700, "note": "inventaire du soir" }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (
            body["ingredient"]["quantity_on_hand"].as_i64(),
            body["delta"].as_i64()
        ),
        (Some(700), Some(-50))
    );
    // Counting what is there records nothing.
    let body: Value = op(
        &app,
        &manager,
        "stock",
        m.mozzarella,
        "inventory",
        json!({ "counted": 700 }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["delta"], Value::Null);

    let movements: Vec<Value> = app
        .get(
            &format!(
                "/api/v1/pizzerias/stock/stock/ingredients/{}/movements",
                m.mozzarella
            ),
            Some(&manager),
        )
        .await
        .json()
        .await
        .unwrap();
    let summary: Vec<(String, i64, String)> = movements
        .iter()
        .map(|m| {
            (
                m["reason"].as_str().unwrap().to_string(),
                m["delta"].as_i64().unwrap(),
                m["note"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "inventory".to_string(),
                -50,
                "inventaire du soir".to_string()
            ),
            ("waste".to_string(), -50, "tombé par terre".to_string()),
            ("restock".to_string(), 300, "livraison du mardi".to_string()),
            ("inventory".to_string(), 500, "opening stock".to_string()),
        ]
    );
    assert_eq!(movements[0]["actor_name"], "Test");
    assert_eq!(on_hand(&app, tenant, m.mozzarella).await, (700, 700));
    // Paging: older than the second movement.
    let older: Vec<Value> = app
        .get(
            &format!(
                "/api/v1/pizzerias/stock/stock/ingredients/{}/movements?before={}&per_page=1",
                m.mozzarella, movements[1]["id"]
            ),
            Some(&manager),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0]["reason"], "restock");

    let list: Value = app
        .get("/api/v1/pizzerias/stock/stock/ingredients", Some(&manager))
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    let mozza = items.iter().find(|i| i["name"] == "Mozzarella").unwrap();
    assert_eq!(
        (
            mozza["quantity_on_hand"].as_i64(),
            mozza["unit"].as_str(),
            mozza["low"].as_bool()
        ),
        (Some(700), Some("g"), Some(false))
    );
}

#[tokio::test]
async fn the_quantity_on_hand_is_always_the_sum_of_movements() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("ledger").await;
    let m = small_menu(&app, tenant).await;
    let owner = app
        .staff_token(tenant, "owner2@ledger.test", Role::Owner)
        .await;
    // A fixed pseudo-random sequence, including wastes larger than the stock (refused).
    let mut seed: u64 = 0x5eed;
    let mut expected = 500i64;
    for _ in 0..40 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let qty = i64::try_from(seed >> 33).unwrap() % 400 + 1;
        match seed % 3 {
            0 => {
                assert_eq!(
                    op(
                        &app,
                        &owner,
                        "ledger",
                        m.mozzarella,
                        "restock",
                        json!({ "quantity": qty })
                    )
                    .await
                    .status(),
                    200
                );
                expected += qty;
            }
            1 => {
                let resp = op(
                    &app,
                    &owner,
                    "ledger",
                    m.mozzarella,
                    "waste",
                    json!({ "quantity": qty, "note": "perte" }),
                )
                .await;
                if qty > expected {
                    let (status, body) = problem(resp).await;
                    assert_eq!(
                        (status, body["type"].as_str()),
                        (409, Some("/problems/insufficient-stock"))
                    );
                } else {
                    assert_eq!(resp.status(), 200);
                    expected -= qty;
                }
            }
            _ => {
                let counted = qty * 2;
                assert_eq!(
                    op(
                        &app,
                        &owner,
                        "ledger",
                        m.mozzarella,
                        "inventory",
                        json!({ "counted": counted })
                    )
                    .await
                    .status(),
                    200
                );
                expected = counted;
            }
        }
        assert_eq!(
            on_hand(&app, tenant, m.mozzarella).await,
            (expected, expected)
        );
    }
}

#[tokio::test]
async fn bad_stock_input_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("valid").await;
    let m = small_menu(&app, tenant).await;
    let manager = app
        .staff_token(tenant, "manager@valid.test", Role::Manager)
        .await;
    for (action, body, field) in [
        ("restock", json!({ "quantity": 0 }), "quantity"),
        ("restock", json!({ "quantity": -5 }), "quantity"),
        ("restock", json!({ "quantity": 99_000_000 }), "quantity"),
        ("inventory", json!({ "counted": -1 }), "counted"),
        (
            "restock",
            json!({ "quantity": 5, "note": "x".repeat(300) }),
            "note",
        ),
    ] {
        let (status, problem) =
            problem(op(&app, &manager, "valid", m.mozzarella, action, body.clone()).await).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some(field)),
            "{body}"
        );
    }
    let (status, _) = problem(
        op(
            &app,
            &manager,
            "valid",
            Uuid::new_v4(),
            "restock",
            json!({ "quantity": 5 }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        op(
            &app,
            &manager,
            "valid",
            m.mozzarella,
            "restock",
            json!({ "quantity": "lots" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(on_hand(&app, tenant, m.mozzarella).await, (500, 500));
}

#[tokio::test]
async fn only_managers_of_the_pizzeria_change_its_stock_and_settings() {
    let app = spawn_app().await;
    let a = app.create_pizzeria("pizzeria-a").await;
    let b = app.create_pizzeria("pizzeria-b").await;
    let menu_a = small_menu(&app, a).await;
    let menu_b = small_menu(&app, b).await;
    let manager_a = app.staff_token(a, "manager@a.test", Role::Manager).await;
    let cook_a = app.staff_token(a, "cook@a.test", Role::Pizzaiolo).await;
    let driver_a = app.staff_token(a, "driver@a.test", Role::Driver).await;
    let customer = app.customer_token("client@example.fr").await;
    let restock = json!({ "quantity": 10 });

    // A's manager on B: every staff endpoint is a 404, as if nothing were there.
    let (status, _) = problem(
        op(
            &app,
            &manager_a,
            "pizzeria-b",
            menu_b.mozzarella,
            "restock",
            restock.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        app.get(
            "/api/v1/pizzerias/pizzeria-b/stock/ingredients",
            Some(&manager_a),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/pizzeria-b/settings", Some(&manager_a))
            .await,
    )
    .await;
    assert_eq!(status, 404);
    let resp = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/pizzerias/pizzeria-b/operations/pause",
        )
        .bearer_auth(&manager_a)
        .json(&json!({ "message": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    // B's ingredient through A's own URL: not found either (RLS hides it).
    let (status, _) = problem(
        op(
            &app,
            &manager_a,
            "pizzeria-a",
            menu_b.mozzarella,
            "restock",
            restock.clone(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = problem(
        app.get(
            &format!(
                "/api/v1/pizzerias/pizzeria-a/stock/ingredients/{}/movements",
                menu_b.mozzarella
            ),
            Some(&manager_a),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);

    // In A, the kitchen, the drivers and customers may not change stock.
    for token in [&cook_a, &driver_a, &customer] {
        let (status, body) = problem(
            op(
                &app,
                token,
                "pizzeria-a",
                menu_a.mozzarella,
                "restock",
                restock.clone(),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["type"].as_str()),
            (403, Some("/problems/forbidden"))
        );
    }
    let (status, _) = problem(
        app.request(
            reqwest::Method::PUT,
            "/api/v1/pizzerias/pizzeria-a/operations/pause",
        )
        .bearer_auth(&cook_a)
        .json(&json!({}))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    // The kitchen can read the stock.
    assert_eq!(
        app.get(
            "/api/v1/pizzerias/pizzeria-a/stock/ingredients",
            Some(&cook_a)
        )
        .await
        .status(),
        200
    );
    let (status, _) = problem(
        app.get("/api/v1/pizzerias/pizzeria-a/stock/ingredients", None)
            .await,
    )
    .await;
    assert_eq!(status, 401);

    // Nothing moved in B.
    assert_eq!(on_hand(&app, b, menu_b.mozzarella).await, (500, 500));
    assert_eq!(on_hand(&app, a, menu_a.mozzarella).await, (500, 500));
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

#[tokio::test]
async fn the_staff_api_and_the_admin_api_show_stock_in_one_shape() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let tenant = app.create_pizzeria("forme").await;
    let m = small_menu(&app, tenant).await;
    let manager = app
        .staff_token(tenant, "manager@forme.test", Role::Manager)
        .await;
    let admin_manager = admin
        .staff(&app, tenant, "manager2@forme.test", Role::Manager)
        .await;
    let app_path = format!("/api/v1/pizzerias/forme/stock/ingredients/{}", m.mozzarella);
    let admin_path = format!("/pizzerias/forme/ingredients/{}", m.mozzarella);
    let json = async |resp: reqwest::Response| -> Value {
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        body
    };

    // The same bodies, the same answers.
    let restock = json!({ "quantity": 100, "note": "livraison" });
    let by_app = json(
        app.post(&format!("{app_path}/restock"), Some(&manager), &restock)
            .await,
    )
    .await;
    let by_admin = json(
        admin
            .post(&format!("{admin_path}/restock"), &admin_manager, &restock)
            .await,
    )
    .await;
    assert_eq!(keys(&by_app), keys(&by_admin));
    assert_eq!(keys(&by_app["ingredient"]), keys(&by_admin["ingredient"]));
    assert_eq!(by_admin["ingredient"]["quantity_on_hand"], 700);
    assert_eq!(by_admin["delta"], 100);
    let count = json!({ "counted": 650, "note": "comptage" });
    let by_app = json(
        app.post(&format!("{app_path}/inventory"), Some(&manager), &count)
            .await,
    )
    .await;
    let by_admin = json(
        admin
            .post(&format!("{admin_path}/inventory"), &admin_manager, &count)
            .await,
    )
    .await;
    assert_eq!(
        (by_app["delta"].clone(), by_admin["delta"].clone()),
        (json!(-50), Value::Null)
    );
    // A restock body sent as a count is refused by both, the same way.
    let (app_status, app_problem) = problem(
        app.post(&format!("{app_path}/inventory"), Some(&manager), &restock)
            .await,
    )
    .await;
    let (admin_status, admin_problem) = problem(
        admin
            .post(&format!("{admin_path}/inventory"), &admin_manager, &restock)
            .await,
    )
    .await;
    assert_eq!(app_status, 400, "{app_problem}");
    assert_eq!((app_status, &app_problem), (admin_status, &admin_problem));
    assert!(
        app_problem["detail"].as_str().unwrap().contains("CountIn"),
        "{app_problem}"
    );

    // Lists are pages; movements are the same rows, paged with `before` and `per_page`.
    let app_list = json(
        app.get(
            "/api/v1/pizzerias/forme/stock/ingredients?low=false",
            Some(&manager),
        )
        .await,
    )
    .await;
    let admin_list = json(
        admin
            .get("/pizzerias/forme/ingredients?low=false", &admin_manager)
            .await,
    )
    .await;
    assert_eq!(keys(&app_list), ["items", "page", "per_page", "total"]);
    assert_eq!(app_list, admin_list);
    let app_moves = json(
        app.get(&format!("{app_path}/movements?per_page=2"), Some(&manager))
            .await,
    )
    .await;
    let admin_moves = json(
        admin
            .get(
                &format!("{admin_path}/movements?per_page=2"),
                &admin_manager,
            )
            .await,
    )
    .await;
    assert_eq!(app_moves, admin_moves);
    assert_eq!(app_moves.as_array().unwrap().len(), 2);
    assert_eq!(app_moves[0]["reason"], "inventory");
    assert_eq!(
        keys(&app_moves[0]),
        [
            "actor_name",
            "actor_user_id",
            "at",
            "delta",
            "id",
            "note",
            "order_id",
            "reason"
        ]
    );
}

#[tokio::test]
async fn an_ingredient_with_history_is_archived_when_deleted_and_one_in_a_recipe_is_refused() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let tenant = app.create_pizzeria("archives").await;
    let m = small_menu(&app, tenant).await;
    let owner = admin
        .staff(&app, tenant, "owner@archives.test", Role::Owner)
        .await;
    let p = "/pizzerias/archives/ingredients";
    let create = async |name: &str| -> String {
        let resp = admin
            .post(
                p,
                &owner,
                &json!({ "name": name, "unit": "g", "alert_threshold": 10 }),
            )
            .await;
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        body["id"].as_str().unwrap().to_string()
    };
    let delete = async |id: &str| {
        admin
            .send(
                reqwest::Method::DELETE,
                &format!("{p}/{id}"),
                Some(&owner),
                None,
            )
            .await
    };

    // Used, then counted down to nothing: its history is the ledger, so it is archived.
    let figs = create("Figues").await;
    for (action, body) in [
        ("restock", json!({ "quantity": 500 })),
        ("inventory", json!({ "counted": 0 })),
    ] {
        let resp = admin
            .post(&format!("{p}/{figs}/{action}"), &owner, &body)
            .await;
        assert_eq!(resp.status(), 200);
    }
    assert_eq!(delete(&figs).await.status(), 204);
    let list: Value = admin.get(p, &owner).await.json().await.unwrap();
    assert!(
        !list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == figs)
    );
    let history: Value = admin
        .get(&format!("{p}/{figs}/movements"), &owner)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2, "the history stays");
    let (status, _) = problem(
        admin
            .post(
                &format!("{p}/{figs}/restock"),
                &owner,
                &json!({ "quantity": 5 }),
            )
            .await,
    )
    .await;
    assert_eq!(status, 404, "an archived ingredient is not restocked");
    assert_eq!(delete(&figs).await.status(), 404, "archived once");
    let again = create("Figues").await;
    assert_ne!(again, figs, "the name is free again");

    // Never used: really deleted.
    let basil = create("Basilic").await;
    assert_eq!(delete(&basil).await.status(), 204);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM ingredients WHERE id = $1::uuid")
        .bind(&basil)
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert_eq!(rows, 0);

    // In a recipe: refused, saying what to do.
    let (status, p) = problem(delete(&m.mozzarella.to_string()).await).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (409, Some("/problems/in-use"))
    );
    assert!(p["detail"].as_str().unwrap().contains("recipe"), "{p}");
}
