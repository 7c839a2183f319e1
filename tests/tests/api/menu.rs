//! The public menu: availability from stock, extras, sold-out marks, cache freshness.

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::backup::poll;
use ocpizza_tests::fixtures::small_menu;
use ocpizza_tests::spawn_app;
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) fn product(menu: &Value, id: Uuid) -> &Value {
    menu["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["products"].as_array().unwrap())
        .find(|p| p["id"] == id.to_string())
        .unwrap_or_else(|| panic!("product {id} not in {menu}"))
}

pub(crate) fn size<'a>(product: &'a Value, code: &str) -> &'a Value {
    product["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap()
}

#[tokio::test]
async fn availability_comes_from_stock_and_extras_count() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("dispo").await;
    let m = small_menu(&app, tenant).await;

    let menu: Value = app
        .get("/api/v1/pizzerias/dispo/menu", None)
        .await
        .json()
        .await
        .unwrap();
    let margherita = product(&menu, m.margherita);
    assert_eq!(margherita["vat_class"], "food");
    assert_eq!(margherita["vat_rate_bp"], 1000);
    assert_eq!(margherita["allergens"], json!(["gluten", "lait"]));
    // 500 g of mozzarella, 200 g per medium → 2; 300 g per large → 1.
    assert_eq!(size(margherita, "m")["remaining"], 2);
    assert_eq!(size(margherita, "m")["price_cents"], 1100);
    assert_eq!(size(margherita, "l")["remaining"], 1);
    assert_eq!(size(margherita, "m")["available"], true);
    let extra = menu["extras"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == m.extra_mozzarella.to_string())
        .unwrap();
    assert_eq!(extra["remaining"], 5);

    // With the extra (100 g more per pizza): 300 g for a medium, 400 g for a large → 1 each.
    let path = format!(
        "/api/v1/pizzerias/dispo/products/{}?extras={}",
        m.margherita, m.extra_mozzarella
    );
    let with_extra: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(size(&with_extra, "m")["remaining"], 1);
    assert_eq!(size(&with_extra, "l")["remaining"], 1);
    assert_eq!(size(&with_extra, "l")["available"], true);

    // Stock counted down to 150 g: no margherita can be made at all.
    let manager = app
        .staff_token(tenant, "manager@dispo.test", Role::Manager)
        .await;
    let resp = app
        .post(
            &format!(
                "/api/v1/pizzerias/dispo/stock/ingredients/{}/inventory",
                m.mozzarella
            ),
            Some(&manager),
            &json!({ "counted": 150 }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let menu: Value = app
        .get("/api/v1/pizzerias/dispo/menu", None)
        .await
        .json()
        .await
        .unwrap();
    let margherita = product(&menu, m.margherita);
    assert_eq!(size(margherita, "m")["remaining"], 0);
    assert_eq!(margherita["available"], false);
    assert_eq!(
        product(&menu, m.cola)["available"],
        true,
        "other products unaffected"
    );
}

#[tokio::test]
async fn a_sold_out_mark_wins_over_stock_and_shows_on_the_next_read() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("rupture").await;
    let m = small_menu(&app, tenant).await;
    let cook = app
        .staff_token(tenant, "cook@rupture.test", Role::Pizzaiolo)
        .await;
    // Warm the cache first.
    let menu: Value = app
        .get("/api/v1/pizzerias/rupture/menu", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(product(&menu, m.margherita)["sold_out"], false);

    let path = format!(
        "/api/v1/pizzerias/rupture/products/{}/sold-out",
        m.margherita
    );
    let resp = app
        .request(reqwest::Method::PUT, &path)
        .bearer_auth(&cook)
        .json(&json!({ "note": "plus de pâte" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let menu: Value = app
        .get("/api/v1/pizzerias/rupture/menu", None)
        .await
        .json()
        .await
        .unwrap();
    let margherita = product(&menu, m.margherita);
    assert_eq!(margherita["sold_out"], true);
    assert_eq!(margherita["available"], false);
    assert_eq!(size(margherita, "m")["available"], false);
    assert_eq!(
        size(margherita, "m")["remaining"],
        2,
        "stock is still there; the mark wins"
    );

    // Until a time: shown with its end; a time in the past is refused.
    let until = chrono::Utc::now() + chrono::Duration::hours(2);
    let resp = app
        .request(reqwest::Method::PUT, &path)
        .bearer_auth(&cook)
        .json(&json!({ "until": until }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let menu: Value = app
        .get("/api/v1/pizzerias/rupture/menu", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(product(&menu, m.margherita)["sold_out_until"].is_string());
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    let (status, body) = problem(
        app.request(reqwest::Method::PUT, &path)
            .bearer_auth(&cook)
            .json(&json!({ "until": past }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("until")));

    let resp = app
        .request(reqwest::Method::DELETE, &path)
        .bearer_auth(&cook)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let menu: Value = app
        .get("/api/v1/pizzerias/rupture/menu", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(product(&menu, m.margherita)["available"], true);

    // Who did it is in the pizzeria's audit log.
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM tenant_audit_log WHERE tenant_id = $1 AND action LIKE 'product.%' ORDER BY id")
            .bind(tenant)
            .fetch_all(&app.db.owner)
            .await
            .unwrap();
    assert_eq!(
        actions,
        [
            "product.sold_out",
            "product.sold_out",
            "product.back_on_sale"
        ]
    );

    // A driver may not mark products.
    let driver = app
        .staff_token(tenant, "driver@rupture.test", Role::Driver)
        .await;
    let (status, _) = problem(
        app.request(reqwest::Method::PUT, &path)
            .bearer_auth(&driver)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_price_change_is_visible_on_the_next_read() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("prix").await;
    let m = small_menu(&app, tenant).await;
    let first: Value = app
        .get("/api/v1/pizzerias/prix/menu", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        size(product(&first, m.margherita), "m")["price_cents"],
        1100
    );
    // Read twice: the second read is served from the cache.
    let again: Value = app
        .get("/api/v1/pizzerias/prix/menu", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["menu_version"], first["menu_version"]);

    // The admin path changes the price (another process could: the cache revalidates on version).
    let mut tx = ocpizza::db::begin_tenant(&app.db.owner, tenant)
        .await
        .unwrap();
    ocpizza::menu::write::set_size_price(&mut tx, tenant, m.margherita_m, 1250)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let after: Value = app
        .get("/api/v1/pizzerias/prix/menu", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        size(product(&after, m.margherita), "m")["price_cents"],
        1250
    );
    assert!(after["menu_version"].as_i64() > first["menu_version"].as_i64());
    let one: Value = app
        .get(
            &format!("/api/v1/pizzerias/prix/products/{}", m.margherita),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(size(&one, "m")["price_cents"], 1250);
}

#[tokio::test]
async fn bad_product_requests_are_clear() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("erreurs").await;
    let m = small_menu(&app, tenant).await;
    let (status, _) = problem(
        app.get(
            &format!("/api/v1/pizzerias/erreurs/products/{}", Uuid::new_v4()),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = problem(
        app.get(
            &format!(
                "/api/v1/pizzerias/erreurs/products/{}?extras=ham",
                m.margherita
            ),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("extras")));
    let (status, _) = problem(
        app.get(
            &format!(
                "/api/v1/pizzerias/erreurs/products/{}?extras={}",
                m.margherita,
                Uuid::new_v4()
            ),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);

    // Another pizzeria's product is not found here.
    let other = app.create_pizzeria("ailleurs").await;
    let theirs = small_menu(&app, other).await;
    let (status, _) = problem(
        app.get(
            &format!("/api/v1/pizzerias/erreurs/products/{}", theirs.margherita),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

/// The menu's `ETag` names what the document was built from: `If-None-Match` with it answers
/// 304 with no body until the stock, the menu or a sold-out mark changes (a mark's end included).
#[tokio::test]
async fn the_menu_is_revalidated_with_its_etag_and_changes_with_stock_menu_and_marks() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("etag").await;
    let m = small_menu(&app, tenant).await;
    let url = "/api/v1/pizzerias/etag/menu";
    let read = async |etag: Option<&str>| {
        let mut req = app.request(reqwest::Method::GET, url);
        if let Some(tag) = etag {
            req = req.header("If-None-Match", tag);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let tag = resp.headers()["etag"].to_str().unwrap().to_string();
        let cache = resp
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string());
        let body = resp.text().await.unwrap();
        (status, tag, cache, body)
    };

    let (status, etag, cache, body) = read(None).await;
    assert_eq!(status, 200);
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );
    assert_eq!(
        cache.as_deref(),
        Some("no-cache"),
        "clients revalidate every time"
    );
    let menu: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(size(product(&menu, m.margherita), "m")["remaining"], 2);

    let (status, same, _, body) = read(Some(&etag)).await;
    assert_eq!(
        (status, same.as_str(), body.as_str()),
        (304, etag.as_str(), "")
    );
    let (status, _, _, _) = read(Some(&format!("\"other\", W/{etag}"))).await;
    assert_eq!(status, 304, "a list and a weak comparison match too");

    // Stock moved (another process, committed before the read): a new document at once.
    ocpizza_tests::fixtures::restock(&app, tenant, m.mozzarella, 400).await;
    let (status, after_stock, _, body) = read(Some(&etag)).await;
    assert_eq!(status, 200);
    assert_ne!(after_stock, etag);
    let menu: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(size(product(&menu, m.margherita), "m")["remaining"], 4);

    // Marked sold out for a short while: shown, then gone when the mark ends, without any write.
    let cook = app
        .staff_token(tenant, "cook@etag.test", Role::Pizzaiolo)
        .await;
    let until = chrono::Utc::now() + chrono::Duration::seconds(2);
    let resp = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/pizzerias/etag/products/{}/sold-out", m.margherita),
        )
        .bearer_auth(&cook)
        .json(&json!({ "until": until }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, marked, _, body) = read(Some(&after_stock)).await;
    assert_eq!(status, 200);
    let menu: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(product(&menu, m.margherita)["sold_out"], true);
    let within = std::time::Duration::from_secs(10);
    let ended = poll("the end of the sold-out mark", within, async || {
        let (status, tag, _, body) = read(Some(&marked)).await;
        (status == 200 && tag != marked).then(|| serde_json::from_str::<Value>(&body).unwrap())
    })
    .await;
    assert!(
        chrono::Utc::now() >= until,
        "changed only once the mark ended"
    );
    assert_eq!(product(&ended, m.margherita)["sold_out"], false);
    assert_eq!(product(&ended, m.margherita)["available"], true);
}
