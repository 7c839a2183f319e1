//! The operator CLI and the other binaries, run for real.

use ocpizza_tests::app::problem;
use ocpizza_tests::bins::{run, stderr, stdout};
use ocpizza_tests::{TestDb, spawn_app};
use serde_json::json;

fn admin_env(db: &TestDb) -> Vec<(&'static str, String)> {
    vec![("OCPIZZA_DATABASE__ADMIN_URL", db.owner_url.clone())]
}

async fn admin(db: &TestDb, args: &[&str]) -> std::process::Output {
    let env = admin_env(db);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run("ocpizza-admin", args, &env).await
}

#[tokio::test]
async fn every_binary_has_help_and_version() {
    for bin in ["ocpizza-app", "ocpizza-admin", "ocpizza-worker"] {
        let out = run(bin, &["--version"], &[]).await;
        assert!(out.status.success(), "{bin} --version");
        assert!(stdout(&out).starts_with(bin), "{bin}: {}", stdout(&out));
        let out = run(bin, &["--help"], &[]).await;
        assert!(out.status.success(), "{bin} --help");
        assert!(
            stdout(&out).contains("USAGE") || stdout(&out).contains("Usage"),
            "{bin}"
        );
    }
}

#[tokio::test]
async fn tenant_create_then_list() {
    let db = TestDb::new().await;
    let out = admin(
        &db,
        &[
            "tenant",
            "create",
            "--slug",
            "lyon-part-dieu",
            "--name",
            "OC Pizza Part-Dieu",
            "--city",
            "Lyon",
            "--owner-email",
            "patron@lyon.test",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("owner invitation sent to patron@lyon.test"),
        "{}",
        stdout(&out)
    );
    let (invitations, emails): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM invitations WHERE email = 'patron@lyon.test' AND role = 'owner'),
                (SELECT count(*) FROM apalis.jobs WHERE job_type = 'ocpizza::emails')",
    )
    .fetch_one(&db.owner)
    .await
    .unwrap();
    assert_eq!(
        (invitations, emails),
        (1, 1),
        "an owner invitation and its email job"
    );

    let out = admin(&db, &["tenant", "list"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let listing = stdout(&out);
    assert!(
        listing.contains("lyon-part-dieu")
            && listing.contains("OC Pizza Part-Dieu")
            && listing.contains("Lyon"),
        "{listing}"
    );

    // A second create with the same slug fails, names the problem, and writes nothing.
    let out = admin(
        &db,
        &[
            "tenant",
            "create",
            "--slug",
            "lyon-part-dieu",
            "--name",
            "Other",
            "--owner-email",
            "other@lyon.test",
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'other@lyon.test'")
            .fetch_one(&db.owner)
            .await
            .unwrap();
    assert_eq!(users, 0);

    let out = admin(
        &db,
        &[
            "tenant",
            "create",
            "--slug",
            "Bad Slug",
            "--name",
            "X",
            "--owner-email",
            "x@y.test",
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("slug"), "{}", stderr(&out));
}

#[tokio::test]
async fn migrate_down_then_up() {
    let db = TestDb::new().await;
    let out = admin(&db, &["migrate", "status"]).await;
    assert!(
        stdout(&out).contains("applied") && !stdout(&out).contains("pending"),
        "{}",
        stdout(&out)
    );
    let applied = stdout(&out).lines().count();

    let out = admin(&db, &["migrate", "down", &applied.to_string()]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("reverted"))
            .count(),
        applied
    );
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'")
        .fetch_one(&db.owner)
        .await
        .unwrap();
    assert_eq!(tables, 0, "every down step removes what its up step made");
    let out = admin(&db, &["migrate", "status"]).await;
    assert!(!stdout(&out).contains("applied"), "{}", stdout(&out));

    let out = admin(&db, &["migrate", "up"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = admin(&db, &["migrate", "up"]).await;
    assert!(stdout(&out).contains("up to date"), "{}", stdout(&out));
    let out = admin(&db, &["tenant", "list"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test]
async fn demo_seed_is_idempotent_and_its_accounts_log_in() {
    let app = spawn_app().await;
    for _ in 0..2 {
        let out = admin(&app.db, &["demo", "seed"]).await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let pizzerias: Vec<serde_json::Value> = app
        .get("/api/v1/pizzerias", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pizzerias.len(), 8);
    let (users, memberships): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM memberships)")
            .fetch_one(&app.db.owner)
            .await
            .unwrap();
    assert_eq!(
        (users, memberships),
        (42, 40),
        "40 staff, a customer, a platform admin"
    );
    let (admins,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM platform_admins JOIN users ON users.id = user_id WHERE email = 'admin@demo.ocpizza.fr'",
    )
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(admins, 1);

    let tokens = app.login("client@demo.ocpizza.fr", "pizza-demo-2026").await;
    assert!(tokens["access_token"].is_string());
    let cook = app
        .login(
            "pizzaiolo.paris-bastille@demo.ocpizza.fr",
            "pizza-demo-2026",
        )
        .await;
    let roles: serde_json::Value = app
        .get(
            "/api/v1/pizzerias/paris-bastille/staff/me",
            cook["access_token"].as_str(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(roles["roles"], json!(["pizzaiolo"]));
    let (status, _) = problem(
        app.get(
            "/api/v1/pizzerias/boulogne/staff/me",
            cook["access_token"].as_str(),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);

    // Every demo pizzeria sells at least 12 pizzas in three sizes, drinks and desserts.
    for p in &pizzerias {
        let slug = p["slug"].as_str().unwrap();
        let menu: serde_json::Value = app
            .get(&format!("/api/v1/pizzerias/{slug}/menu"), None)
            .await
            .json()
            .await
            .unwrap();
        let products: Vec<&serde_json::Value> = menu["categories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["products"].as_array().unwrap())
            .collect();
        let pizzas: Vec<_> = products.iter().filter(|p| p["kind"] == "pizza").collect();
        assert!(pizzas.len() >= 12, "{slug}: {} pizzas", pizzas.len());
        assert!(
            pizzas
                .iter()
                .all(|p| p["sizes"].as_array().unwrap().len() == 3 && p["available"] == true),
            "{slug}"
        );
        assert!(
            products.iter().any(|p| p["kind"] == "drink")
                && products.iter().any(|p| p["kind"] == "dessert")
        );
        assert!(!menu["extras"].as_array().unwrap().is_empty());
        let opening: serde_json::Value = app
            .get(&format!("/api/v1/pizzerias/{slug}/opening"), None)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            opening["next_opening"].is_object(),
            "{slug} opens again: {opening}"
        );
    }
    let manager = app
        .login("manager.paris-bastille@demo.ocpizza.fr", "pizza-demo-2026")
        .await;
    let settings: serde_json::Value = app
        .get(
            "/api/v1/pizzerias/paris-bastille/settings",
            manager["access_token"].as_str(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        settings["weekly_hours"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["closes"] == "02:00"),
        "open past midnight: {settings}"
    );
    assert!(settings["delivery_zones"].as_array().unwrap().len() >= 3);
    assert_eq!(settings["vat_rates"].as_array().unwrap().len(), 3);

    let out = run(
        "ocpizza-admin",
        &["demo", "seed"],
        &[
            ("OCPIZZA_PROFILE", "production"),
            ("OCPIZZA_DATABASE__ADMIN_URL", &app.db.owner_url),
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("production"), "{}", stderr(&out));
}

#[tokio::test]
async fn create_admin_and_secret_generate() {
    let app = spawn_app().await;
    let out = admin(
        &app.db,
        &["user", "create-admin", "--email", "ops@ocpizza.test"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let password = text.rsplit(": ").next().unwrap().trim().to_string();
    let tokens = app.login("ops@ocpizza.test", &password).await;
    let me: serde_json::Value = app
        .get("/api/v1/me", tokens["access_token"].as_str())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["platform_admin"], true);
    let out = admin(
        &app.db,
        &["user", "create-admin", "--email", "ops@ocpizza.test"],
    )
    .await;
    assert!(stdout(&out).contains("already"), "{}", stdout(&out));

    let out = run("ocpizza-admin", &["secret", "generate"], &[]).await;
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim().len(), 86);
}

#[tokio::test]
async fn commands_fail_clearly_without_a_database_url() {
    let out = run("ocpizza-admin", &["tenant", "list"], &[]).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("OCPIZZA_DATABASE__ADMIN_URL"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn the_worker_checks_its_database() {
    let db = TestDb::new().await;
    let out = run(
        "ocpizza-worker",
        &["--check"],
        &[("OCPIZZA_DATABASE__ADMIN_URL", &db.owner_url)],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test]
async fn a_production_worker_needs_the_second_copy_of_the_backups() {
    let db = TestDb::new().await;
    let secret = "k3P9vQ2mX7rT5wY8zL4nB6cJ1hF0dG3sA9eU2iO7pK5qW8xM4vN1bR6tY3uE0zC";
    let mut env = vec![
        ("OCPIZZA_PROFILE", "production".to_string()),
        ("OCPIZZA_DATABASE__ADMIN_URL", db.owner_url.clone()),
        ("OCPIZZA_AUTH__JWT_SECRET", secret.into()),
        ("OCPIZZA_EMAIL__SMTP_URL", "smtp://127.0.0.1:2525".into()),
    ];
    let check = async |env: &[(&str, String)]| {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run("ocpizza-worker", &["--check"], &env).await
    };
    let out = check(&env).await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("backup.s3 is not set"),
        "{}",
        stderr(&out)
    );

    for (k, v) in [
        (
            "OCPIZZA_BACKUP__S3__ENDPOINT",
            "https://s3.fr-par.scw.cloud",
        ),
        ("OCPIZZA_BACKUP__S3__REGION", "fr-par"),
        ("OCPIZZA_BACKUP__S3__BUCKET", "ocpizza-backups"),
        ("OCPIZZA_BACKUP__S3__ACCESS_KEY", "AK"),
        ("OCPIZZA_BACKUP__S3__SECRET_KEY", "SK"),
    ] {
        env.push((k, v.into()));
    }
    let out = check(&env).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("backup settings are fine"));
}

#[tokio::test]
async fn tenant_suspend_resume_and_export() {
    let app = spawn_app().await;
    let tenant = app.create_pizzeria("roma").await;
    let other = app.create_pizzeria("napoli").await;
    let out = admin(
        &app.db,
        &["tenant", "suspend", "roma", "--reason", "travaux"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let (status, p) = problem(app.get("/api/v1/pizzerias/roma/menu", None).await).await;
    assert_eq!(
        (status, p["type"].as_str()),
        (403, Some("/problems/pizzeria-closed"))
    );
    let out = admin(&app.db, &["tenant", "suspend", "roma", "--reason", "again"]).await;
    assert!(!out.status.success(), "already suspended");
    assert!(stderr(&out).contains("suspended"), "{}", stderr(&out));

    let out = admin(&app.db, &["tenant", "resume", "roma"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        app.get("/api/v1/pizzerias/roma/menu", None).await.status(),
        200
    );
    let (actor, reason): (Option<uuid::Uuid>, Option<String>) = sqlx::query_as(
        "SELECT actor_user_id, details->>'reason' FROM platform_audit_log WHERE action = 'tenant.suspend'",
    )
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(
        (actor, reason.as_deref()),
        (None, Some("travaux")),
        "the CLI is audited"
    );

    let dir = std::env::temp_dir().join(format!("ocpizza-cli-export-{}", uuid::Uuid::new_v4()));
    let file = dir.join("roma.json");
    let out = admin(
        &app.db,
        &["tenant", "export", "roma", "-o", file.to_str().unwrap()],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).expect("a whole JSON document");
    assert_eq!(doc["tenant"]["id"], json!(tenant));
    assert!(
        !doc.to_string().contains(&other.to_string()),
        "nothing of napoli"
    );
    let out = admin(&app.db, &["tenant", "export", "roma", "-o", "-"]).await;
    let streamed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(streamed["tenant"]["slug"], "roma");

    let out = admin(&app.db, &["tenant", "resume", "nowhere"]).await;
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no pizzeria"), "{}", stderr(&out));
}
