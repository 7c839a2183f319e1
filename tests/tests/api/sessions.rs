//! Sessions: logout and password changes take effect at once on access tokens, sessions end at
//! their absolute limit however often they are refreshed, and signing keys roll over.

use ocpizza_tests::app::{PASSWORD, problem};
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

async fn status_of_me(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", Some(token)).await.status().as_u16()
}

fn access(tokens: &Value) -> &str {
    tokens["access_token"].as_str().unwrap()
}

async fn refresh(app: &TestApp, tokens: &Value) -> (u16, Value) {
    let body = json!({ "refresh_token": tokens["refresh_token"] });
    let resp = app.post("/api/v1/auth/refresh", None, &body).await;
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn logout_refuses_that_sessions_access_tokens_at_once_and_no_other() {
    let app = spawn_app().await;
    app.create_user("deux@example.fr").await;
    let phone = app.login("deux@example.fr", PASSWORD).await;
    let laptop = app.login("deux@example.fr", PASSWORD).await;
    assert_eq!(status_of_me(&app, access(&phone)).await, 200);

    let body = json!({ "refresh_token": phone["refresh_token"] });
    let resp = app.post("/api/v1/auth/logout", None, &body).await;
    assert_eq!(resp.status(), 204);

    // Well within the access token's 15 minutes, it no longer works.
    let (status, body) = problem(app.get("/api/v1/me", Some(access(&phone))).await).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (401, Some("/problems/unauthorized"))
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("session has ended"),
        "{body}"
    );
    assert_eq!(
        status_of_me(&app, access(&laptop)).await,
        200,
        "the other session lives on"
    );
}

#[tokio::test]
async fn a_password_change_refuses_every_sessions_access_tokens_at_once() {
    let app = spawn_app().await;
    app.create_user("secret@example.fr").await;
    let here = app.login("secret@example.fr", PASSWORD).await;
    let elsewhere = app.login("secret@example.fr", PASSWORD).await;
    let change = json!({ "current_password": PASSWORD, "new_password": "a brand new password" });
    let resp = app
        .post("/api/v1/me/password", Some(access(&here)), &change)
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(status_of_me(&app, access(&elsewhere)).await, 401);
    assert_eq!(status_of_me(&app, access(&here)).await, 401);
    let again = app.login("secret@example.fr", "a brand new password").await;
    assert_eq!(status_of_me(&app, access(&again)).await, 200);
}

#[tokio::test]
async fn the_admin_api_checks_its_sessions_too() {
    let app = spawn_app().await;
    let admin = app.spawn_admin().await;
    let user = app.create_user("ops@example.fr").await;
    let token = admin.login("ops@example.fr").await;
    let me = |t: String| {
        let admin = &admin;
        async move {
            admin
                .request(reqwest::Method::GET, "/me", Some(&t))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(token.clone()).await, 200);
    // What a password reset or a platform administrator's revocation does: every session ends.
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE user_id = $1")
        .bind(user)
        .execute(&app.db.owner)
        .await
        .unwrap();
    assert_eq!(me(token).await, 401);
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_limit_however_often_it_is_refreshed() {
    let app = spawn_app().await;
    let user = app.create_user("longue@example.fr").await;
    let tokens = app.login("longue@example.fr", PASSWORD).await;

    // The session was opened for `auth.session_max_days` (30): refreshing does not move it,
    // and no refresh token outlives it.
    let (ends, created): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT expires_at, created_at FROM sessions WHERE user_id = $1")
            .bind(user)
            .fetch_one(&app.db.owner)
            .await
            .unwrap();
    assert_eq!((ends - created).num_days(), 30);
    sqlx::query("UPDATE sessions SET expires_at = now() + interval '1 hour' WHERE user_id = $1")
        .bind(user)
        .execute(&app.db.owner)
        .await
        .unwrap();
    let (status, refreshed) = refresh(&app, &tokens).await;
    assert_eq!(status, 200, "{refreshed}");
    let latest: bool = sqlx::query_scalar(
        "SELECT r.expires_at <= s.expires_at FROM refresh_tokens r JOIN sessions s ON s.id = r.family_id
         WHERE r.user_id = $1 AND r.rotated_at IS NULL",
    )
    .bind(user)
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert!(latest, "a refresh token never outlives its session");
    let ends_after: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT expires_at FROM sessions WHERE user_id = $1")
            .bind(user)
            .fetch_one(&app.db.owner)
            .await
            .unwrap();
    assert!(
        ends_after < chrono::Utc::now() + chrono::Duration::minutes(61),
        "not extended"
    );

    // Past its end, its tokens stop: the refresh token and the access token alike.
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second', created_at = now() - interval '30 days' WHERE user_id = $1")
        .bind(user)
        .execute(&app.db.owner)
        .await
        .unwrap();
    let (status, body) = refresh(&app, &refreshed).await;
    assert_eq!(
        (status, body["type"].as_str()),
        (401, Some("/problems/invalid-refresh-token"))
    );
    assert_eq!(status_of_me(&app, access(&refreshed)).await, 401);
}

#[tokio::test]
async fn tokens_signed_before_a_rollover_work_until_the_old_secret_is_dropped() {
    let app = spawn_app().await;
    app.create_user("relais@example.fr").await;
    let tokens = app.login("relais@example.fr", PASSWORD).await;
    let old = app.config.jwt_secret().unwrap().to_string();
    let new = "a-new-secret-for-the-rollover-0123456789abcdef".to_string();
    let during = app
        .another_instance_with(|c| {
            c.auth.jwt_secret = Some(new.clone().into());
            c.auth.jwt_previous_secret = Some(old.clone().into());
        })
        .await;
    let after = app
        .another_instance_with(|c| c.auth.jwt_secret = Some(new.clone().into()))
        .await;
    let client = reqwest::Client::new();
    let me = |base: &str, token: &str| {
        client
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(me(&during, access(&tokens)).await.unwrap().status(), 200);
    assert_eq!(me(&after, access(&tokens)).await.unwrap().status(), 401);

    // A token the rolled-over instance signs works there and after the old secret is gone,
    // but not on an instance that has not rolled over yet.
    let resp = client
        .post(format!("{during}/api/v1/auth/refresh"))
        .json(&json!({ "refresh_token": tokens["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let fresh: Value = resp.json().await.unwrap();
    assert_eq!(me(&after, access(&fresh)).await.unwrap().status(), 200);
    assert_eq!(status_of_me(&app, access(&fresh)).await, 401);
}
