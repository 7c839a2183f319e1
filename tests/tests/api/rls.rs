//! Row-level security is real: the runtime role sees and writes only the tenant of its transaction.

use ocpizza::domain::Role;
use ocpizza_tests::spawn_app;
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

#[tokio::test]
async fn a_tenant_transaction_sees_and_writes_only_its_tenant() {
    let app = spawn_app().await;
    let a = app.create_pizzeria("rls-a").await;
    let b = app.create_pizzeria("rls-b").await;
    let cook_a = app.create_user("cook@a.test").await;
    let cook_b = app.create_user("cook@b.test").await;
    app.grant(a, cook_a, Role::Pizzaiolo).await;
    app.grant(b, cook_b, Role::Pizzaiolo).await;

    // One connection, so the later "no tenant" check runs where a tenant was set before.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&app.db.app_url)
        .await
        .unwrap();
    let mut tx = ocpizza::db::begin_tenant(&pool, a).await.unwrap();
    let tenants: Vec<Uuid> = sqlx::query_scalar("SELECT tenant_id FROM memberships")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        tenants.len(),
        1,
        "A's cook (the owner is invited, not yet a member)"
    );
    assert!(tenants.iter().all(|t| *t == a), "{tenants:?}");

    let err =
        sqlx::query("INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, 'driver')")
            .bind(b)
            .bind(cook_a)
            .execute(&mut *tx)
            .await
            .expect_err("writing into tenant B from tenant A's transaction must fail");
    let code = err
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("42501"), "{err}");
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();

    // Updating B's rows from A is silently nothing.
    let mut tx = ocpizza::db::begin_tenant(&pool, a).await.unwrap();
    let touched = sqlx::query("UPDATE memberships SET role = 'driver' WHERE tenant_id = $1")
        .bind(b)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(touched.rows_affected(), 0);
    tx.commit().await.unwrap();

    // Without a tenant (same pooled connection, setting now ''), nothing is visible and nothing fails.
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM memberships")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(visible, 0);
    // The owner role (admin path) sees both pizzerias' memberships.
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM memberships")
        .fetch_one(&app.db.owner)
        .await
        .unwrap();
    assert_eq!(all, 2);
}

#[tokio::test]
async fn a_user_transaction_reads_own_memberships_everywhere_but_writes_nothing() {
    let app = spawn_app().await;
    let a = app.create_pizzeria("own-a").await;
    let b = app.create_pizzeria("own-b").await;
    let driver = app.create_user("driver@example.fr").await;
    app.grant(a, driver, Role::Driver).await;
    app.grant(b, driver, Role::Cashier).await;

    let mut tx = ocpizza::db::begin_user(&app.db.app, driver).await.unwrap();
    let rows: Vec<(Uuid, Uuid)> = sqlx::query_as("SELECT tenant_id, user_id FROM memberships")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(|(_, u)| *u == driver),
        "only the user's own rows: {rows:?}"
    );
    let err = sqlx::query(
        "INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, 'manager')",
    )
    .bind(a)
    .bind(driver)
    .execute(&mut *tx)
    .await
    .expect_err("the user policy is read-only");
    assert!(err.to_string().contains("row-level security"), "{err}");
}

#[tokio::test]
async fn every_table_with_a_tenant_id_has_forced_rls_and_tenant_first_keys() {
    let app = spawn_app().await;
    let rows: Vec<(String, bool, bool, i64)> = sqlx::query_as(
        r#"SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           ORDER BY 1"#,
    )
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    assert!(
        rows.iter().any(|r| r.0 == "memberships"),
        "the check must see the tenant tables: {rows:?}"
    );
    for (table, enabled, forced, policies) in &rows {
        assert!(
            *enabled && *forced,
            "{table}: row-level security must be ENABLEd and FORCEd"
        );
        assert!(*policies >= 1, "{table}: no policy");
    }

    // tenant_id leads the primary key and every foreign key to another tenant table.
    let bad: Vec<(String, String)> = sqlx::query_as(
        r#"SELECT c.conrelid::regclass::text, c.conname::text
           FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           WHERE c.contype IN ('p', 'f')
             AND c.connamespace = 'public'::regnamespace
             AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.conrelid AND t.attname = 'tenant_id')
             AND (c.contype = 'p' OR EXISTS (SELECT 1 FROM pg_attribute t
                                             WHERE t.attrelid = c.confrelid AND t.attname = 'tenant_id'))
             AND a.attname <> 'tenant_id'"#,
    )
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    assert!(bad.is_empty(), "keys not led by tenant_id: {bad:?}");
}

#[tokio::test]
async fn the_runtime_role_cannot_touch_what_only_operators_may() {
    let app = spawn_app().await;
    app.create_pizzeria("guarded").await;
    for sql in [
        "SELECT count(*) FROM platform_audit_log",
        "UPDATE tenants SET status = 'suspended'",
        "INSERT INTO platform_admins (user_id) SELECT id FROM users LIMIT 1",
        "DELETE FROM users",
    ] {
        let err = sqlx::query(sql).execute(&app.db.app).await.expect_err(sql);
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
}
