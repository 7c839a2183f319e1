//! One subscriber's stream: what it may see ([`Scope`]), what it missed (replayed from
//! `order_events` after its `Last-Event-ID`), then live notices, each event once, in id order.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::Stream;
use futures_util::future::BoxFuture;
use sqlx::PgPool;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{AccessNotice, Hub, LiveGuard, Notice, OrderNotice, PositionNotice, StreamKind};
use crate::db;
use crate::domain::lifecycle::Status;
use crate::domain::order::Fulfilment;

/// What a connection follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One order: its events and its driver's positions.
    Order { tenant: Uuid, order: Uuid },
    /// A pizzeria's kitchen and counter: every order event.
    Kitchen { tenant: Uuid },
    /// A driver's runs: delivery orders becoming ready, assignments, their own deliveries.
    Driver { tenant: Uuid, driver: Uuid },
}

pub enum Item {
    Order(OrderNotice),
    Position(PositionNotice),
    /// The subscriber may no longer see this stream: the last item before it ends.
    Revoked,
}

/// Whether the subscriber may still see the stream, asked again whenever the pizzeria's staff
/// or status changes, or the subscriber's sessions end (the same checks as when it was opened).
pub type Recheck = Arc<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>;

/// Who follows a stream (none for a tracking link) and how to ask again whether they may.
pub struct Access {
    pub subscriber: Option<Uuid>,
    pub recheck: Recheck,
}

impl Access {
    /// Whether an access notice may concern this stream: its pizzeria's, or the end of its
    /// subscriber's sessions.
    fn concerned_by(&self, notice: &AccessNotice, tenant: Uuid) -> bool {
        match notice.tenant {
            Some(t) => t == tenant,
            None => notice.user.is_some() && notice.user == self.subscriber,
        }
    }
}

/// Delivery statuses a driver's stream shows.
const DRIVER_STATUSES: [Status; 5] = [
    Status::Ready,
    Status::OutForDelivery,
    Status::Delivered,
    Status::Returned,
    Status::Cancelled,
];

impl Scope {
    pub fn tenant(&self) -> Uuid {
        match self {
            Scope::Order { tenant, .. }
            | Scope::Kitchen { tenant }
            | Scope::Driver { tenant, .. } => *tenant,
        }
    }

    pub fn kind(&self) -> StreamKind {
        match self {
            Scope::Order { .. } => StreamKind::Order,
            Scope::Kitchen { .. } => StreamKind::Kitchen,
            Scope::Driver { .. } => StreamKind::Driver,
        }
    }

    pub(crate) fn wants_order(&self, n: &OrderNotice) -> bool {
        match self {
            Scope::Order { tenant, order } => n.tenant == *tenant && n.order == *order,
            Scope::Kitchen { tenant } => n.tenant == *tenant,
            Scope::Driver { tenant, driver } => {
                n.tenant == *tenant
                    && n.fulfilment == Fulfilment::Delivery
                    && (n.kind == "assigned" || DRIVER_STATUSES.contains(&n.to))
                    && n.driver
                        .is_none_or(|d| d == *driver || n.to == Status::Ready)
            }
        }
    }

    pub(crate) fn wants_position(&self, p: &PositionNotice) -> bool {
        matches!(self, Scope::Order { tenant, order } if p.tenant == *tenant && p.order == *order)
    }
}

