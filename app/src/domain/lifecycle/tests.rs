//! The lifecycle table, checked exhaustively against an independent statement of it.
use super::*;

const BOTH: [Fulfilment; 2] = [Fulfilment::Delivery, Fulfilment::Takeaway];

#[test]
fn the_happy_paths() {
    let mut s = Status::Received;
    for (action, actor) in [
        (Action::Start, A::Pizzaiolo),
        (Action::Ready, A::Pizzaiolo),
        (Action::Dispatch, A::Driver),
        (Action::Deliver, A::Driver),
    ] {
        s = next(s, Fulfilment::Delivery, action, actor).unwrap();
    }
    assert_eq!(s, Status::Delivered);
    let mut s = Status::Received;
    for (action, actor) in [
        (Action::Start, A::Pizzaiolo),
        (Action::Ready, A::Pizzaiolo),
        (Action::PickUp, A::Cashier),
    ] {
        s = next(s, Fulfilment::Takeaway, action, actor).unwrap();
    }
    assert_eq!(s, Status::PickedUp);
    assert_eq!(
        next(
            Status::OutForDelivery,
            Fulfilment::Delivery,
            Action::Return,
            A::Driver
        ),
        Ok(Status::Returned)
    );
    assert_eq!(
        next(
            Status::PendingPayment,
            Fulfilment::Takeaway,
            Action::ConfirmPayment,
            A::System
        ),
        Ok(Status::Received)
    );
}

#[test]
fn customers_cancel_only_until_preparation() {
    for f in BOTH {
        assert_eq!(
            next(Status::Received, f, Action::Cancel, A::Customer),
            Ok(Status::Cancelled)
        );
        assert_eq!(
            next(Status::Received, f, Action::Cancel, A::Guest),
            Ok(Status::Cancelled)
        );
        assert!(matches!(
            next(Status::Preparing, f, Action::Cancel, A::Customer),
            Err(Refusal::WrongState { .. })
        ));
        assert_eq!(
            next(Status::Preparing, f, Action::Cancel, A::Cashier),
            Ok(Status::Cancelled)
        );
        assert!(matches!(
            next(Status::OutForDelivery, f, Action::Cancel, A::Manager),
            Err(Refusal::WrongState { .. })
        ));
    }
    assert!(can_modify(Status::Received, A::Customer));
    assert!(!can_modify(Status::Preparing, A::Customer));
    assert!(!can_modify(Status::Received, A::Cashier));
}

#[test]
fn wrong_state_names_the_allowed_next_states() {
    assert_eq!(
        next(
            Status::Received,
            Fulfilment::Takeaway,
            Action::Ready,
            A::Pizzaiolo
        ),
        Err(Refusal::WrongState {
            allowed_next: vec![Status::Preparing, Status::Cancelled]
        })
    );
    assert_eq!(
        allowed_next(Status::Ready, Fulfilment::Delivery),
        vec![Status::OutForDelivery, Status::Cancelled]
    );
    assert_eq!(
        allowed_next(Status::Ready, Fulfilment::Takeaway),
        vec![Status::PickedUp, Status::Cancelled]
    );
    assert_eq!(
        next(
            Status::Received,
            Fulfilment::Takeaway,
            Action::Start,
            A::Driver
        ),
        Err(Refusal::NotYours)
    );
    assert_eq!(
        next(
            Status::Ready,
            Fulfilment::Takeaway,
            Action::Dispatch,
            A::Driver
        ),
        Err(Refusal::WrongState {
            allowed_next: vec![Status::PickedUp, Status::Cancelled]
        })
    );
}

#[test]
fn every_state_action_and_actor_follows_the_table() {
    // Written out independently of RULES: (action, actor) → the states it works from.
    fn expected(
        action: Action,
        actor: Actor,
        f: Fulfilment,
    ) -> Option<(&'static [Status], Status)> {
        let staff_kitchen = matches!(actor, A::Pizzaiolo | A::Owner | A::Manager);
        let staff_road = matches!(actor, A::Driver | A::Owner | A::Manager);
        let staff_counter = matches!(actor, A::Cashier | A::Owner | A::Manager);
        let delivery = f == Fulfilment::Delivery;
        match action {
            Action::ConfirmPayment if actor == A::System => {
                Some((&[S::PendingPayment], S::Received))
            }
            Action::Start if staff_kitchen => Some((&[S::Received], S::Preparing)),
            Action::Ready if staff_kitchen => Some((&[S::Preparing], S::Ready)),
            Action::Dispatch if staff_road => {
                Some((if delivery { &[S::Ready] } else { &[] }, S::OutForDelivery))
            }
            Action::Deliver if staff_road => Some((
                if delivery { &[S::OutForDelivery] } else { &[] },
                S::Delivered,
            )),
            Action::Return if staff_road => Some((
                if delivery { &[S::OutForDelivery] } else { &[] },
                S::Returned,
            )),
            Action::PickUp if staff_counter => {
                Some((if delivery { &[] } else { &[S::Ready] }, S::PickedUp))
            }
            Action::Cancel if staff_counter => Some((
                &[S::PendingPayment, S::Received, S::Preparing, S::Ready],
                S::Cancelled,
            )),
            Action::Cancel if matches!(actor, A::Customer | A::Guest) => {
                Some((&[S::PendingPayment, S::Received], S::Cancelled))
            }
            _ => None,
        }
    }
    for f in BOTH {
        for status in Status::ALL {
            for action in Action::ALL {
                for actor in Actor::ALL {
                    let got = next(status, f, action, actor);
                    match expected(action, actor, f) {
                        None => assert_eq!(
                            got,
                            Err(Refusal::NotYours),
                            "{status:?} {action:?} {actor:?} {f:?}"
                        ),
                        Some((from, to)) if from.contains(&status) => {
                            assert_eq!(got, Ok(to), "{status:?} {action:?} {actor:?} {f:?}")
                        }
                        Some(_) => assert!(
                            matches!(got, Err(Refusal::WrongState { .. })),
                            "{status:?} {action:?} {actor:?} {f:?}: {got:?}"
                        ),
                    }
                }
            }
        }
    }
}

/// No action leads anywhere from `s`.
fn is_final(s: Status) -> bool {
    allowed_next(s, Fulfilment::Delivery).is_empty()
        && allowed_next(s, Fulfilment::Takeaway).is_empty()
}

#[test]
fn final_states_lead_nowhere_and_words_round_trip() {
    let finals: Vec<Status> = Status::ALL.into_iter().filter(|s| is_final(*s)).collect();
    assert_eq!(
        finals,
        [
            Status::Delivered,
            Status::PickedUp,
            Status::Cancelled,
            Status::Returned
        ]
    );
    for s in Status::ALL {
        assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
    }
    for a in Action::ALL {
        assert_eq!(a.as_str().parse::<Action>().unwrap(), a);
    }
}
