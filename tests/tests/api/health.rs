use ocpizza_tests::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = spawn_app().await;
    let resp = app.get("/healthz", None).await;
    assert_eq!(resp.status(), 200);
    let resp = app.get("/readyz", None).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["migrations"]["applied"], body["migrations"]["latest"]);
}

#[tokio::test]
async fn readyz_refuses_a_database_behind_the_code() {
    let app = spawn_app().await;
    // Pretend the last migration was never applied.
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&app.db.owner)
    .await
    .unwrap();
    let (status, body) = ocpizza_tests::app::problem(app.get("/readyz", None).await).await;
    assert_eq!(status, 503);
    assert_eq!(body["type"], "/problems/not-ready");
    assert!(body["detail"].as_str().unwrap().contains("migrate up"));
}

#[tokio::test]
async fn openapi_document_and_docs_are_served() {
    let app = spawn_app().await;
    let resp = app.get("/openapi.json", None).await;
    assert_eq!(resp.status(), 200);
    let spec: serde_json::Value = resp.json().await.unwrap();
    assert!(spec["paths"]["/auth/login"]["post"].is_object(), "{spec}");
    assert!(spec["paths"]["/pizzerias/{slug}"]["get"].is_object());
    let resp = app.get("/docs", None).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("swagger")
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_a_given_one() {
    let app = spawn_app().await;
    let resp = app.get("/api/v1/pizzerias", None).await;
    let id = resp
        .headers()
        .get("x-request-id")
        .expect("generated id")
        .to_str()
        .unwrap()
        .to_string();
    assert!(!id.is_empty());
    let resp = app
        .request(reqwest::Method::GET, "/api/v1/no-such-route")
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let (status, body) = ocpizza_tests::app::problem(resp).await;
    assert_eq!(status, 404);
    assert_eq!(body["type"], "/problems/not-found");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_token_answers_are_not_stored() {
    let app = ocpizza_tests::spawn_app().await;
    let admin = app.spawn_admin().await;
    let csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    let check = |what: &str, resp: &reqwest::Response, with_csp: bool| {
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
        assert_eq!(
            h.get("content-security-policy").is_some(),
            with_csp,
            "{what}"
        );
        if with_csp {
            assert_eq!(h["content-security-policy"], csp, "{what}");
        }
        assert!(
            h.get("strict-transport-security").is_none(),
            "{what}: not in development"
        );
    };
    let resp = app.get("/api/v1/pizzerias", None).await;
    check("a list", &resp, true);
    assert!(
        resp.headers()
            .get("cache-control")
            .is_none_or(|v| v != "no-store")
    );
    let resp = app.get("/api/v1/nowhere", None).await;
    check("a 404", &resp, true);
    let resp = app
        .post(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({ "email": "x@example.fr", "password": "0123456789" }),
        )
        .await;
    check("a login", &resp, true);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let resp = app.get("/docs/", None).await;
    check("the docs (their own scripts)", &resp, false);
    let resp = admin.get("/me", "not-a-token").await;
    assert_eq!(resp.status(), 401);
    check("the admin API", &resp, true);
}
