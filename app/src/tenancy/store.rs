//! SQL of the global `tenants` table.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::Slug;

#[derive(Clone)]
pub struct TenantRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub timezone: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewTenant<'a> {
    pub slug: &'a Slug,
    pub name: &'a str,
    pub address_line: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub phone: &'a str,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub timezone: &'a str,
}

pub async fn find_by_slug(
    conn: &mut PgConnection,
    slug: &Slug,
) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT id, slug, name, address_line, postcode, city, phone, latitude, longitude,
                  timezone, status, created_at
           FROM tenants WHERE slug = $1"#,
        slug.as_str()
    )
    .fetch_optional(conn)
    .await
}

/// Every pizzeria, by name.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT id, slug, name, address_line, postcode, city, phone, latitude, longitude,
                  timezone, status, created_at
           FROM tenants ORDER BY name, slug"#
    )
    .fetch_all(conn)
    .await
}

/// Inserts a pizzeria; `None` when the slug is taken. Needs the owner role (admin path).
pub async fn insert(
    conn: &mut PgConnection,
    new: &NewTenant<'_>,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO tenants (id, slug, name, address_line, postcode, city, phone, latitude, longitude, timezone)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (slug) DO NOTHING
           RETURNING id"#,
        Uuid::now_v7(),
        new.slug.as_str(),
        new.name,
        new.address_line,
        new.postcode,
        new.city,
        new.phone,
        new.latitude,
        new.longitude,
        new.timezone
    )
    .fetch_optional(conn)
    .await
}
