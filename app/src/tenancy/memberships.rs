//! SQL of `memberships` (tenant-owned, RLS): a person's roles in a pizzeria.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Role;

/// The roles of `user_id` in `tenant_id`. Run inside `db::begin_tenant(tenant_id)`.
pub async fn roles(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Role>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT role AS "role: Role" FROM memberships WHERE tenant_id = $1 AND user_id = $2 ORDER BY role"#,
        tenant_id,
        user_id
    )
    .fetch_all(conn)
    .await
}

pub struct MembershipRow {
    pub tenant_id: Uuid,
    pub slug: String,
    pub name: String,
    pub role: Role,
}

/// Every membership of `user_id`, in every pizzeria. Run inside `db::begin_user(user_id)`.
pub(crate) async fn of_user(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Vec<MembershipRow>, sqlx::Error> {
    sqlx::query_as!(
        MembershipRow,
        r#"SELECT m.tenant_id, t.slug, t.name, m.role AS "role: Role"
           FROM memberships m JOIN tenants t ON t.id = m.tenant_id
           WHERE m.user_id = $1 ORDER BY t.name, m.role"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Grants a role; granting it twice is a no-op. Run in a transaction of the tenant (or the owner role).
pub async fn grant(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        tenant_id,
        user_id,
        role as Role
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `user_id` is staff anywhere. Run inside `db::begin_user(user_id)`.
pub(crate) async fn is_staff_anywhere(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1) AS "staff!""#,
        user_id
    )
    .fetch_one(conn)
    .await
}

pub struct StaffRow {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
}

/// The staff of a pizzeria, by name. Run inside `db::begin_tenant(tenant_id)`.
pub async fn staff(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Vec<StaffRow>, sqlx::Error> {
    sqlx::query_as!(
        StaffRow,
        r#"SELECT m.user_id, u.email, u.name, array_agg(m.role ORDER BY m.role) AS "roles!: Vec<Role>"
           FROM memberships m JOIN users u ON u.id = m.user_id
           WHERE m.tenant_id = $1
           GROUP BY m.user_id, u.email, u.name ORDER BY u.name, u.email"#,
        tenant_id
    )
    .fetch_all(conn)
    .await
}

/// Removes every role of `user_id` in the pizzeria; returns how many there were.
pub async fn remove(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2",
        tenant_id,
        user_id
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// How many people own the pizzeria.
pub async fn owners(conn: &mut PgConnection, tenant_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(DISTINCT user_id) AS "n!" FROM memberships WHERE tenant_id = $1 AND role = 'owner'"#,
        tenant_id
    )
    .fetch_one(conn)
    .await
}

/// The owners and managers of a pizzeria (who hear about its stock).
pub async fn managers(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT DISTINCT user_id FROM memberships WHERE tenant_id = $1 AND role IN ('owner', 'manager')",
        tenant_id
    )
    .fetch_all(conn)
    .await
}
