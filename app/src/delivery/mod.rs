//! Deliveries: assigning a ready order to a driver, the driver's positions while out for
//! delivery, and what the customer sees (position and estimated arrival, only for their own
//! order and only while it is on its way). Positions are deleted when the order arrives or
//! comes back (`orders::transitions`).

pub mod store;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::config::DeliveryConfig;
use crate::db::locks::Held;
use crate::db::{self, retry};
use crate::domain::Role;
use crate::domain::delivery::{self, Position};
use crate::domain::lifecycle::Status;
use crate::orders::{OrderError, store as orders};
use crate::tenancy::memberships;

/// Gives a ready delivery order to a driver of the pizzeria (a manager's decision).
pub async fn assign(
    pool: &PgPool,
    tenant_id: Uuid,
    order_id: Uuid,
    driver_id: Uuid,
    by: Uuid,
    by_role: Role,
) -> Result<(), OrderError> {
    retry::retrying("assigning a driver", || async move {
        let mut tx = db::begin_tenant(pool, tenant_id).await?;
        assign_in(&mut tx, tenant_id, order_id, driver_id, by, by_role).await?;
        Ok(tx.commit().await?)
    })
    .await
}

/// The assignment in the caller's transaction.
async fn assign_in(
    tx: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
    driver_id: Uuid,
    by: Uuid,
    by_role: Role,
) -> Result<(), OrderError> {
    let mut held = Held::default();
    let order = orders::lock(tx, &mut held, tenant_id, order_id)
        .await?
        .ok_or(OrderError::NotFound)?;
    let (status, fulfilment) = (order.status, order.fulfilment);
    if status != Status::Ready || fulfilment != crate::domain::order::Fulfilment::Delivery {
        return Err(OrderError::InvalidTransition {
            status,
            allowed_next: crate::domain::lifecycle::allowed_next(status, fulfilment),
        });
    }
    let roles = memberships::roles(tx, tenant_id, driver_id).await?;
    if !roles.contains(&Role::Driver) {
        return Err(crate::domain::InvalidInput::new(
            "driver_id",
            "is not a driver of this pizzeria",
        )
        .into());
    }
    orders::set_driver(tx, tenant_id, order_id, driver_id).await?;
    let event = orders::NewEvent {
        kind: "assigned",
        order_id,
        customer_id: order.customer_id,
        from: Some(status),
        to: status,
        actor: Some(by),
        role: by_role.as_str(),
        reason: "assigned to a driver",
    };
    orders::insert_event(tx, &mut held, tenant_id, &event).await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum PositionError {
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error("the order is {0:?}, not out for delivery")]
    NotOnTheWay(Status),
}

/// Records a position of the order's driver; returns the new arrival estimate, if the order
/// has coordinates.
pub(crate) async fn record_position(
    pool: &PgPool,
    config: &DeliveryConfig,
    tenant_id: Uuid,
    order_id: Uuid,
    driver: Uuid,
    position: &Position,
) -> Result<Option<DateTime<Utc>>, PositionError> {
    let mut tx = db::begin_tenant(pool, tenant_id)
        .await
        .map_err(OrderError::from)?;
    let order = orders::find(&mut tx, tenant_id, order_id)
        .await
        .map_err(OrderError::from)?
        .ok_or(OrderError::NotFound)?;
    let status = order.status;
    if status != Status::OutForDelivery {
        return Err(PositionError::NotOnTheWay(status));
    }
    if order.driver_id != Some(driver) {
        return Err(OrderError::Forbidden("only the order's driver reports its position").into());
    }
    store::insert(
        &mut tx,
        tenant_id,
        order_id,
        order.customer_id,
        driver,
        position,
    )
    .await
    .context("storing a position")
    .map_err(OrderError::from)?;
    tx.commit().await.map_err(OrderError::from)?;
    Ok(eta(config, &order, position))
}

/// Arrival estimate from a position, when the order's address has coordinates.
pub(crate) fn eta(
    config: &DeliveryConfig,
    order: &orders::OrderRow,
    from: &Position,
) -> Option<DateTime<Utc>> {
    let to = (order.delivery_lat?, order.delivery_lon?);
    Some(delivery::arrival(
        from,
        to,
        config.speed_kmh,
        config.handover_minutes,
    ))
}

/// What a customer may see of the delivery: the latest position while out for delivery.
pub struct Tracking {
    pub status: Status,
    pub driver_position: Option<Position>,
    pub estimated_arrival: DateTime<Utc>,
}

pub async fn tracking(
    pool: &PgPool,
    config: &DeliveryConfig,
    tenant_id: Uuid,
    order: &orders::OrderRow,
) -> Result<Tracking, OrderError> {
    let status = order.status;
    let position = if status == Status::OutForDelivery {
        let mut tx = db::begin_tenant(pool, tenant_id).await?;
        let p = store::latest(&mut tx, tenant_id, order.id).await?;
        tx.commit().await?;
        p
    } else {
        None
    };
    // Delivered: when it arrived, not an estimate any more.
    let estimated_arrival = match (status, order.delivered_at) {
        (Status::Delivered, Some(at)) => at,
        _ => position
            .as_ref()
            .and_then(|p| eta(config, order, p))
            .unwrap_or(order.estimated_at),
    };
    Ok(Tracking {
        status,
        driver_position: position,
        estimated_arrival,
    })
}
