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
    pub offboard_after: Option<DateTime<Utc>>,
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
                  timezone, status, created_at, offboard_after
           FROM tenants WHERE slug = $1"#,
        slug.as_str()
    )
    .fetch_optional(conn)
    .await
}

pub(crate) async fn find_by_id(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT id, slug, name, address_line, postcode, city, phone, latitude, longitude,
                  timezone, status, created_at, offboard_after
           FROM tenants WHERE id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Every pizzeria, by name.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        r#"SELECT id, slug, name, address_line, postcode, city, phone, latitude, longitude,
                  timezone, status, created_at, offboard_after
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

/// An `ILIKE` pattern matching text that contains `q` as written: its `%`, `_` and `\\` are
/// escaped, not wildcards (`q=%` finds a literal percent sign, not every pizzeria).
fn contains_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// One page of pizzerias, by name, optionally of one status and matching `q` (slug, name, city).
pub async fn page(
    conn: &mut PgConnection,
    status: Option<&str>,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TenantRow>, i64), sqlx::Error> {
    let pattern = q.map(contains_pattern);
    let rows = sqlx::query_as!(
        TenantRow,
        r#"SELECT id, slug, name, address_line, postcode, city, phone, latitude, longitude,
                  timezone, status, created_at, offboard_after
           FROM tenants
           WHERE ($1::text IS NULL OR status = $1)
             AND ($2::text IS NULL OR slug ILIKE $2 OR name ILIKE $2 OR city ILIKE $2)
           ORDER BY name, slug LIMIT $3 OFFSET $4"#,
        status,
        pattern,
        limit,
        offset
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM tenants
           WHERE ($1::text IS NULL OR status = $1)
             AND ($2::text IS NULL OR slug ILIKE $2 OR name ILIKE $2 OR city ILIKE $2)"#,
        status,
        pattern
    )
    .fetch_one(conn)
    .await?;
    Ok((rows, total))
}

/// What a platform administrator may change about a pizzeria (not its slug: it is in URLs).
pub struct Profile<'a> {
    pub name: &'a str,
    pub address_line: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub phone: &'a str,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub timezone: &'a str,
}

pub(crate) async fn update_profile(
    conn: &mut PgConnection,
    id: Uuid,
    p: &Profile<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE tenants SET name = $2, address_line = $3, postcode = $4, city = $5, phone = $6,
               latitude = $7, longitude = $8, timezone = $9, updated_at = now()
           WHERE id = $1"#,
        id,
        p.name,
        p.address_line,
        p.postcode,
        p.city,
        p.phone,
        p.latitude,
        p.longitude,
        p.timezone
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the status; `offboard_after` and `export` go with `offboarding` only.
pub(crate) async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    offboard_after: Option<DateTime<Utc>>,
    export: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE tenants SET status = $2, offboard_after = $3, offboard_export = $4, updated_at = now()
           WHERE id = $1"#,
        id,
        status,
        offboard_after,
        export
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Pizzerias whose offboarding grace period is over: (id, slug).
pub async fn offboarded(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT id, slug FROM tenants WHERE status = 'offboarding' AND offboard_after <= now() ORDER BY offboard_after"
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.slug)).collect())
}

/// Deletes everything a pizzeria owns, then the pizzeria (owner role).
pub async fn purge(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT purge_tenant($1)", id)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn wildcards_in_a_search_are_literal() {
        assert_eq!(contains_pattern("paris"), "%paris%");
        assert_eq!(contains_pattern("%"), r"%\%%");
        assert_eq!(contains_pattern("a_b"), r"%a\_b%");
        assert_eq!(contains_pattern(r"a\b"), r"%a\\b%");
    }
}
