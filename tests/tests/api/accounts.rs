use ocpizza_tests::app::{PASSWORD, problem};
use ocpizza_tests::{spawn_app, spawn_app_with};
use serde_json::json;

fn registration(email: &str) -> serde_json::Value {
    json!({ "email": email, "password": PASSWORD, "name": "Marie Dupont", "phone": "06 12 34 56 78" })
}

#[tokio::test]
async fn register_login_me_refresh_logout() {
    let app = spawn_app().await;
    let resp = app
        .post(
            "/api/v1/auth/register",
            None,
            &registration("Marie@Example.fr"),
        )
        .await;
    assert_eq!(resp.status(), 202);

    let tokens = app.login("marie@example.fr", PASSWORD).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access_token"].as_str().unwrap();

    let me: serde_json::Value = app
        .get("/api/v1/me", Some(access))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "marie@example.fr");
    assert_eq!(me["phone"], "0612345678");
    assert_eq!(me["platform_admin"], false);
    assert_eq!(me["memberships"], json!([]));

    // Refresh rotates: a new pair, and the new access token works.
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": tokens["refresh_token"] }),
        )
        .await;
    assert_eq!(refreshed.status(), 200);
    let refreshed: serde_json::Value = refreshed.json().await.unwrap();
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"]);
    assert_eq!(
        app.get("/api/v1/me", refreshed["access_token"].as_str())
            .await
            .status(),
        200
    );

    // Logout ends the session: the current refresh token no longer works.
    let resp = app
        .post(
            "/api/v1/auth/logout",
            None,
            &json!({ "refresh_token": refreshed["refresh_token"] }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let (status, body) = problem(
        app.post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": refreshed["refresh_token"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "/problems/invalid-refresh-token");
}

#[tokio::test]
async fn reusing_a_refresh_token_revokes_the_whole_family() {
    let app = spawn_app().await;
    app.create_user("reuse@example.fr").await;
    let first = app.login("reuse@example.fr", PASSWORD).await;
    let second: serde_json::Value = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": first["refresh_token"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    // A thief replays the first token: refused, and the legitimate second token dies with it.
    let (status, body) = problem(
        app.post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": first["refresh_token"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "/problems/refresh-token-reused");
    let (status, _) = problem(
        app.post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": second["refresh_token"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);

    // Another login (another family) is unaffected.
    let other = app.login("reuse@example.fr", PASSWORD).await;
    let resp = app
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": other["refresh_token"] }),
        )
        .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn register_and_login_do_not_reveal_whether_an_email_exists() {
    let app = spawn_app().await;
    let first = app
        .post(
            "/api/v1/auth/register",
            None,
            &registration("taken@example.fr"),
        )
        .await;
    let first_status = first.status();
    let first_body: serde_json::Value = first.json().await.unwrap();
    let mut again = registration("TAKEN@example.fr");
    again["password"] = json!("another password 123");
    let second = app.post("/api/v1/auth/register", None, &again).await;
    assert_eq!(second.status(), first_status);
    assert_eq!(
        second.json::<serde_json::Value>().await.unwrap(),
        first_body
    );
    // The existing account keeps its password.
    app.login("taken@example.fr", PASSWORD).await;

    let wrong_password = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({ "email": "taken@example.fr", "password": "not the password" }),
        )
        .await;
    let unknown_email = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({ "email": "nobody@example.fr", "password": "not the password" }),
        )
        .await;
    let (s1, b1) = problem(wrong_password).await;
    let (s2, b2) = problem(unknown_email).await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(b1, b2);
    assert_eq!(b1["type"], "/problems/invalid-credentials");
}

#[tokio::test]
async fn registration_input_is_validated_and_nothing_is_written() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({ "email": "not-an-email", "password": PASSWORD, "name": "A" }),
            "email",
        ),
        (
            json!({ "email": "a@example.fr", "password": "short", "name": "A" }),
            "password",
        ),
        // Long enough but easy to guess: a repeat, a sequence, the email itself.
        (
            json!({ "email": "a@example.fr", "password": "aaaaaaaaaa", "name": "A" }),
            "password",
        ),
        (
            json!({ "email": "a@example.fr", "password": "1234567890", "name": "A" }),
            "password",
        ),
        (
            json!({ "email": "nina.dupont@example.fr", "password": "nina.dupont@example.fr", "name": "Nina" }),
            "password",
        ),
        (
            json!({ "email": "a@example.fr", "password": PASSWORD, "name": "  " }),
            "name",
        ),
        (
            json!({ "email": "a@example.fr", "password": PASSWORD, "name": "A", "phone": "call me" }),
            "phone",
        ),
        (
            json!({ "email": "a@example.fr", "password": PASSWORD, "name": "A", "locale": "de" }),
            "locale",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = problem(app.post("/api/v1/auth/register", None, &body).await).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(problem["type"], "/problems/validation");
        assert_eq!(problem["field"], field);
    }
    let (status, body) = problem(
        app.post("/api/v1/auth/register", None, &json!({ "email": 3 }))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "/problems/bad-request");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = spawn_app().await;
    app.create_user("change@example.fr").await;
    let tokens = app.login("change@example.fr", PASSWORD).await;
    let access = tokens["access_token"].as_str().unwrap();

    let (status, body) = problem(app.post("/api/v1/me/password", Some(access), &json!({ "current_password": "wrong password!", "new_password": "a brand new password" })).await).await;
    assert_eq!(
        (status, body["type"].as_str().unwrap()),
        (403, "/problems/wrong-password")
    );

    let resp = app
        .post(
            "/api/v1/me/password",
            Some(access),
            &json!({ "current_password": PASSWORD, "new_password": "a brand new password" }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let (status, _) = problem(
        app.post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": tokens["refresh_token"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = problem(
        app.post(
            "/api/v1/auth/login",
            None,
            &json!({ "email": "change@example.fr", "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);
    app.login("change@example.fr", "a brand new password").await;
}

#[tokio::test]
async fn login_attempts_are_limited_per_email_and_per_address() {
    let app = spawn_app_with(|c| {
        c.auth.login_attempts_per_email_per_minute = 3;
        c.auth.login_attempts_per_ip_per_minute = 5;
    })
    .await;
    app.create_user("limited@example.fr").await;
    let attempt = |email: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/login",
                None,
                &json!({ "email": email, "password": "wrong password" }),
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(attempt("limited@example.fr").await.status(), 401);
    }
    let resp = attempt("LIMITED@example.fr").await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let (_, body) = problem(resp).await;
    assert_eq!(body["type"], "/problems/too-many-attempts");
    // Even the right password is refused while limited.
    let resp = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({ "email": "limited@example.fr", "password": PASSWORD }),
        )
        .await;
    assert_eq!(resp.status(), 429);

    // The address has used 5 attempts: any other email is now refused too.
    let resp = attempt("someone-else@example.fr").await;
    assert_eq!(resp.status(), 429);
}

#[tokio::test]
async fn the_login_throttle_holds_across_instances_and_both_servers() {
    let app = spawn_app_with(|c| {
        c.auth.login_attempts_per_email_per_minute = 2;
        c.auth.login_attempts_per_ip_per_minute = 100;
    })
    .await;
    let other = app.another_instance().await;
    let admin = app.spawn_admin().await;
    app.create_user("partout@example.fr").await;
    let wrong = json!({ "email": "partout@example.fr", "password": "wrong password" });
    for _ in 0..2 {
        assert_eq!(
            app.post("/api/v1/auth/login", None, &wrong).await.status(),
            401
        );
    }
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("{other}/api/v1/auth/login"))
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429, "another replica of the app");
    let resp = admin
        .request(reqwest::Method::POST, "/auth/login", None)
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429, "the admin API");
    let (_, body) = problem(resp).await;
    assert_eq!(body["type"], "/problems/too-many-attempts");
}
