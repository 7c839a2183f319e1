//! The OpenAPI documents say exactly what the servers accept and answer (docs/DESIGN.md,
//! "Errors"): text fields take JSON strings only, closed vocabularies are enums refused by the
//! domain with the field named, query parameters outside their declaration are 422 naming them
//! (a path segment that cannot be what it should names nothing: 404),
//! optional answer fields are left out rather than `null`, and every route is documented.
//! `scripts/fuzz.sh` drives the whole documents; these are the cases that once failed.

use ocpizza::domain::Role;
use ocpizza_tests::app::problem;
use ocpizza_tests::fixtures::small_menu;
use ocpizza_tests::spawn_app;
use serde_json::{Value, json};

fn nulls(v: &Value, at: &str, found: &mut Vec<String>) {
    match v {
        Value::Null => found.push(at.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nulls(item, &format!("{at}/{i}"), found);
            }
        }
        Value::Object(fields) => {
            for (k, item) in fields {
                nulls(item, &format!("{at}/{k}"), found);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn a_number_or_a_boolean_where_text_goes_is_refused_not_read_as_text() {
    let app = spawn_app().await;
    for (path, body) in [
        ("/api/v1/auth/logout", json!({ "refresh_token": 123 })),
        ("/api/v1/auth/password-reset", json!({ "email": false })),
        (
            "/api/v1/auth/login",
            json!({ "email": 1, "password": true }),
        ),
    ] {
        let (status, p) = problem(app.post(path, None, &body).await).await;
        assert_eq!(
            (status, p["type"].as_str()),
            (400, Some("/problems/bad-request")),
            "{path} {body}"
        );
    }
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM apalis.jobs")
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert_eq!(jobs, 0, "no reset email was queued for `false`");
}

#[tokio::test]
async fn parameters_outside_their_declaration_are_refused_naming_them() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("parametres").await;
    let owner = app
        .staff_token(tenant, "owner@parametres.test", Role::Owner)
        .await;
    for (path, field) in [
        ("/api/v1/pizzerias/parametres/orders?day=2026-02-30", "day"),
        (
            "/api/v1/pizzerias/parametres/orders?status=baking",
            "status",
        ),
        (
            "/api/v1/pizzerias/parametres/stock/ingredients?per_page=0",
            "per_page",
        ),
        (
            "/api/v1/pizzerias/parametres/stock/ingredients?page=0",
            "page",
        ),
    ] {
        let (status, p) = problem(app.get(path, Some(&owner)).await).await;
        assert_eq!((status, p["field"].as_str()), (422, Some(field)), "{path}");
    }
    // A path segment that cannot be what the document says names nothing: 404.
    let (status, p) = problem(
        app.post(
            "/api/v1/pizzerias/parametres/orders/01a23d12-1d70-7169-98c3-96710b7110d9/actions/bake",
            Some(&owner),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (404, Some("/problems/not-found"))
    );
    let (status, p) = problem(
        app.get("/api/v1/pizzerias/parametres/products/not-a-uuid", None)
            .await,
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (404, Some("/problems/not-found"))
    );
}

#[tokio::test]
async fn the_menu_leaves_out_what_it_does_not_have_instead_of_sending_null() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("sans-null").await;
    small_menu(&app, tenant).await;
    let menu: Value = app
        .get("/api/v1/pizzerias/sans-null/menu", None)
        .await
        .json()
        .await
        .unwrap();
    let products = menu["categories"][0]["products"].as_array().unwrap();
    assert!(!products.is_empty());
    assert!(
        products.iter().all(|p| p.get("image_url").is_none()),
        "no picture: no image_url"
    );
    let mut found = Vec::new();
    nulls(&menu, "", &mut found);
    assert!(found.is_empty(), "null at {found:?}");
}

#[tokio::test]
async fn every_route_is_in_the_document_with_exact_types() {
    let app = spawn_app().await;
    let spec: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let image = &spec["paths"]["/pizzerias/{slug}/products/{id}/image"]["get"];
    assert!(
        image["responses"]["200"]["content"]["image/*"].is_object(),
        "{image}"
    );
    assert!(
        image["responses"]["302"]["headers"]
            .as_object()
            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("location"))),
        "{image}"
    );
    assert!(spec["paths"]["/pizzerias/{slug}/orders"]["post"].is_object());
    let body = &spec["components"]["schemas"]["PlaceOrderBody"]["properties"];
    assert_eq!(
        body["payment_method"]["enum"],
        json!(["cash", "card", "online"])
    );
    assert_eq!(body["fulfilment"]["enum"], json!(["delivery", "takeaway"]));
    let admin = app.spawn_admin().await;
    let root = admin.base.trim_end_matches("/admin/v1").to_string();
    let spec: Value = reqwest::get(format!("{root}/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let export = &spec["paths"]["/tenants/{slug}/export"]["get"]["responses"]["200"]["content"];
    let (media, schema) = export.as_object().unwrap().iter().next().unwrap();
    assert!(media.starts_with("application/json"), "{media}");
    assert_eq!(
        schema["schema"]["$ref"],
        "#/components/schemas/TenantExport"
    );
}

#[tokio::test]
async fn a_declared_length_limit_counts_the_text_as_sent() {
    let app = spawn_app().await;
    let spec: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["PlaceOrderBody"]["properties"]["note"]["maxLength"],
        500
    );
    assert_eq!(
        schemas["SavedAddressInput"]["properties"]["label"]["maxLength"],
        40
    );
    let customer = app.customer_token("longueurs@example.fr").await;
    let address = |label: String| json!({ "label": label, "line": "1 rue de la Paix", "postcode": "75002", "city": "Paris" });
    let (status, p) = problem(
        app.post(
            "/api/v1/me/addresses",
            Some(&customer),
            &address(format!("{} ", "x".repeat(40))),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["field"].as_str()),
        (422, Some("label")),
        "41 characters sent"
    );
    let resp = app
        .post(
            "/api/v1/me/addresses",
            Some(&customer),
            &address("x".repeat(40)),
        )
        .await;
    assert_eq!(resp.status(), 201);
}
