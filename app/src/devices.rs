//! A pizzeria's shared devices: the kitchen tablet, the counter till, a driver's phone. Each is
//! an account of its own (no password, an address under `devices.invalid` that no mail reaches)
//! with one staff role in the pizzeria, signed in by a device session that an owner or manager
//! opens and names, and can revoke at once. A device session follows the rules of every session
//! (an absolute end, the idle limit, a check on each request) with a longer absolute lifetime,
//! `auth.device_session_max_days` (docs/DESIGN.md, "Sessions"). Above `accounts` and `tenancy`,
//! which it coordinates.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::accounts::{self, AccountsError};
use crate::audit;
use crate::auth::Audience;
use crate::domain::{Email, InvalidInput, Role};
use crate::tenancy::memberships;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("no such device")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for DeviceError {
    fn from(err: sqlx::Error) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("database"))
    }
}

impl From<AccountsError> for DeviceError {
    fn from(err: AccountsError) -> Self {
        Self::Unexpected(anyhow::Error::new(err).context("a device's session"))
    }
}

/// How long device sessions last: the absolute end and the idle limit.
#[derive(Debug, Clone, Copy)]
pub struct DeviceSessions {
    pub max_days: u32,
    pub idle_days: u32,
}

pub struct DeviceRow {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The end of its open session, if it has one.
    pub session_ends: Option<DateTime<Utc>>,
}

/// A device just paired, with the one refresh token that signs it in (shown once).
pub struct Paired {
    pub device: DeviceRow,
    pub refresh_token: String,
}

/// The roles a shared device may hold: those of a station, never the running of the pizzeria.
fn device_role(role: Role) -> Result<Role, InvalidInput> {
    match role {
        Role::Cashier | Role::Pizzaiolo | Role::Driver => Ok(role),
        Role::Owner | Role::Manager => Err(InvalidInput::new(
            "role",
            "a device may be a cashier, a pizzaiolo or a driver",
        )),
    }
}

fn device_name(raw: &str) -> Result<&str, InvalidInput> {
    let name = raw.trim();
    if name.is_empty() || raw.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            "name",
            "must have 1 to 60 characters, e.g. Tablette cuisine",
        ));
    }
    Ok(name)
}

/// Pairs a new device: its account, its role and its session, in the caller's tenant
/// transaction; `actor` is recorded in the audit log.
pub async fn pair(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    (name, role): (&str, Role),
    lifetime: DeviceSessions,
) -> Result<Paired, DeviceError> {
    let (name, role) = (device_name(name)?, device_role(role)?);
    let id = Uuid::now_v7();
    let email = Email::parse(&format!("device.{}@devices.invalid", id.simple()))
        .context("a device's address")?;
    let account = accounts::store::NewUser {
        email: &email,
        password_hash: None,
        name,
        phone: "",
        locale: "fr",
    };
    let user_id = accounts::store::insert(conn, &account)
        .await?
        .context("a device's address is taken")?;
    memberships::grant(conn, tenant_id, user_id, role).await?;
    let created_at = sqlx::query_scalar!(
        r#"INSERT INTO devices (tenant_id, id, user_id, name, role, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at"#,
        tenant_id,
        id,
        user_id,
        name,
        role as Role,
        actor
    )
    .fetch_one(&mut *conn)
    .await?;
    let ends = Utc::now() + Duration::days(i64::from(lifetime.max_days));
    let refresh_token =
        accounts::open_device_session(conn, user_id, Audience::App, lifetime.idle_days, ends)
            .await?;
    let details = serde_json::json!({ "name": name, "role": role.as_str() });
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "device.pair",
        &id.to_string(),
        details,
    )
    .await?;
    Ok(Paired {
        device: DeviceRow {
            id,
            name: name.to_string(),
            role,
            created_at,
            revoked_at: None,
            session_ends: Some(ends),
        },
        refresh_token,
    })
}

/// The pizzeria's devices, newest first, revoked ones included.
pub async fn list(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Vec<DeviceRow>, DeviceError> {
    Ok(sqlx::query_as!(
        DeviceRow,
        r#"SELECT d.id, d.name, d.role AS "role: Role", d.created_at, d.revoked_at,
                  (SELECT max(s.expires_at) FROM sessions s
                   WHERE s.user_id = d.user_id AND s.revoked_at IS NULL
                     AND s.expires_at > now()) AS session_ends
           FROM devices d WHERE d.tenant_id = $1 ORDER BY d.created_at DESC, d.id"#,
        tenant_id
    )
    .fetch_all(conn)
    .await?)
}

/// Revokes a device: its sessions end at once and its role is taken away. Revoking it twice is
/// harmless.
pub async fn revoke(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    actor: Uuid,
    id: Uuid,
) -> Result<(), DeviceError> {
    let user_id = sqlx::query_scalar!(
        r#"UPDATE devices SET revoked_at = coalesce(revoked_at, now())
           WHERE tenant_id = $1 AND id = $2 RETURNING user_id"#,
        tenant_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DeviceError::NotFound)?;
    memberships::remove(conn, tenant_id, user_id).await?;
    accounts::end_every_session(conn, user_id).await?;
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        "device.revoke",
        &id.to_string(),
        serde_json::json!({}),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_stations_with_a_name() {
        assert!(device_role(Role::Pizzaiolo).is_ok());
        assert!(device_role(Role::Driver).is_ok());
        assert!(device_role(Role::Owner).is_err());
        assert!(device_role(Role::Manager).is_err());
        assert_eq!(
            device_name("  Tablette cuisine ").unwrap(),
            "Tablette cuisine"
        );
        assert!(device_name(" ").is_err());
        assert!(device_name(&"x".repeat(61)).is_err());
        assert!(device_name("caisse\u{7}").is_err());
    }
}
