//! What platform administrators do to a pizzeria: change its profile, suspend and resume it,
//! offboard it. On the owner role's connection, in the caller's transaction; each action is
//! recorded in `platform_audit_log` with the state before and after.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::check_profile;
use super::store::{self, Profile, TenantRow};
use crate::audit;
use crate::domain::{InvalidInput, Slug};

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("no pizzeria {0:?}")]
    Unknown(String),
    /// The action does not apply to the pizzeria's current status.
    #[error("the pizzeria is {status}: {action} does not apply")]
    WrongStatus {
        status: String,
        action: &'static str,
    },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PlatformError {
    fn from(err: sqlx::Error) -> Self {
        PlatformError::Unexpected(anyhow::Error::new(err).context("database"))
    }
}

/// The fields of a profile change; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct ProfileChange {
    pub name: Option<String>,
    pub address_line: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub timezone: Option<String>,
}

pub async fn find(conn: &mut PgConnection, slug: &str) -> Result<TenantRow, PlatformError> {
    let parsed = Slug::parse(slug).map_err(|_| PlatformError::Unknown(slug.to_string()))?;
    store::find_by_slug(conn, &parsed)
        .await?
        .ok_or_else(|| PlatformError::Unknown(slug.to_string()))
}

fn snapshot(row: &TenantRow) -> serde_json::Value {
    serde_json::json!({
        "name": row.name, "address_line": row.address_line, "postcode": row.postcode,
        "city": row.city, "phone": row.phone, "latitude": row.latitude,
        "longitude": row.longitude, "timezone": row.timezone, "status": row.status,
    })
}

pub(crate) async fn update_profile(
    conn: &mut PgConnection,
    actor: Uuid,
    slug: &str,
    change: ProfileChange,
) -> Result<TenantRow, PlatformError> {
    let before = find(conn, slug).await?;
    let pick = |new: Option<String>, old: &str| {
        new.map_or_else(|| old.to_string(), |v| v.trim().to_string())
    };
    let name = pick(change.name, &before.name);
    let timezone = pick(change.timezone, &before.timezone);
    let latitude = change.latitude.or(before.latitude);
    let longitude = change.longitude.or(before.longitude);
    check_profile(&name, &timezone, latitude, longitude)?;
    let address_line = pick(change.address_line, &before.address_line);
    let postcode = pick(change.postcode, &before.postcode);
    let city = pick(change.city, &before.city);
    let phone = pick(change.phone, &before.phone);
    let profile = Profile {
        name: &name,
        address_line: &address_line,
        postcode: &postcode,
        city: &city,
        phone: &phone,
        latitude,
        longitude,
        timezone: &timezone,
    };
    store::update_profile(conn, before.id, &profile).await?;
    let after = find(conn, slug).await?;
    audit::platform(
        conn,
        Some(actor),
        "tenant.update",
        slug,
        serde_json::json!({ "before": snapshot(&before), "after": snapshot(&after) }),
    )
    .await?;
    Ok(after)
}

async fn change_status(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    slug: &str,
    action: &'static str,
    allowed_from: &[&str],
    to: (&str, Option<DateTime<Utc>>, Option<&str>),
    details: serde_json::Value,
) -> Result<TenantRow, PlatformError> {
    let before = find(conn, slug).await?;
    if !allowed_from.contains(&before.status.as_str()) {
        return Err(PlatformError::WrongStatus {
            status: before.status,
            action,
        });
    }
    store::set_status(conn, before.id, to.0, to.1, to.2).await?;
    let after = find(conn, slug).await?;
    let mut details = details;
    details["before"] = before.status.into();
    details["after"] = after.status.clone().into();
    audit::platform(conn, actor, action, slug, details).await?;
    Ok(after)
}

/// Closes a pizzeria to customers and staff; its data and staff stay.
pub async fn suspend(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    slug: &str,
    reason: &str,
) -> Result<TenantRow, PlatformError> {
    let details = serde_json::json!({ "reason": reason.trim() });
    change_status(
        conn,
        actor,
        slug,
        "tenant.suspend",
        &["active"],
        ("suspended", None, None),
        details,
    )
    .await
}

/// Opens a suspended pizzeria again, or calls off an offboarding before its deletion.
pub async fn resume(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    slug: &str,
) -> Result<TenantRow, PlatformError> {
    let details = serde_json::json!({});
    change_status(
        conn,
        actor,
        slug,
        "tenant.resume",
        &["suspended", "offboarding"],
        ("active", None, None),
        details,
    )
    .await
}

/// Marks a pizzeria for deletion after `delete_after`, its export having been written to
/// `export`. Closed to everyone meanwhile.
pub async fn offboard(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    slug: &str,
    delete_after: DateTime<Utc>,
    export: &str,
) -> Result<TenantRow, PlatformError> {
    let details = serde_json::json!({ "delete_after": delete_after, "export": export });
    change_status(
        conn,
        actor,
        slug,
        "tenant.offboard",
        &["active", "suspended"],
        ("offboarding", Some(delete_after), Some(export)),
        details,
    )
    .await
}
