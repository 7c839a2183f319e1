//! What the connected role may do: the request path must run under row-level security.

use sqlx::PgPool;

#[derive(Debug, Clone)]
pub struct RoleInfo {
    pub name: String,
    pub superuser: bool,
    pub bypass_rls: bool,
    /// Owns at least one table of the schema (an owner is exempt from RLS unless forced, and
    /// could drop tables): the runtime role must own none.
    pub owns_tables: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RoleCheckError {
    #[error(
        "database.url connects as role {0:?}, a superuser: row-level security would not apply. Connect ocpizza-app as the runtime role (docs/OPERATIONS.md, \"Database roles\")"
    )]
    Superuser(String),
    #[error(
        "database.url connects as role {0:?}, which has BYPASSRLS: row-level security would not apply. Connect ocpizza-app as the runtime role (docs/OPERATIONS.md, \"Database roles\")"
    )]
    BypassRls(String),
    #[error(
        "database.url connects as role {0:?}, which owns tables: use the runtime role for ocpizza-app and the owner role only in database.admin_url"
    )]
    Owner(String),
    #[error("could not inspect the database role")]
    Database(#[from] sqlx::Error),
}

pub(crate) async fn role_info(pool: &PgPool) -> Result<RoleInfo, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT rolname AS "name!", rolsuper AS "superuser!", rolbypassrls AS "bypass_rls!",
                  EXISTS (SELECT 1 FROM pg_tables
                          WHERE schemaname = 'public' AND tableowner = current_user) AS "owns_tables!"
           FROM pg_roles WHERE rolname = current_user"#
    )
    .fetch_one(pool)
    .await?;
    Ok(RoleInfo {
        name: row.name,
        superuser: row.superuser,
        bypass_rls: row.bypass_rls,
        owns_tables: row.owns_tables,
    })
}

/// Refuses a role under which row-level security would not hold.
pub(crate) async fn check_runtime_role(pool: &PgPool) -> Result<RoleInfo, RoleCheckError> {
    let info = role_info(pool).await?;
    if info.superuser {
        return Err(RoleCheckError::Superuser(info.name));
    }
    if info.bypass_rls {
        return Err(RoleCheckError::BypassRls(info.name));
    }
    if info.owns_tables {
        return Err(RoleCheckError::Owner(info.name));
    }
    Ok(info)
}
