//! What the app refuses to start with, in-process and as the real binary.

use ocpizza::config::{DEV_JWT_SECRET, Profile};
use ocpizza::startup::StartupError;
use ocpizza_tests::TestDb;
use ocpizza_tests::app::test_config;
use ocpizza_tests::bins::{run, stderr};
use ocpizza_tests::db::{env_url, with_database};

const GOOD_SECRET: &str = "a-production-secret-that-is-long-enough-0123456789";

fn production(db: &TestDb, url: &str) -> ocpizza::config::Config {
    let mut config = test_config(db);
    config.profile = Profile::Production;
    config.auth.jwt_secret = Some(GOOD_SECRET.to_string().into());
    config.database.url = Some(url.to_string().into());
    config
}

#[tokio::test]
async fn production_refuses_roles_that_bypass_rls_and_default_secrets() {
    let db = TestDb::new().await;
    let superuser = with_database(&env_url("TEST_PG_SUPERUSER_URL"), &db.name);

    let err = ocpizza::Application::build(production(&db, &superuser))
        .await
        .err()
        .expect("superuser refused");
    assert!(
        matches!(
            err,
            StartupError::Role(ocpizza::db::RoleCheckError::Superuser(_))
        ),
        "{err}"
    );
    let err = ocpizza::Application::build(production(&db, &db.owner_url))
        .await
        .err()
        .expect("owner refused");
    assert!(
        matches!(
            err,
            StartupError::Role(ocpizza::db::RoleCheckError::BypassRls(_))
        ),
        "{err}"
    );

    let mut config = production(&db, &db.app_url);
    config.auth.jwt_secret = Some(DEV_JWT_SECRET.to_string().into());
    assert!(matches!(
        ocpizza::Application::build(config).await,
        Err(StartupError::Secrets(_))
    ));
    let mut config = production(&db, &db.app_url);
    config.auth.jwt_secret = None;
    assert!(matches!(
        ocpizza::Application::build(config).await,
        Err(StartupError::Secrets(_))
    ));
    let mut config = production(&db, &db.app_url);
    config.database.admin_url = Some(db.owner_url.clone().into());
    assert!(matches!(
        ocpizza::Application::build(config).await,
        Err(StartupError::AdminUrlGiven)
    ));

    // The runtime role is accepted.
    ocpizza::Application::build(production(&db, &db.app_url))
        .await
        .expect("runtime role accepted");
}

#[tokio::test]
async fn the_binary_refuses_a_superuser_in_production_and_says_why() {
    let db = TestDb::new().await;
    let superuser = with_database(&env_url("TEST_PG_SUPERUSER_URL"), &db.name);
    let out = run(
        "ocpizza-app",
        &[],
        &[
            ("OCPIZZA_PROFILE", "production"),
            ("OCPIZZA_AUTH__JWT_SECRET", GOOD_SECRET),
            ("OCPIZZA_HTTP__PORT", "0"),
            ("DATABASE_URL", &superuser),
        ],
    )
    .await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("superuser") && err.contains("runtime role"),
        "{err}"
    );

    let out = run(
        "ocpizza-app",
        &[],
        &[
            ("OCPIZZA_PROFILE", "production"),
            ("DATABASE_URL", &db.app_url),
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("OCPIZZA_AUTH__JWT_SECRET"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn configuration_errors_name_the_bad_key() {
    let out = run("ocpizza-app", &[], &[("OCPIZZA_HTTP__PROT", "80")]).await;
    assert_eq!(out.status.code(), Some(78));
    let err = stderr(&out);
    assert!(
        err.contains("prot") && err.contains("OCPIZZA_HTTP__PROT"),
        "{err}"
    );

    let dir = std::env::temp_dir().join(format!("ocpizza-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ocpizza.toml");
    std::fs::write(&file, "[database]\nurll = \"postgres://x\"\n").unwrap();
    let out = run(
        "ocpizza-app",
        &[],
        &[("OCPIZZA_CONFIG", file.to_str().unwrap())],
    )
    .await;
    assert_eq!(out.status.code(), Some(78));
    let err = stderr(&out);
    assert!(
        err.contains("urll") && err.contains("ocpizza.toml"),
        "{err}"
    );

    let out = run("ocpizza-app", &[], &[("OCPIZZA_HTTP__PORT", "eighty")]).await;
    assert!(
        stderr(&out).contains("OCPIZZA_HTTP__PORT"),
        "{}",
        stderr(&out)
    );

    let out = run(
        "ocpizza-app",
        &[],
        &[("OCPIZZA_CONFIG", "/nonexistent/ocpizza.toml")],
    )
    .await;
    assert!(
        stderr(&out).contains("/nonexistent/ocpizza.toml"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(dir).ok();
}
