//! What a stream sends: its events (`LiveEvent`) made from the live items, with the arrival
//! estimate of a driver's position on an order's stream.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

use crate::config::DeliveryConfig;
use crate::domain::delivery::Position;
use crate::realtime::stream::Item;

/// One event of a stream. `type` is `order` (with `id`: resume with `Last-Event-ID`),
/// `position` (the driver's, on an order's stream while it is out for delivery) or `closed`
/// (the last one: the subscriber may no longer see the stream, after a change of role, a
/// removal or the pizzeria's suspension; reconnecting is refused).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LiveEvent {
    #[oai(rename = "type")]
    pub(super) kind: String,
    pub(super) id: Option<i64>,
    /// Absent on `closed`.
    order_id: Option<Uuid>,
    number: Option<i32>,
    /// For `order`: `status`, `modified` or `assigned`.
    event: Option<String>,
    from: Option<String>,
    to: Option<String>,
    role: Option<String>,
    at: DateTime<Utc>,
    fulfilment: Option<String>,
    driver_id: Option<Uuid>,
    estimated_at: Option<DateTime<Utc>>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    accuracy_m: Option<f64>,
    /// For `position`: estimated arrival from the driver's position.
    estimated_arrival: Option<DateTime<Utc>>,
}

/// Where an order's stream is going: the address's coordinates when known, and the time
/// promised, the arrival estimate when a position cannot give a better one (as `/delivery`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Destination {
    pub(super) coordinates: Option<(f64, f64)>,
    pub(super) promised: DateTime<Utc>,
}

pub(super) fn live_event(
    item: Item,
    delivery: &DeliveryConfig,
    to: Option<Destination>,
) -> LiveEvent {
    let blank = |kind: &str, order_id: Option<Uuid>, at| LiveEvent {
        kind: kind.into(),
        id: None,
        order_id,
        number: None,
        event: None,
        from: None,
        to: None,
        role: None,
        at,
        fulfilment: None,
        driver_id: None,
        estimated_at: None,
        latitude: None,
        longitude: None,
        accuracy_m: None,
        estimated_arrival: None,
    };
    match item {
        Item::Revoked => blank("closed", None, Utc::now()),
        Item::Order(n) => LiveEvent {
            id: Some(n.id),
            number: Some(n.number),
            event: Some(n.kind),
            from: n.from.map(|s| s.to_string()),
            to: Some(n.to.to_string()),
            role: Some(n.role),
            fulfilment: Some(n.fulfilment.to_string()),
            driver_id: n.driver,
            estimated_at: Some(n.estimated_at),
            ..blank("order", Some(n.order), n.at)
        },
        Item::Position(p) => {
            let position = Position {
                latitude: p.latitude,
                longitude: p.longitude,
                accuracy_m: p.accuracy_m,
                at: p.at,
            };
            LiveEvent {
                latitude: Some(p.latitude),
                longitude: Some(p.longitude),
                accuracy_m: Some(p.accuracy_m),
                estimated_arrival: to.map(|to| match to.coordinates {
                    Some(at) => crate::domain::delivery::arrival(
                        &position,
                        at,
                        delivery.speed_kmh,
                        delivery.handover_minutes,
                    ),
                    None => to.promised,
                }),
                ..blank("position", Some(p.order), p.at)
            }
        }
    }
}
