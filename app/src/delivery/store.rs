//! SQL of drivers' positions (run in a tenant transaction).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::delivery::Position;

pub async fn insert(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
    customer_id: Option<Uuid>,
    driver: Uuid,
    p: &Position,
) -> Result<(), sqlx::Error> {
    #[allow(clippy::cast_possible_truncation)]
    let accuracy = p.accuracy_m as f32;
    sqlx::query!(
        r#"INSERT INTO delivery_positions (tenant_id, order_id, customer_id, driver_id, latitude, longitude, accuracy_m, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        tenant_id,
        order_id,
        customer_id,
        driver,
        p.latitude,
        p.longitude,
        accuracy,
        p.at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn latest(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
) -> Result<Option<Position>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT latitude, longitude, accuracy_m, recorded_at FROM delivery_positions
           WHERE tenant_id = $1 AND order_id = $2 ORDER BY recorded_at DESC, id DESC LIMIT 1"#,
        tenant_id,
        order_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Position {
        latitude: r.latitude,
        longitude: r.longitude,
        accuracy_m: f64::from(r.accuracy_m),
        at: r.recorded_at,
    }))
}

/// The trail of a delivery, oldest first.
pub async fn trail(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
) -> Result<Vec<Position>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT latitude, longitude, accuracy_m, recorded_at FROM delivery_positions
           WHERE tenant_id = $1 AND order_id = $2 ORDER BY recorded_at, id"#,
        tenant_id,
        order_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Position {
            latitude: r.latitude,
            longitude: r.longitude,
            accuracy_m: f64::from(r.accuracy_m),
            at: r.recorded_at,
        })
        .collect())
}
