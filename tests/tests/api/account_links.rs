//! Address verification, password reset and staff invitations: the links' tokens travel in the
//! email jobs, read here from the queue (the worker's tests check the emails themselves).

use ocpizza::domain::Role;
use ocpizza_tests::app::{PASSWORD, problem};
use ocpizza_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

/// Email jobs enqueued so far, oldest first.
pub async fn email_jobs(app: &TestApp) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT convert_from(job, 'UTF8') FROM apalis.jobs WHERE job_type = 'ocpizza::emails' ORDER BY run_at, id")
        .fetch_all(&app.db.owner)
        .await
        .unwrap();
    rows.iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect()
}

async fn last_token(app: &TestApp, kind: &str) -> String {
    let jobs = email_jobs(app).await;
    let job = jobs
        .iter()
        .rev()
        .find(|j| j["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} job in {jobs:?}"));
    job["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_new_account_confirms_its_address() {
    let app = spawn_app().await;
    let body = json!({ "email": "new@example.fr", "password": PASSWORD, "name": "Nouveau" });
    assert_eq!(
        app.post("/api/v1/auth/register", None, &body)
            .await
            .status(),
        202
    );
    let token = last_token(&app, "verify_email").await;
    // Registering an existing address again sends nothing.
    assert_eq!(
        app.post("/api/v1/auth/register", None, &body)
            .await
            .status(),
        202
    );
    assert_eq!(email_jobs(&app).await.len(), 1);

    let verified = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT email_verified_at IS NOT NULL FROM users WHERE email = 'new@example.fr'",
        )
        .fetch_one(&app.db.owner)
        .await
        .unwrap()
    };
    assert!(!verified().await);
    assert_eq!(
        app.post(
            "/api/v1/auth/verify-email",
            None,
            &json!({ "token": token })
        )
        .await
        .status(),
        204
    );
    assert!(verified().await);
    let (status, p) = problem(
        app.post(
            "/api/v1/auth/verify-email",
            None,
            &json!({ "token": token }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["type"].as_str()),
        (422, Some("/problems/invalid-token")),
        "single use"
    );
}

#[tokio::test]
async fn a_password_reset_works_once_and_ends_every_session() {
    let app = spawn_app().await;
    app.create_user("oubli@example.fr").await;
    let session = app.login("oubli@example.fr", PASSWORD).await;

    assert_eq!(
        app.post(
            "/api/v1/auth/password-reset",
            None,
            &json!({ "email": "nobody@example.fr" })
        )
        .await
        .status(),
        202
    );
    assert_eq!(
        app.post(
            "/api/v1/auth/password-reset",
            None,
            &json!({ "email": "not an email" })
        )
        .await
        .status(),
        202
    );
    assert!(
        email_jobs(&app).await.is_empty(),
        "no account, no email, same answer"
    );

    assert_eq!(
        app.post(
            "/api/v1/auth/password-reset",
            None,
            &json!({ "email": "OUBLI@example.fr" })
        )
        .await
        .status(),
        202
    );
    let token = last_token(&app, "password_reset").await;
    let (status, p) = problem(
        app.post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({ "token": token, "new_password": "short" }),
        )
        .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("password")));
    let resp = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({ "token": token, "new_password": "un tout nouveau mot de passe" }),
        )
        .await;
    assert_eq!(resp.status(), 204);
    app.login("oubli@example.fr", "un tout nouveau mot de passe")
        .await;
    let (status, _) = problem(
        app.post(
            "/api/v1/auth/refresh",
            None,
            &json!({ "refresh_token": session["refresh_token"] }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 401, "the old session ended");
    let (status, _) = problem(
        app.post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({ "token": token, "new_password": "encore un autre mot de passe" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "single use");

    // A second request makes the first link useless.
    app.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({ "email": "oubli@example.fr" }),
    )
    .await;
    let first = last_token(&app, "password_reset").await;
    app.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({ "email": "oubli@example.fr" }),
    )
    .await;
    let (status, _) = problem(
        app.post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({ "token": first, "new_password": "encore un autre mot de passe" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn invited_staff_join_with_a_new_or_an_existing_account() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("equipe").await;
    let manager = app
        .staff_token(tenant, "manager@equipe.test", Role::Manager)
        .await;
    let invite = |email: &str, role: &str| json!({ "email": email, "role": role });

    let resp = app
        .post(
            "/api/v1/pizzerias/equipe/staff/invitations",
            Some(&manager),
            &invite("Nouveau.Caissier@example.fr", "cashier"),
        )
        .await;
    assert_eq!(resp.status(), 201);
    let token = last_token(&app, "invitation").await;
    let pending: Vec<Value> = app
        .get("/api/v1/pizzerias/equipe/staff/invitations", Some(&manager))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        pending
            .iter()
            .any(|i| i["email"] == "nouveau.caissier@example.fr" && i["role"] == "cashier")
    );

    let (status, p) = problem(
        app.post(
            "/api/v1/pizzerias/equipe/invitations/accept",
            None,
            &json!({ "token": token }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, p["field"].as_str()),
        (422, Some("password")),
        "a new account needs a password"
    );
    let accepted: Value = app
        .post(
            "/api/v1/pizzerias/equipe/invitations/accept",
            None,
            &json!({ "token": token, "name": "Nina", "password": "mot de passe de Nina" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            accepted["role"].as_str(),
            accepted["account_created"].as_bool()
        ),
        (Some("cashier"), Some(true))
    );
    let nina = app
        .login("nouveau.caissier@example.fr", "mot de passe de Nina")
        .await;
    let roles: Value = app
        .get(
            "/api/v1/pizzerias/equipe/staff/me",
            nina["access_token"].as_str(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(roles["roles"], json!(["cashier"]));
    let (status, _) = problem(
        app.post(
            "/api/v1/pizzerias/equipe/invitations/accept",
            None,
            &json!({ "token": token, "name": "X", "password": "another password" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "single use");

    // An existing account joins without a password; the token is for this pizzeria only.
    app.create_user("deja@example.fr").await;
    app.post(
        "/api/v1/pizzerias/equipe/staff/invitations",
        Some(&manager),
        &invite("deja@example.fr", "driver"),
    )
    .await;
    let token = last_token(&app, "invitation").await;
    app.create_pizzeria("ailleurs").await;
    let (status, _) = problem(
        app.post(
            "/api/v1/pizzerias/ailleurs/invitations/accept",
            None,
            &json!({ "token": token }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    let accepted: Value = app
        .post(
            "/api/v1/pizzerias/equipe/invitations/accept",
            None,
            &json!({ "token": token }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(accepted["account_created"], false);

    // Managers invite staff, only owners invite managers and owners; others nobody.
    let (status, _) = problem(
        app.post(
            "/api/v1/pizzerias/equipe/staff/invitations",
            Some(&manager),
            &invite("boss@example.fr", "owner"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    let cook = app
        .staff_token(tenant, "cook@equipe.test", Role::Pizzaiolo)
        .await;
    let (status, _) = problem(
        app.post(
            "/api/v1/pizzerias/equipe/staff/invitations",
            Some(&cook),
            &invite("x@example.fr", "driver"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, p) = problem(
        app.post(
            "/api/v1/pizzerias/equipe/staff/invitations",
            Some(&manager),
            &invite("x@example.fr", "chef"),
        )
        .await,
    )
    .await;
    assert_eq!((status, p["field"].as_str()), (422, Some("role")));
}
