//! The order state machine (docs/DESIGN.md, "Order lifecycle"): pure data and functions. Who
//! may do what, from which state, is one table ([`RULES`]); everything else is derived from it.

mod labels;

use std::str::FromStr;

use super::InvalidInput;
use super::order::Fulfilment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Waiting for an online payment (payments come later).
    PendingPayment,
    Received,
    Preparing,
    Ready,
    OutForDelivery,
    Delivered,
    PickedUp,
    Cancelled,
    /// The driver could not hand it over and brought it back (stock is not returned).
    Returned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ConfirmPayment,
    Start,
    Ready,
    Dispatch,
    Deliver,
    Return,
    PickUp,
    Cancel,
}

/// Who acts on an order: a staff role in its pizzeria, its customer, a guest holding its
/// tracking link, or the system (payments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    Owner,
    Manager,
    Cashier,
    Pizzaiolo,
    Driver,
    Customer,
    Guest,
    System,
}

pub struct Rule {
    pub action: Action,
    pub from: &'static [Status],
    pub to: Status,
    pub actors: &'static [Actor],
    /// The fulfilment the action applies to (`None`: both).
    pub fulfilment: Option<Fulfilment>,
}

use Actor as A;
use Status as S;

/// The whole lifecycle.
pub const RULES: &[Rule] = &[
    Rule {
        action: Action::ConfirmPayment,
        from: &[S::PendingPayment],
        to: S::Received,
        actors: &[A::System],
        fulfilment: None,
    },
    Rule {
        action: Action::Start,
        from: &[S::Received],
        to: S::Preparing,
        actors: &[A::Pizzaiolo, A::Owner, A::Manager],
        fulfilment: None,
    },
    Rule {
        action: Action::Ready,
        from: &[S::Preparing],
        to: S::Ready,
        actors: &[A::Pizzaiolo, A::Owner, A::Manager],
        fulfilment: None,
    },
    Rule {
        action: Action::Dispatch,
        from: &[S::Ready],
        to: S::OutForDelivery,
        actors: &[A::Driver, A::Owner, A::Manager],
        fulfilment: Some(Fulfilment::Delivery),
    },
    Rule {
        action: Action::Deliver,
        from: &[S::OutForDelivery],
        to: S::Delivered,
        actors: &[A::Driver, A::Owner, A::Manager],
        fulfilment: Some(Fulfilment::Delivery),
    },
    Rule {
        action: Action::Return,
        from: &[S::OutForDelivery],
        to: S::Returned,
        actors: &[A::Driver, A::Owner, A::Manager],
        fulfilment: Some(Fulfilment::Delivery),
    },
    Rule {
        action: Action::PickUp,
        from: &[S::Ready],
        to: S::PickedUp,
        actors: &[A::Cashier, A::Owner, A::Manager],
        fulfilment: Some(Fulfilment::Takeaway),
    },
    // Staff may cancel (with a reason) until the order leaves; customers until preparation starts.
    Rule {
        action: Action::Cancel,
        from: &[S::PendingPayment, S::Received, S::Preparing, S::Ready],
        to: S::Cancelled,
        actors: &[A::Cashier, A::Owner, A::Manager],
        fulfilment: None,
    },
    Rule {
        action: Action::Cancel,
        from: &[S::PendingPayment, S::Received],
        to: S::Cancelled,
        actors: &[A::Customer, A::Guest],
        fulfilment: None,
    },
];

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// This actor never does this action.
    NotYours,
    /// Not from this state (or not for this fulfilment): these are the states the order may go to next.
    WrongState { allowed_next: Vec<Status> },
}

/// The state `action` by `actor` takes an order to, or why not.
pub fn next(
    status: Status,
    fulfilment: Fulfilment,
    action: Action,
    actor: Actor,
) -> Result<Status, Refusal> {
    let mine: Vec<&Rule> = RULES
        .iter()
        .filter(|r| r.action == action && r.actors.contains(&actor))
        .collect();
    if mine.is_empty() {
        return Err(Refusal::NotYours);
    }
    mine.iter()
        .find(|r| r.from.contains(&status) && r.fulfilment.is_none_or(|f| f == fulfilment))
        .map(|r| r.to)
        .ok_or_else(|| Refusal::WrongState {
            allowed_next: allowed_next(status, fulfilment),
        })
}

/// Every state an order may go to from `status` (by anyone).
pub fn allowed_next(status: Status, fulfilment: Fulfilment) -> Vec<Status> {
    let mut next: Vec<Status> = RULES
        .iter()
        .filter(|r| r.from.contains(&status) && r.fulfilment.is_none_or(|f| f == fulfilment))
        .map(|r| r.to)
        .collect();
    next.sort();
    next.dedup();
    next
}

/// The customer (or the guest with the link) may change the lines until preparation starts.
pub(crate) fn can_modify(status: Status, actor: Actor) -> bool {
    matches!(actor, Actor::Customer | Actor::Guest)
        && matches!(status, Status::PendingPayment | Status::Received)
}

impl Status {
    pub const ALL: [Status; 9] = [
        S::PendingPayment,
        S::Received,
        S::Preparing,
        S::Ready,
        S::OutForDelivery,
        S::Delivered,
        S::PickedUp,
        S::Cancelled,
        S::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            S::PendingPayment => "pending_payment",
            S::Received => "received",
            S::Preparing => "preparing",
            S::Ready => "ready",
            S::OutForDelivery => "out_for_delivery",
            S::Delivered => "delivered",
            S::PickedUp => "picked_up",
            S::Cancelled => "cancelled",
            S::Returned => "returned",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| InvalidInput::new("status", "unknown status"))
    }
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::ConfirmPayment,
        Action::Start,
        Action::Ready,
        Action::Dispatch,
        Action::Deliver,
        Action::Return,
        Action::PickUp,
        Action::Cancel,
    ];

    /// The word used in URLs: `/orders/{id}/actions/{word}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ConfirmPayment => "confirm-payment",
            Action::Start => "start",
            Action::Ready => "ready",
            Action::Dispatch => "dispatch",
            Action::Deliver => "deliver",
            Action::Return => "return",
            Action::PickUp => "pick-up",
            Action::Cancel => "cancel",
        }
    }
}

impl FromStr for Action {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                InvalidInput::new(
                    "action",
                    "must be start, ready, dispatch, deliver, return, pick-up or cancel",
                )
            })
    }
}

impl Actor {
    pub const ALL: [Actor; 8] = [
        A::Owner,
        A::Manager,
        A::Cashier,
        A::Pizzaiolo,
        A::Driver,
        A::Customer,
        A::Guest,
        A::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            A::Owner => "owner",
            A::Manager => "manager",
            A::Cashier => "cashier",
            A::Pizzaiolo => "pizzaiolo",
            A::Driver => "driver",
            A::Customer => "customer",
            A::Guest => "guest",
            A::System => "system",
        }
    }

    pub(crate) fn from_role(role: super::Role) -> Self {
        match role {
            super::Role::Owner => A::Owner,
            super::Role::Manager => A::Manager,
            super::Role::Cashier => A::Cashier,
            super::Role::Pizzaiolo => A::Pizzaiolo,
            super::Role::Driver => A::Driver,
        }
    }
}

#[cfg(test)]
mod tests;
