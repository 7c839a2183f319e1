//! Forged and stale access tokens are refused with 401.

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use ocpizza::auth::Secrets;
use ocpizza::auth::keys::KeyRing;
use ocpizza_tests::app::problem;
use ocpizza_tests::{TestApp, spawn_app};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use uuid::Uuid;

fn secret(app: &TestApp) -> String {
    app.config
        .auth
        .jwt_secret
        .as_ref()
        .unwrap()
        .expose_secret()
        .to_string()
}

/// Signs with the key the app derives for `purpose` from `secret`, naming it in `kid`.
fn sign_as(claims: &Value, secret: &str, purpose: &str) -> String {
    let ring = KeyRing::new(&Secrets::new(secret, None), purpose);
    encode(&ring.header(), claims, ring.signing_key()).unwrap()
}

fn sign(claims: &Value, secret: &str) -> String {
    sign_as(claims, secret, "app")
}

/// An open session of `user` (as a login makes).
async fn session(app: &TestApp, user: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO sessions (id, user_id, audience, expires_at) VALUES ($1, $2, 'app', now() + interval '1 day')")
        .bind(id)
        .bind(user)
        .execute(&app.db.owner)
        .await
        .unwrap();
    id
}

fn valid_claims(sub: Uuid, sid: Uuid) -> Value {
    let now = Utc::now().timestamp();
    json!({ "iss": "ocpizza", "aud": "ocpizza-app", "sub": sub, "sid": sid, "iat": now, "exp": now + 600 })
}

async fn assert_refused(app: &TestApp, token: &str, case: &str) {
    let (status, body) = problem(app.get("/api/v1/me", Some(token)).await).await;
    assert_eq!(status, 401, "{case}: {body}");
    assert_eq!(body["type"], "/problems/unauthorized", "{case}");
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let app = spawn_app().await;
    let user = app.create_user("victim@example.fr").await;
    let key = secret(&app);
    let sid = session(&app, user).await;
    let valid_claims = |sub| valid_claims(sub, sid);

    // Control: our own forging helper does make a token the app accepts.
    assert_eq!(
        app.get("/api/v1/me", Some(&sign(&valid_claims(user), &key)))
            .await
            .status(),
        200
    );

    // Signed with the configured secret itself (no derived key, no kid), or with the key of
    // another kind of token: no key of the app's access tokens.
    let raw = encode(
        &Header::new(Algorithm::HS256),
        &valid_claims(user),
        &EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap();
    assert_refused(&app, &raw, "the raw secret").await;
    assert_refused(
        &app,
        &sign_as(&valid_claims(user), &key, "stream"),
        "the stream key",
    )
    .await;
    assert_refused(
        &app,
        &sign_as(&valid_claims(user), &key, "admin"),
        "the admin key",
    )
    .await;
    let mut unknown = KeyRing::new(&Secrets::new(&key, None), "app").header();
    unknown.kid = Some("app-000000000000".into());
    let unknown = encode(
        &unknown,
        &valid_claims(user),
        KeyRing::new(&Secrets::new(&key, None), "app").signing_key(),
    )
    .unwrap();
    assert_refused(&app, &unknown, "an unknown kid").await;

    // A session that does not exist, or of another person.
    assert_refused(
        &app,
        &sign(&json_with_sid(&valid_claims(user), Uuid::now_v7()), &key),
        "no such session",
    )
    .await;
    let other = app.create_user("other@example.fr").await;
    assert_refused(
        &app,
        &sign(&valid_claims(other), &key),
        "another person's session",
    )
    .await;
    let mut no_sid = valid_claims(user);
    no_sid.as_object_mut().unwrap().remove("sid");
    assert_refused(&app, &sign(&no_sid, &key), "no sid").await;

    // alg none: header {"alg":"none"}, no signature.
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({ "alg": "none", "typ": "JWT" })),
        b64(&valid_claims(user))
    );
    assert_refused(&app, &none, "alg none").await;

    assert_refused(
        &app,
        &sign(&valid_claims(user), "another key that is long enough!!"),
        "other key",
    )
    .await;

    let mut expired = valid_claims(user);
    expired["exp"] = json!(Utc::now().timestamp() - 3600);
    assert_refused(&app, &sign(&expired, &key), "expired").await;

    let mut admin_aud = valid_claims(user);
    admin_aud["aud"] = json!("ocpizza-admin");
    assert_refused(&app, &sign(&admin_aud, &key), "admin audience").await;

    let mut wrong_iss = valid_claims(user);
    wrong_iss["iss"] = json!("someone-else");
    assert_refused(&app, &sign(&wrong_iss, &key), "wrong issuer").await;

    let mut no_exp = valid_claims(user);
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_refused(&app, &sign(&no_exp, &key), "missing exp").await;

    // Tampered sub: payload swapped after signing.
    let token = sign(&valid_claims(user), &key);
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&valid_claims(Uuid::new_v4())),
        parts[2]
    );
    assert_refused(&app, &tampered, "tampered sub").await;

    assert_refused(&app, "not-a-jwt", "garbage").await;
    let (status, _) = problem(app.get("/api/v1/me", None).await).await;
    assert_eq!(status, 401, "no token");
}

#[tokio::test]
async fn tokens_not_yet_valid_or_issued_in_the_future_are_refused() {
    let app = spawn_app().await;
    let user = app.create_user("temps@example.fr").await;
    let key = secret(&app);
    let sid = session(&app, user).await;
    let valid_claims = |sub| valid_claims(sub, sid);
    let now = Utc::now().timestamp();
    let mut not_yet = valid_claims(user);
    not_yet["nbf"] = json!(now + 3600);
    assert_refused(&app, &sign(&not_yet, &key), "nbf in an hour").await;
    let mut future = valid_claims(user);
    future["iat"] = json!(now + 3600);
    future["exp"] = json!(now + 7200);
    assert_refused(&app, &sign(&future, &key), "issued in an hour").await;
    let mut no_iat = valid_claims(user);
    no_iat.as_object_mut().unwrap().remove("iat");
    assert_refused(&app, &sign(&no_iat, &key), "no iat").await;
    // Within the leeway, a clock a little ahead is fine.
    let mut close = valid_claims(user);
    close["iat"] = json!(now + 2);
    assert_eq!(
        app.get("/api/v1/me", Some(&sign(&close, &key)))
            .await
            .status(),
        200
    );
}

fn json_with_sid(claims: &Value, sid: Uuid) -> Value {
    let mut claims = claims.clone();
    claims["sid"] = json!(sid);
    claims
}
