//! Real time: every order event and driver position is NOTIFYed by the database on commit;
//! each app instance LISTENs ([`listener`]) and fans the notices out to its own subscribers
//! through a bounded broadcast ([`Hub`]); each SSE connection filters, replays what it missed
//! from `order_events` and stays live ([`stream`]). Any replica serves any client.

pub mod limits;
pub mod listener;
pub mod stream;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::domain::lifecycle::Status;
use crate::domain::order::Fulfilment;

/// An order event as announced (and as replayed from the table).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct OrderNotice {
    pub id: i64,
    pub tenant: Uuid,
    pub order: Uuid,
    pub customer: Option<Uuid>,
    /// `status`, `modified` or `assigned`.
    pub kind: String,
    pub from: Option<Status>,
    pub to: Status,
    pub role: String,
    pub at: DateTime<Utc>,
    pub number: i32,
    pub fulfilment: Fulfilment,
    pub driver: Option<Uuid>,
    pub estimated_at: DateTime<Utc>,
}

/// A driver's position as announced.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct PositionNotice {
    pub tenant: Uuid,
    pub order: Uuid,
    pub customer: Option<Uuid>,
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: f64,
    pub at: DateTime<Utc>,
}

/// A pizzeria's staff or status changed (`user`: whose membership, none for the status): open
/// streams of the pizzeria re-check their subscriber.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct AccessNotice {
    /// The pizzeria whose staff or status changed; none when a person's sessions ended.
    pub tenant: Option<Uuid>,
    pub user: Option<Uuid>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Notice {
    Order(OrderNotice),
    Position(PositionNotice),
    Access(AccessNotice),
    /// The listener lost its connection: notices may have been missed, re-read from the table.
    #[serde(skip)]
    Resync,
    /// The instance is shutting down: streams end so clients reconnect to another one.
    #[serde(skip)]
    Closing,
}

/// The kinds of event streams, for the live-connection counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Order,
    Kitchen,
    Driver,
}

/// Live connections per stream kind (to be exposed by the metrics endpoint).
#[derive(Debug, Default)]
pub struct LiveConnections {
    order: AtomicI64,
    kitchen: AtomicI64,
    driver: AtomicI64,
}

impl LiveConnections {
    fn counter(&self, kind: StreamKind) -> &AtomicI64 {
        match kind {
            StreamKind::Order => &self.order,
            StreamKind::Kitchen => &self.kitchen,
            StreamKind::Driver => &self.driver,
        }
    }

    pub fn get(&self, kind: StreamKind) -> i64 {
        self.counter(kind).load(Ordering::Relaxed)
    }
}

/// Counts a connection while it lives.
pub struct LiveGuard {
    hub: Arc<Hub>,
    kind: StreamKind,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.hub
            .live
            .counter(self.kind)
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// One per app instance: the broadcast every connection subscribes to.
pub struct Hub {
    sender: broadcast::Sender<Arc<Notice>>,
    pub live: LiveConnections,
}

impl Hub {
    /// `buffer`: how many notices a connection may fall behind before it is dropped.
    pub fn new(buffer: usize) -> Arc<Self> {
        let (sender, _) = broadcast::channel(buffer.max(16));
        Arc::new(Self {
            sender,
            live: LiveConnections::default(),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Notice>> {
        self.sender.subscribe()
    }

    pub(crate) fn publish(&self, notice: Notice) {
        // No subscriber is not an error.
        let _ = self.sender.send(Arc::new(notice));
    }

    pub fn track(self: &Arc<Self>, kind: StreamKind) -> LiveGuard {
        self.live.counter(kind).fetch_add(1, Ordering::Relaxed);
        LiveGuard {
            hub: Arc::clone(self),
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_parse_from_the_database_payloads() {
        let order = r#"{"type":"order","id":7,"tenant":"0194b0c2-0000-7000-8000-000000000001","order":"0194b0c2-0000-7000-8000-000000000002","customer":null,"kind":"status","from":"received","to":"preparing","role":"pizzaiolo","at":"2026-11-23T18:00:00.123456+00:00","number":3,"fulfilment":"delivery","driver":null,"estimated_at":"2026-11-23T18:40:00+00:00"}"#;
        let Notice::Order(n) = serde_json::from_str(order).unwrap() else {
            panic!("not an order notice")
        };
        assert_eq!((n.id, n.to.as_str(), n.number), (7, "preparing", 3));
        let position = r#"{"type":"position","tenant":"0194b0c2-0000-7000-8000-000000000001","order":"0194b0c2-0000-7000-8000-000000000002","customer":null,"latitude":48.85,"longitude":2.37,"accuracy_m":12.5,"at":"2026-11-23T18:30:00+00:00"}"#;
        assert!(matches!(
            serde_json::from_str::<Notice>(position).unwrap(),
            Notice::Position(_)
        ));
        // migration `access_notice`: a membership (with its user) or the pizzeria's status.
        let access =
            r#"{"type":"access","tenant":"0194b0c2-0000-7000-8000-000000000001","user":null}"#;
        let Notice::Access(a) = serde_json::from_str(access).unwrap() else {
            panic!("not an access notice")
        };
        assert_eq!(a.user, None);
        assert!(a.tenant.is_some());
        // migration `session_notice`: a person's session ended, in no pizzeria in particular.
        let ended =
            r#"{"type":"access","tenant":null,"user":"0194b0c2-0000-7000-8000-000000000003"}"#;
        let Notice::Access(a) = serde_json::from_str(ended).unwrap() else {
            panic!("not an access notice")
        };
        assert_eq!((a.tenant, a.user.is_some()), (None, true));
    }

    #[test]
    fn live_connections_are_counted_while_they_live() {
        let hub = Hub::new(16);
        let a = hub.track(StreamKind::Kitchen);
        let b = hub.track(StreamKind::Kitchen);
        assert_eq!(hub.live.get(StreamKind::Kitchen), 2);
        drop(a);
        assert_eq!(hub.live.get(StreamKind::Kitchen), 1);
        drop(b);
        assert_eq!(hub.live.get(StreamKind::Order), 0);
    }
}
