//! The second factor (TOTP): required of platform administrators before they may use their
//! rights, asked at every login once on (on both servers), each code good once.

use ocpizza::auth::totp::{TotpSecret, step_of};
use ocpizza::domain::{Email, Role};
use ocpizza_tests::app::{PASSWORD, current_code, problem};
use ocpizza_tests::spawn_app;
use reqwest::Method;
use serde_json::{Value, json};

fn code_now(secret: &str) -> String {
    let secret = TotpSecret::from_base32(secret).expect("base32 secret");
    secret.code_at(step_of(chrono::Utc::now().timestamp()))
}

#[tokio::test]
async fn a_platform_administrator_must_set_up_a_second_factor_before_using_their_rights() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    app.create_user("nouvelle@example.fr").await;
    let mut conn = app.db.owner.acquire().await.unwrap();
    ocpizza::accounts::admins::create_platform_admin(
        &mut conn,
        &Email::parse("nouvelle@example.fr").unwrap(),
        "Ops",
    )
    .await
    .unwrap();
    drop(conn);

    // Without a second factor the password opens a session, and no platform right.
    let token = admin.login("nouvelle@example.fr").await;
    let tenants = |t: String| {
        let admin = &admin;
        async move {
            problem(
                admin
                    .request(Method::GET, "/tenants", Some(&t))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = tenants(token.clone()).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (403, Some("/problems/second-factor-required"))
    );
    let resp = admin.get("/me", &token).await;
    assert_eq!(resp.status(), 200, "their own profile stays open");

    let resp = admin.post("/me/second-factor", &token, &json!({})).await;
    assert_eq!(resp.status(), 201);
    let setup: Value = resp.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_string();
    assert!(setup["otpauth_uri"].as_str().unwrap().contains(&secret));
    let (status, _) = tenants(token.clone()).await;
    assert_eq!(status, 403, "not on until confirmed");

    let (status, body) = problem(
        admin
            .post(
                "/me/second-factor/confirm",
                &token,
                &json!({ "code": "000000" }),
            )
            .await,
    )
    .await;
    if code_now(&secret) != "000000" {
        assert_eq!(
            (status, body["type"].as_str()),
            (401, Some("/problems/invalid-second-factor"))
        );
    }
    let resp = admin
        .post(
            "/me/second-factor/confirm",
            &token,
            &json!({ "code": code_now(&secret) }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let resp = admin
        .request(Method::GET, "/tenants", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        200,
        "with the second factor on, the rights are back"
    );

    // From now on every login asks for a code, and a code works once.
    let login = |body: Value| {
        let admin = &admin;
        async move {
            let resp = admin
                .request(Method::POST, "/auth/login", None)
                .json(&body)
                .send()
                .await;
            resp.unwrap()
        }
    };
    let password_only = json!({ "email": "nouvelle@example.fr", "password": PASSWORD });
    let (status, body) = problem(login(password_only).await).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (401, Some("/problems/second-factor-needed"))
    );
    let code = current_code(&app.db.owner, "nouvelle@example.fr")
        .await
        .unwrap();
    let with_code = json!({ "email": "nouvelle@example.fr", "password": PASSWORD, "totp": code });
    assert_eq!(login(with_code.clone()).await.status(), 200);
    let (status, body) = problem(login(with_code).await).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (401, Some("/problems/invalid-second-factor"))
    );

    // A platform administrator may not turn it off (refused before the code is looked at).
    let off = json!({ "code": "123456" });
    let (status, _) = problem(admin.post("/me/second-factor/off", &token, &off).await).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_owner_may_turn_a_second_factor_on_and_off_and_both_servers_ask_for_it() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let tenant = app.create_pizzeria("deux-facteurs").await;
    let token = admin
        .staff(&app, tenant, "owner@deux.fr", Role::Owner)
        .await;

    let setup: Value = admin
        .post("/me/second-factor", &token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let secret = TotpSecret::from_base32(setup["secret"].as_str().unwrap()).unwrap();
    // The previous step's code (a phone a little late is fine), so that two more codes of this
    // minute remain for the logins below.
    let late = secret.code_at(step_of(chrono::Utc::now().timestamp()) - 1);
    let resp = admin
        .post(
            "/me/second-factor/confirm",
            &token,
            &json!({ "code": late }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    // Setting up another while one is on is refused.
    let (status, _) = problem(admin.post("/me/second-factor", &token, &json!({})).await).await;
    assert_eq!(status, 409);

    // The app asks for it too.
    let body = json!({ "email": "owner@deux.fr", "password": PASSWORD });
    let (status, body) = problem(app.post("/api/v1/auth/login", None, &body).await).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (401, Some("/problems/second-factor-needed"))
    );
    let tokens = app.login("owner@deux.fr", PASSWORD).await;
    assert!(tokens["access_token"].is_string());

    let code = current_code(&app.db.owner, "owner@deux.fr").await.unwrap();
    let resp = admin
        .post("/me/second-factor/off", &token, &json!({ "code": code }))
        .await;
    assert_eq!(resp.status(), 204);
    let body = json!({ "email": "owner@deux.fr", "password": PASSWORD });
    assert_eq!(
        app.post("/api/v1/auth/login", None, &body).await.status(),
        200
    );
}
