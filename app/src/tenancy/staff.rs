//! Changing a pizzeria's staff (admin API): one role per person here, the rules of who may hand
//! out which role, and never a pizzeria without an owner. Runs in the pizzeria's transaction;
//! each change is in its audit log with the roles before and after.

use sqlx::PgConnection;
use uuid::Uuid;

use super::memberships;
use crate::audit;
use crate::domain::Role;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("this person is not on the staff")]
    NotStaff,
    #[error("{0}")]
    NotAllowed(&'static str),
    #[error("the pizzeria would have no owner left")]
    LastOwner,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StaffError {
    fn from(err: sqlx::Error) -> Self {
        StaffError::Unexpected(anyhow::Error::new(err).context("database"))
    }
}

/// Who is acting: an owner (or a platform administrator) may hand out and take away every
/// role; a manager only the others, and not from owners or managers.
pub struct Actor {
    pub user_id: Uuid,
    pub is_owner: bool,
}

async fn current(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Role>, StaffError> {
    let roles = memberships::roles(conn, tenant_id, user_id).await?;
    if roles.is_empty() {
        return Err(StaffError::NotStaff);
    }
    Ok(roles)
}

fn check(actor: &Actor, before: &[Role], after: Option<Role>) -> Result<(), StaffError> {
    if actor.is_owner {
        return Ok(());
    }
    if before.iter().any(|r| r.manages()) {
        return Err(StaffError::NotAllowed(
            "only an owner changes the roles of owners and managers",
        ));
    }
    if after.is_some_and(|r| r.manages()) {
        return Err(StaffError::NotAllowed(
            "only an owner makes someone owner or manager",
        ));
    }
    Ok(())
}

async fn keep_an_owner(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    before: &[Role],
) -> Result<(), StaffError> {
    if before.contains(&Role::Owner) && memberships::owners(conn, tenant_id).await? <= 1 {
        return Err(StaffError::LastOwner);
    }
    Ok(())
}

fn names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

/// Gives `user_id` exactly `role` in the pizzeria.
pub(crate) async fn set_role(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    user_id: Uuid,
    role: Role,
) -> Result<(), StaffError> {
    let before = current(conn, tenant_id, user_id).await?;
    check(actor, &before, Some(role))?;
    if role != Role::Owner {
        keep_an_owner(conn, tenant_id, &before).await?;
    }
    memberships::remove(conn, tenant_id, user_id).await?;
    memberships::grant(conn, tenant_id, user_id, role).await?;
    let details = serde_json::json!({ "before": names(&before), "after": [role.as_str()] });
    audit::record(
        conn,
        tenant_id,
        Some(actor.user_id),
        "staff.role",
        &user_id.to_string(),
        details,
    )
    .await?;
    Ok(())
}

/// Takes every role of `user_id` in the pizzeria away. It applies from their next request.
pub async fn remove(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: &Actor,
    user_id: Uuid,
) -> Result<(), StaffError> {
    let before = current(conn, tenant_id, user_id).await?;
    check(actor, &before, None)?;
    keep_an_owner(conn, tenant_id, &before).await?;
    memberships::remove(conn, tenant_id, user_id).await?;
    let details = serde_json::json!({ "before": names(&before), "after": [] });
    audit::record(
        conn,
        tenant_id,
        Some(actor.user_id),
        "staff.remove",
        &user_id.to_string(),
        details,
    )
    .await?;
    Ok(())
}
