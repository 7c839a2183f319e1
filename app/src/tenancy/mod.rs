//! Pizzerias (tenants) and who works in them. A tenant is resolved from the URL slug once per
//! request; everything after that runs in a transaction scoped to it (`db::begin_tenant`).

pub mod invitations;
pub mod memberships;
pub mod platform;
pub mod staff;
pub mod store;

use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::{InvalidInput, Slug};

pub use store::TenantRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantStatus {
    Active,
    Suspended,
    /// Closed for good: its data is deleted after the grace period.
    Offboarding,
}

impl TenantStatus {
    pub const ALL: [TenantStatus; 3] = [
        TenantStatus::Active,
        TenantStatus::Suspended,
        TenantStatus::Offboarding,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
            TenantStatus::Offboarding => "offboarding",
        }
    }
}

impl std::str::FromStr for TenantStatus {
    type Err = crate::domain::InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                crate::domain::InvalidInput::new(
                    "status",
                    "must be active, suspended or offboarding",
                )
            })
    }
}

/// A pizzeria as the request path sees it.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub timezone: chrono_tz::Tz,
    pub status: TenantStatus,
}

#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    #[error("no pizzeria {0:?}")]
    UnknownPizzeria(String),
    #[error("pizzeria {0:?} is suspended")]
    Suspended(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl TryFrom<TenantRow> for Tenant {
    type Error = anyhow::Error;

    fn try_from(row: TenantRow) -> Result<Self, Self::Error> {
        let timezone = row.timezone.parse().map_err(|e| {
            anyhow::anyhow!(
                "tenant {} has an invalid timezone {:?}: {e}",
                row.slug,
                row.timezone
            )
        })?;
        let status: TenantStatus = row.status.parse().map_err(|_| {
            anyhow::anyhow!("tenant {} has an unknown status {:?}", row.slug, row.status)
        })?;
        Ok(Tenant {
            id: row.id,
            slug: row.slug,
            name: row.name,
            timezone,
            status,
        })
    }
}

/// The pizzeria of a URL, refused when unknown (404) or suspended (closed to everyone).
pub(crate) async fn resolve(pool: &PgPool, slug: &str) -> Result<Tenant, TenancyError> {
    let tenant = find(pool, slug).await?;
    open_to_public(&tenant.slug, tenant.status)?;
    Ok(tenant)
}

/// Refuses a pizzeria that is suspended or being offboarded.
pub(crate) fn open_to_public(slug: &str, status: TenantStatus) -> Result<(), TenancyError> {
    if status == TenantStatus::Active {
        Ok(())
    } else {
        Err(TenancyError::Suspended(slug.to_string()))
    }
}

/// The pizzeria of a URL whatever its status.
pub async fn find(pool: &PgPool, slug: &str) -> Result<Tenant, TenancyError> {
    let unknown = || TenancyError::UnknownPizzeria(slug.to_string());
    let slug = Slug::parse(slug).map_err(|_| unknown())?;
    let mut conn = pool.acquire().await.context("acquiring a connection")?;
    let row = store::find_by_slug(&mut conn, &slug)
        .await
        .context("finding a pizzeria")?
        .ok_or_else(unknown)?;
    Ok(Tenant::try_from(row)?)
}

/// The rules of a pizzeria's profile: a name of 1 to 120 characters, an IANA timezone,
/// coordinates on Earth.
pub(crate) fn check_profile(
    name: &str,
    timezone: &str,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Result<(), InvalidInput> {
    if name.is_empty() || name.chars().count() > 120 {
        return Err(InvalidInput::new("name", "must have 1 to 120 characters"));
    }
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        return Err(InvalidInput::new(
            "timezone",
            "must be an IANA timezone such as Europe/Paris",
        ));
    }
    if latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
        || longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l))
    {
        return Err(InvalidInput::new(
            "coordinates",
            "latitude must be within ±90 and longitude within ±180",
        ));
    }
    Ok(())
}