/// Events after `after` that the scope shows, oldest first (at most 1000: a client further
/// behind refetches the current state).
pub async fn replay(
    pool: &PgPool,
    scope: Scope,
    after: i64,
) -> Result<Vec<OrderNotice>, sqlx::Error> {
    let order = match scope {
        Scope::Order { order, .. } => Some(order),
        _ => None,
    };
    let mut tx = db::begin_tenant(pool, scope.tenant()).await?;
    // The same JSON the NOTIFY trigger sends (migration `order_notice`).
    let rows = sqlx::query_scalar!(
        r#"SELECT order_event_notice(e) AS "notice!" FROM order_events e
           WHERE e.tenant_id = $1 AND e.id > $2 AND ($3::uuid IS NULL OR e.order_id = $3)
           ORDER BY e.id LIMIT 1000"#,
        scope.tenant(),
        after,
        order
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let notices = rows
        .into_iter()
        .map(serde_json::from_value::<OrderNotice>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(notices
        .into_iter()
        .filter(|n| scope.wants_order(n))
        .collect())
}

/// The id of the pizzeria's latest event: where a fresh connection starts.
pub(crate) async fn latest_id(pool: &PgPool, tenant: Uuid) -> Result<i64, sqlx::Error> {
    let mut tx = db::begin_tenant(pool, tenant).await?;
    let id = sqlx::query_scalar!(
        r#"SELECT coalesce(max(id), 0)::bigint AS "id!" FROM order_events WHERE tenant_id = $1"#,
        tenant
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

struct State {
    pool: PgPool,
    scope: Scope,
    rx: Receiver<Arc<Notice>>,
    pending: VecDeque<Item>,
    /// The last event id sent (or the starting point): nothing at or below it is sent again.
    last: i64,
    access: Access,
    revoked: bool,
    _guard: LiveGuard,
}

impl State {
    async fn catch_up(&mut self) -> Result<(), sqlx::Error> {
        for n in replay(&self.pool, self.scope, self.last).await? {
            self.last = self.last.max(n.id);
            self.pending.push_back(Item::Order(n));
        }
        Ok(())
    }

    async fn next(&mut self) -> Option<Item> {
        if self.revoked {
            return None;
        }
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            match self.rx.recv().await {
                Ok(notice) => match notice.as_ref() {
                    Notice::Order(n) if n.id > self.last && self.scope.wants_order(n) => {
                        self.last = n.id;
                        return Some(Item::Order(n.clone()));
                    }
                    Notice::Position(p) if self.scope.wants_position(p) => {
                        return Some(Item::Position(p.clone()));
                    }
                    // The staff or the pizzeria's status changed: is the subscriber still in?
                    Notice::Access(a)
                        if self.access.concerned_by(a, self.scope.tenant())
                            && !(self.access.recheck)().await =>
                    {
                        tracing::info!(tenant = ?a.tenant, user = ?a.user, "stream closed: access revoked");
                        self.revoked = true;
                        return Some(Item::Revoked);
                    }
                    Notice::Closing => return None,
                    Notice::Resync => {
                        if let Err(err) = self.catch_up().await {
                            tracing::warn!(error = %err, "stream could not catch up; closing it");
                            return None;
                        }
                    }
                    _ => {}
                },
                // Too slow: drop the connection rather than slow everyone; it reconnects with
                // Last-Event-ID and replays.
                Err(RecvError::Lagged(missed)) => {
                    tracing::info!(missed, "slow event stream dropped");
                    return None;
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// Opens a stream: subscribes, then replays what came after `last_event_id` (or after the
/// pizzeria's latest event for a fresh connection), then follows live notices.
pub async fn open(
    pool: PgPool,
    hub: &Arc<Hub>,
    scope: Scope,
    last_event_id: Option<i64>,
    access: Access,
) -> Result<impl Stream<Item = Item> + Send + 'static, sqlx::Error> {
    // The starting point is read before subscribing, and the replay after: an event committed
    // in between is in both and sent once (ids only grow, per pizzeria, in commit order).
    let last = match last_event_id {
        Some(id) => id,
        None => latest_id(&pool, scope.tenant()).await?,
    };
    let rx = hub.subscribe();
    let mut state = State {
        pool,
        scope,
        rx,
        pending: VecDeque::new(),
        last,
        access,
        revoked: false,
        _guard: hub.track(scope.kind()),
    };
    state.catch_up().await?;
    Ok(futures_util::stream::unfold(state, |mut s| async move {
        s.next().await.map(|item| (item, s))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(to: &str, fulfilment: &str, kind: &str, driver: Option<Uuid>) -> OrderNotice {
        OrderNotice {
            id: 1,
            tenant: Uuid::nil(),
            order: Uuid::nil(),
            customer: None,
            kind: kind.into(),
            from: None,
            to: to.parse().unwrap(),
            role: "x".into(),
            at: chrono::Utc::now(),
            number: 1,
            fulfilment: fulfilment.parse().unwrap(),
            driver,
            estimated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn scopes_filter_what_they_show() {
        let me = Uuid::new_v4();
        let other = Uuid::new_v4();
        let driver = Scope::Driver {
            tenant: Uuid::nil(),
            driver: me,
        };
        assert!(
            driver.wants_order(&notice("ready", "delivery", "status", None)),
            "ready for delivery: anyone may take it"
        );
        assert!(!driver.wants_order(&notice("ready", "takeaway", "status", None)));
        assert!(!driver.wants_order(&notice("preparing", "delivery", "status", None)));
        assert!(driver.wants_order(&notice("ready", "delivery", "assigned", Some(me))));
        assert!(
            !driver.wants_order(&notice(
                "out_for_delivery",
                "delivery",
                "status",
                Some(other)
            )),
            "another driver's run"
        );
        let kitchen = Scope::Kitchen {
            tenant: Uuid::nil(),
        };
        assert!(kitchen.wants_order(&notice("received", "takeaway", "status", None)));
        assert!(
            !Scope::Kitchen { tenant: me }
                .wants_order(&notice("received", "takeaway", "status", None)),
            "another pizzeria"
        );
        let order = Scope::Order {
            tenant: Uuid::nil(),
            order: me,
        };
        assert!(
            !order.wants_order(&notice("received", "takeaway", "status", None)),
            "another order"
        );
    }
}
