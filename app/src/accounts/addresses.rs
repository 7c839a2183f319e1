//! A signed-in customer's saved delivery addresses (global table, RLS by `app.user_id`).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub struct AddressRow {
    pub id: Uuid,
    pub label: String,
    pub line: String,
    pub postcode: String,
    pub city: String,
    pub instructions: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: DateTime<Utc>,
}

pub struct NewAddress<'a> {
    pub label: &'a str,
    pub line: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub instructions: &'a str,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// A customer keeps at most this many addresses.
pub const MAX_ADDRESSES: i64 = 20;

pub async fn list(conn: &mut PgConnection, user_id: Uuid) -> Result<Vec<AddressRow>, sqlx::Error> {
    sqlx::query_as!(
        AddressRow,
        r#"SELECT id, label, line, postcode, city, instructions, latitude, longitude, created_at
           FROM customer_addresses WHERE user_id = $1 ORDER BY created_at"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

pub async fn find(
    conn: &mut PgConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<AddressRow>, sqlx::Error> {
    sqlx::query_as!(
        AddressRow,
        r#"SELECT id, label, line, postcode, city, instructions, latitude, longitude, created_at
           FROM customer_addresses WHERE user_id = $1 AND id = $2"#,
        user_id,
        id
    )
    .fetch_optional(conn)
    .await
}

pub async fn count(conn: &mut PgConnection, user_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM customer_addresses WHERE user_id = $1"#,
        user_id
    )
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut PgConnection,
    user_id: Uuid,
    a: &NewAddress<'_>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"INSERT INTO customer_addresses (id, user_id, label, line, postcode, city, instructions, latitude, longitude)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        id,
        user_id,
        a.label,
        a.line,
        a.postcode,
        a.city,
        a.instructions,
        a.latitude,
        a.longitude
    )
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn delete(conn: &mut PgConnection, user_id: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM customer_addresses WHERE user_id = $1 AND id = $2",
        user_id,
        id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
