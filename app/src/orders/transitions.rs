//! Moving an order through its lifecycle: the rules are `domain::lifecycle`; here they are
//! applied to the stored order under its row lock, with the event and (on cancellation) the
//! stock returned in the same transaction.

use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{OrderDetails, OrderError, store};
use crate::db::locks::Held;
use crate::db::{self, retry};
use crate::domain::lifecycle::{self, Action, Actor, Refusal, Status};
use crate::domain::order::PaymentMethod;
use crate::domain::{InvalidInput, Role};
use crate::stock;

/// Who acts: the rule's actor, and the person (none for a guest with the link).
#[derive(Debug, Clone, Copy)]
pub struct ActingAs {
    pub user_id: Option<Uuid>,
    pub actor: Actor,
}

impl ActingAs {
    /// The staff role among `roles` that may do `action` (the first one otherwise, to be refused).
    pub fn staff(user_id: Uuid, roles: &[Role], action: Action) -> Option<Self> {
        let actors: Vec<Actor> = roles.iter().copied().map(Actor::from_role).collect();
        let allowed = |a: &&Actor| {
            lifecycle::RULES
                .iter()
                .any(|r| r.action == action && r.actors.contains(a))
        };
        let actor = actors.iter().find(allowed).or(actors.first()).copied()?;
        Some(Self {
            user_id: Some(user_id),
            actor,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    /// Why (required when staff cancel).
    pub reason: String,
    /// On delivery or pickup: how the customer actually paid.
    pub payment_method: Option<PaymentMethod>,
}

pub(crate) fn refused(status: Status, refusal: Refusal) -> OrderError {
    match refusal {
        Refusal::NotYours => OrderError::Forbidden("your role does not allow this on an order"),
        Refusal::WrongState { allowed_next } => OrderError::InvalidTransition {
            status,
            allowed_next,
        },
    }
}

/// Applies `action` to an order of `tenant_id`.
pub async fn act(
    pool: &PgPool,
    tenant_id: Uuid,
    order_id: Uuid,
    who: ActingAs,
    action: Action,
    input: &ActionInput,
) -> Result<OrderDetails, OrderError> {
    retry::retrying("changing an order's status", || async move {
        let mut tx = db::begin_tenant(pool, tenant_id).await?;
        let (from, details) = act_in(&mut tx, tenant_id, order_id, who, action, input).await?;
        tx.commit().await?;
        let to = details.order.status;
        tracing::info!(order = %order_id, from = from.as_str(), to = to.as_str(), actor = who.actor.as_str(), "order transition");
        crate::metrics::order_transition(from.as_str(), to.as_str());
        Ok(details)
    })
    .await
}

/// The transition in the caller's transaction; returns the status it left.
async fn act_in(
    tx: &mut PgConnection,
    tenant_id: Uuid,
    order_id: Uuid,
    who: ActingAs,
    action: Action,
    input: &ActionInput,
) -> Result<(Status, OrderDetails), OrderError> {
    let mut held = Held::default();
    let order = store::lock(tx, &mut held, tenant_id, order_id)
        .await?
        .ok_or(OrderError::NotFound)?;
    let (status, fulfilment) = (order.status, order.fulfilment);
    let to =
        lifecycle::next(status, fulfilment, action, who.actor).map_err(|r| refused(status, r))?;

    let reason = input.reason.trim();
    if input.reason.chars().count() > 280 {
        return Err(InvalidInput::new("reason", "must have at most 280 characters").into());
    }
    let staff = !matches!(who.actor, Actor::Customer | Actor::Guest | Actor::System);
    if action == Action::Cancel && staff && reason.is_empty() {
        return Err(InvalidInput::new("reason", "say why the order is cancelled").into());
    }
    if matches!(action, Action::Deliver | Action::Return)
        && who.actor == Actor::Driver
        && order.driver_id != who.user_id
    {
        return Err(OrderError::Forbidden("another driver has this order"));
    }
    if action == Action::Dispatch
        && who.actor == Actor::Driver
        && order.driver_id.is_some_and(|d| Some(d) != who.user_id)
    {
        return Err(OrderError::Forbidden(
            "this order is assigned to another driver",
        ));
    }
    if input.payment_method == Some(PaymentMethod::Online) {
        return Err(InvalidInput::new("payment_method", "settle with cash or card").into());
    }
    let settles = matches!(to, Status::Delivered | Status::PickedUp);
    let payment_method = match (settles, input.payment_method) {
        (true, Some(m)) => m,
        _ => order.payment_method,
    };
    let change = store::StatusChange {
        to,
        // Dispatch: a driver takes it; a manager sends the assigned driver (or goes themselves).
        driver_id: if action == Action::Dispatch {
            order
                .driver_id
                .filter(|_| who.actor != Actor::Driver)
                .or(who.user_id)
        } else {
            None
        },
        payment_method,
        paid: settles && order.payment_status == "unpaid",
        cancel_reason: (action == Action::Cancel).then_some(reason),
    };
    if to == Status::Cancelled {
        // Before the event: the ingredients come before the events lock.
        return_stock(tx, &mut held, tenant_id, &order, who.user_id).await?;
    }
    store::set_status(tx, tenant_id, order_id, &change).await?;
    let event = store::NewEvent {
        kind: "status",
        order_id,
        customer_id: order.customer_id,
        from: Some(status),
        to,
        actor: who.user_id,
        role: who.actor.as_str(),
        reason,
    };
    store::insert_event(tx, &mut held, tenant_id, &event).await?;
    if order.contact_email.is_some() {
        let job = crate::jobs::EmailJob::OrderStatus {
            tenant: tenant_id,
            order: order_id,
            status: to,
        };
        crate::jobs::email(tx, &job).await?;
    }
    if status == Status::OutForDelivery {
        // Arrived or back: the driver's trail is no longer needed (docs/OPERATIONS.md, retention).
        store::forget_positions(tx, tenant_id, order_id).await?;
    }
    let details = super::load(tx, tenant_id, order_id)
        .await?
        .context("the order vanished")?;
    Ok((status, details))
}

/// Puts back what a cancelled order had reserved.
async fn return_stock(
    conn: &mut PgConnection,
    held: &mut Held,
    tenant_id: Uuid,
    order: &store::OrderRow,
    actor: Option<Uuid>,
) -> Result<(), OrderError> {
    let note = format!("order #{} cancelled", order.number);
    let reserved: Vec<(Uuid, i64)> = store::reserved(conn, tenant_id, order.id)
        .await?
        .into_iter()
        .filter(|(_, net)| *net < 0)
        .collect();
    let ids: Vec<Uuid> = reserved.iter().map(|(id, _)| *id).collect();
    stock::store::lock_many(conn, held, tenant_id, &ids).await?;
    for (ingredient, net) in reserved {
        let m = stock::store::NewMovement {
            ingredient_id: ingredient,
            delta: -net,
            reason: "cancellation",
            actor,
            order_id: Some(order.id),
            note: &note,
        };
        stock::store::insert_movement(conn, held, tenant_id, &m).await?;
    }
    Ok(())
}
