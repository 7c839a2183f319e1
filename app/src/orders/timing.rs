//! When an order can be made: open now for as-soon-as-possible, or a real slot far enough
//! ahead. Pure: the schedule, the settings that matter and the clock come in.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::OrderError;
use crate::domain::opening::Schedule;
use crate::domain::order::Fulfilment;

#[derive(Debug, Clone, Copy)]
pub struct Lead {
    pub prep_minutes: i64,
    pub busy_minutes: i64,
    pub delivery_minutes: i64,
    pub slot_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub service_day: NaiveDate,
    /// The slot asked for, if any.
    pub requested: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The slot the order counts against for capacity, if its time falls in one.
    pub capacity_slot: Option<DateTime<Utc>>,
    /// Ready (takeaway) or delivered (delivery).
    pub estimated_at: DateTime<Utc>,
}

pub(crate) fn plan(
    schedule: &Schedule,
    lead: Lead,
    fulfilment: Fulfilment,
    slot_start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Plan, OrderError> {
    let ready_in = Duration::minutes(lead.prep_minutes + lead.busy_minutes);
    let deliver_in = match fulfilment {
        Fulfilment::Delivery => Duration::minutes(lead.delivery_minutes),
        Fulfilment::Takeaway => Duration::zero(),
    };
    match slot_start {
        None => {
            let open = schedule
                .interval_at(now)
                .ok_or_else(|| OrderError::Closed {
                    next_opening: schedule.next_opening(now).map(|i| i.start),
                })?;
            let estimated_at = now + ready_in + deliver_in;
            Ok(Plan {
                service_day: open.service_day,
                requested: None,
                capacity_slot: schedule
                    .slot_at(estimated_at, lead.slot_minutes)
                    .map(|s| s.start),
                estimated_at,
            })
        }
        Some(start) => {
            let slot = schedule
                .slot_at(start, lead.slot_minutes)
                .filter(|s| s.start == start)
                .ok_or_else(|| {
                    OrderError::SlotUnavailable(
                        "not a slot of the opening hours (see next_slots of /opening)".into(),
                    )
                })?;
            if start < now + ready_in + deliver_in {
                return Err(OrderError::SlotUnavailable(
                    "too soon: the order could not be ready by then".into(),
                ));
            }
            if start > now + Duration::days(14) {
                return Err(OrderError::SlotUnavailable(
                    "orders are taken at most 14 days ahead".into(),
                ));
            }
            let service_day = schedule
                .interval_at(start)
                .map(|i| i.service_day)
                .ok_or_else(|| OrderError::SlotUnavailable("outside opening hours".into()))?;
            Ok(Plan {
                service_day,
                requested: Some((slot.start, slot.end)),
                capacity_slot: Some(slot.start),
                estimated_at: slot.start,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveTime, TimeZone};

    use super::*;
    use crate::domain::opening::Period;

    fn paris(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn schedule() -> Schedule {
        let mut s = Schedule::new(chrono_tz::Europe::Paris);
        for day in 1..=7 {
            s.add_weekly(
                day,
                Period::new(
                    NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
                    NaiveTime::from_hms_opt(1, 0, 0).unwrap(),
                ),
            );
        }
        s
    }

    const LEAD: Lead = Lead {
        prep_minutes: 20,
        busy_minutes: 10,
        delivery_minutes: 20,
        slot_minutes: 15,
    };

    #[test]
    fn asap_needs_the_pizzeria_open_and_estimates_ready_or_delivered() {
        let s = schedule();
        let p = plan(&s, LEAD, Fulfilment::Takeaway, None, paris(27, 23, 50)).unwrap();
        assert_eq!(p.estimated_at, paris(28, 0, 20));
        assert_eq!(
            p.service_day,
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            "past midnight: Friday's service"
        );
        assert_eq!(p.capacity_slot, Some(paris(28, 0, 15)));
        let p = plan(&s, LEAD, Fulfilment::Delivery, None, paris(27, 19, 0)).unwrap();
        assert_eq!(p.estimated_at, paris(27, 19, 50));
        match plan(&s, LEAD, Fulfilment::Takeaway, None, paris(27, 12, 0)) {
            Err(OrderError::Closed { next_opening }) => {
                assert_eq!(next_opening, Some(paris(27, 18, 0)))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_slot_must_exist_and_leave_time_to_cook() {
        let s = schedule();
        // Pre-order at noon (closed) for 19:15: fine.
        let p = plan(
            &s,
            LEAD,
            Fulfilment::Takeaway,
            Some(paris(27, 19, 15)),
            paris(27, 12, 0),
        )
        .unwrap();
        assert_eq!(p.requested, Some((paris(27, 19, 15), paris(27, 19, 30))));
        assert_eq!(p.estimated_at, paris(27, 19, 15));
        // Not on a slot boundary, outside hours, too soon, in the past.
        for (slot, now) in [
            (paris(27, 19, 10), paris(27, 12, 0)),
            (paris(27, 15, 0), paris(27, 12, 0)),
            (paris(27, 19, 15), paris(27, 19, 0)),
            (paris(27, 18, 0), paris(27, 19, 0)),
        ] {
            assert!(
                matches!(
                    plan(&s, LEAD, Fulfilment::Takeaway, Some(slot), now),
                    Err(OrderError::SlotUnavailable(_))
                ),
                "{slot}"
            );
        }
        // Delivery needs the delivery time too: 19:45 is too soon at 19:00 (30 + 20 min).
        assert!(
            plan(
                &s,
                LEAD,
                Fulfilment::Delivery,
                Some(paris(27, 19, 45)),
                paris(27, 19, 0)
            )
            .is_err()
        );
        assert!(
            plan(
                &s,
                LEAD,
                Fulfilment::Delivery,
                Some(paris(27, 20, 0)),
                paris(27, 19, 0)
            )
            .is_ok()
        );
    }
}
