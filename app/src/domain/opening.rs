//! When a pizzeria is open, in its own timezone. Pure: give it the hours and an instant.
//!
//! A period may run past midnight (closes at or before it opens); it belongs to the day it
//! opens on: the *service day* (docs/DESIGN.md, "Service day and order numbers": Friday
//! 18:00–01:00 is Friday). Exceptions by date close a service day or replace its periods.
//! Daylight-saving changes are resolved towards the longer opening: a start in a skipped hour
//! moves forward, an end in a repeated hour takes the later instant.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

/// Local opening times; `closes <= opens` means the period ends the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

impl Period {
    pub fn new(opens: NaiveTime, closes: NaiveTime) -> Self {
        Self { opens, closes }
    }

    pub(crate) fn past_midnight(&self) -> bool {
        self.closes <= self.opens
    }
}

/// What a date's exceptions say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayOverride {
    Closed,
    Special(Vec<Period>),
}

/// One concrete opening: a period of a service day, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub service_day: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub tz: Tz,
    /// Index 0 is Monday.
    pub weekly: [Vec<Period>; 7],
    pub exceptions: BTreeMap<NaiveDate, DayOverride>,
}

/// How far ahead `next_opening` looks.
const HORIZON_DAYS: i64 = 21;

impl Schedule {
    pub fn new(tz: Tz) -> Self {
        Self {
            tz,
            weekly: Default::default(),
            exceptions: BTreeMap::new(),
        }
    }

    /// Adds a weekly period; `weekday` is ISO (1 = Monday … 7 = Sunday).
    pub(crate) fn add_weekly(&mut self, weekday: u32, period: Period) {
        if let Some(day) = weekday
            .checked_sub(1)
            .and_then(|i| self.weekly.get_mut(i as usize))
        {
            day.push(period);
            day.sort_by_key(|p| p.opens);
        }
    }

    /// The periods of a service day after exceptions.
    pub(crate) fn periods_on(&self, day: NaiveDate) -> Vec<Period> {
        match self.exceptions.get(&day) {
            Some(DayOverride::Closed) => vec![],
            Some(DayOverride::Special(periods)) => periods.clone(),
            None => self.weekly[day.weekday().num_days_from_monday() as usize].clone(),
        }
    }

    /// The openings of a service day, as instants.
    pub(crate) fn intervals_on(&self, day: NaiveDate) -> Vec<Interval> {
        self.periods_on(day)
            .into_iter()
            .filter_map(|p| {
                let end_day = if p.past_midnight() {
                    day.succ_opt()?
                } else {
                    day
                };
                let start = resolve(self.tz, day.and_time(p.opens), Edge::Start)?;
                let end = resolve(self.tz, end_day.and_time(p.closes), Edge::End)?;
                (end > start).then_some(Interval {
                    service_day: day,
                    start,
                    end,
                })
            })
            .collect()
    }

    /// The opening `at` falls in, if any (today's, or yesterday's running past midnight).
    pub(crate) fn interval_at(&self, at: DateTime<Utc>) -> Option<Interval> {
        let local = at.with_timezone(&self.tz).date_naive();
        [local.pred_opt(), Some(local)]
            .into_iter()
            .flatten()
            .flat_map(|d| self.intervals_on(d))
            .find(|i| i.contains(at))
    }

    pub(crate) fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.interval_at(at).is_some()
    }

    /// The service day of an instant: the day whose period contains it.
    pub fn service_day(&self, at: DateTime<Utc>) -> Option<NaiveDate> {
        self.interval_at(at).map(|i| i.service_day)
    }

    /// Openings from `at` on (the current one first if open), up to three weeks ahead.
    pub(crate) fn intervals_from(&self, at: DateTime<Utc>) -> impl Iterator<Item = Interval> + '_ {
        let first = at
            .with_timezone(&self.tz)
            .date_naive()
            .pred_opt()
            .unwrap_or(NaiveDate::MIN);
        (0..=HORIZON_DAYS)
            .filter_map(move |n| first.checked_add_signed(Duration::days(n)))
            .flat_map(|d| self.intervals_on(d))
            .filter(move |i| i.end > at)
    }

    /// The next opening that starts after `at` (when closed now: when it opens next).
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<Interval> {
        self.intervals_from(at).find(|i| i.start > at)
    }
}

/// A slot customers may ask their order for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Schedule {
    /// Slots of `minutes` within openings, aligned on each opening's start, that start at or
    /// after `earliest` (e.g. now plus the preparation time), in order.
    pub(crate) fn slots_from(
        &self,
        earliest: DateTime<Utc>,
        minutes: i64,
    ) -> impl Iterator<Item = Slot> + '_ {
        let len = Duration::minutes(minutes.max(1));
        self.intervals_from(earliest).flat_map(move |i| {
            (0..)
                .map(move |k| i.start + len * k)
                .take_while(move |start| *start < i.end)
                .filter(move |start| *start >= earliest)
                .map(move |start| Slot {
                    start,
                    end: (start + len).min(i.end),
                })
        })
    }

    /// The slot of an opening that contains `at`, as `slots_from` would cut it.
    pub(crate) fn slot_at(&self, at: DateTime<Utc>, minutes: i64) -> Option<Slot> {
        let i = self.interval_at(at)?;
        let len = Duration::minutes(minutes.max(1));
        let k = (at - i.start).num_seconds() / len.num_seconds();
        let start = i.start + len * i32::try_from(k).ok()?;
        Some(Slot {
            start,
            end: (start + len).min(i.end),
        })
    }
}

#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

/// Local wall time → instant, choosing the longer opening around DST changes.
fn resolve(tz: Tz, local: NaiveDateTime, edge: Edge) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(early, late) => Some(
            match edge {
                Edge::Start => early,
                Edge::End => late,
            }
            .with_timezone(&Utc),
        ),
        // The wall time was skipped (spring forward): the first instant after the gap.
        LocalResult::None => (1..=4)
            .filter_map(|q| {
                tz.from_local_datetime(&(local + Duration::minutes(15 * q)))
                    .earliest()
            })
            .next()
            .map(|t| t.with_timezone(&Utc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn paris(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Tuesday to Sunday, lunch 11:30–14:00 and evening 18:00–23:00; Friday and Saturday
    /// evenings until 01:00. Closed on Mondays.
    fn pizzeria() -> Schedule {
        let mut s = Schedule::new(chrono_tz::Europe::Paris);
        for day in 2..=7 {
            s.add_weekly(day, Period::new(t(11, 30), t(14, 0)));
            let closes = if day == 5 || day == 6 {
                t(1, 0)
            } else {
                t(23, 0)
            };
            s.add_weekly(day, Period::new(t(18, 0), closes));
        }
        s
    }

    #[test]
    fn open_in_periods_closed_between_them() {
        let s = pizzeria();
        // 2026-11-24 is a Tuesday.
        assert!(!s.is_open(paris(2026, 11, 24, 11, 29)));
        assert!(s.is_open(paris(2026, 11, 24, 11, 30)));
        assert!(
            !s.is_open(paris(2026, 11, 24, 14, 0)),
            "closing time is exclusive"
        );
        assert!(!s.is_open(paris(2026, 11, 24, 16, 0)));
        assert!(s.is_open(paris(2026, 11, 24, 22, 59)));
        assert!(!s.is_open(paris(2026, 11, 23, 19, 0)), "closed on Monday");
    }

    #[test]
    fn a_period_past_midnight_belongs_to_the_day_it_opens() {
        let s = pizzeria();
        // Friday 2026-11-27 18:00 → Saturday 01:00.
        let late = paris(2026, 11, 28, 0, 30);
        assert!(s.is_open(late));
        assert_eq!(
            s.service_day(late),
            Some(date(2026, 11, 27)),
            "Saturday 00:30 is Friday's service"
        );
        assert!(!s.is_open(paris(2026, 11, 28, 1, 0)));
        // Saturday night → Sunday 00:30 is Saturday's.
        assert_eq!(
            s.service_day(paris(2026, 11, 29, 0, 30)),
            Some(date(2026, 11, 28))
        );
        // Sunday closes at 23:00: Monday 00:30 is closed.
        assert!(!s.is_open(paris(2026, 11, 30, 0, 30)));
    }

    #[test]
    fn next_opening_skips_closed_days() {
        let s = pizzeria();
        // Sunday 23:30: next is Tuesday 11:30 (Monday closed).
        let next = s.next_opening(paris(2026, 11, 29, 23, 30)).unwrap();
        assert_eq!(next.start, paris(2026, 12, 1, 11, 30));
        assert_eq!(next.service_day, date(2026, 12, 1));
        // While open, the next opening is the following period.
        let next = s.next_opening(paris(2026, 11, 24, 12, 0)).unwrap();
        assert_eq!(next.start, paris(2026, 11, 24, 18, 0));
    }

    #[test]
    fn exceptions_close_a_day_or_replace_its_hours() {
        let mut s = pizzeria();
        s.exceptions.insert(date(2026, 12, 25), DayOverride::Closed);
        s.exceptions.insert(
            date(2026, 12, 31),
            DayOverride::Special(vec![Period::new(t(18, 0), t(3, 0))]),
        );
        assert!(!s.is_open(paris(2026, 12, 25, 19, 0)), "Christmas closed");
        assert!(
            !s.is_open(paris(2026, 12, 31, 12, 0)),
            "no lunch on New Year's Eve"
        );
        let night = paris(2027, 1, 1, 2, 30);
        assert!(s.is_open(night), "New Year's Eve runs until 03:00");
        assert_eq!(s.service_day(night), Some(date(2026, 12, 31)));
        // Closing Friday also closes the part of Friday's service after midnight.
        s.exceptions.insert(date(2026, 11, 27), DayOverride::Closed);
        assert!(!s.is_open(paris(2026, 11, 28, 0, 30)));
    }

    #[test]
    fn slots_are_cut_from_openings_and_skip_closed_hours() {
        let s = pizzeria();
        // Tuesday 13:20, 30-minute slots: 13:30 and the one ending at 14:00, then the evening.
        let slots: Vec<_> = s
            .slots_from(paris(2026, 11, 24, 13, 20), 30)
            .take(3)
            .collect();
        assert_eq!(slots[0].start, paris(2026, 11, 24, 13, 30));
        assert_eq!(slots[0].end, paris(2026, 11, 24, 14, 0));
        assert_eq!(slots[1].start, paris(2026, 11, 24, 18, 0));
        assert_eq!(slots[2].start, paris(2026, 11, 24, 18, 30));
        let slot = s.slot_at(paris(2026, 11, 24, 18, 44), 15).unwrap();
        assert_eq!(
            (slot.start, slot.end),
            (paris(2026, 11, 24, 18, 30), paris(2026, 11, 24, 18, 45))
        );
        assert_eq!(s.slot_at(paris(2026, 11, 24, 16, 0), 15), None);
    }

    #[test]
    fn daylight_saving_weekends() {
        let mut s = pizzeria();
        // Saturday 2027-03-27 18:00 → Sunday 03:00: the night clocks jump 02:00 → 03:00.
        s.exceptions.insert(
            date(2027, 3, 27),
            DayOverride::Special(vec![Period::new(t(18, 0), t(3, 0))]),
        );
        let open = s.intervals_on(date(2027, 3, 27))[0];
        assert_eq!(
            open.end - open.start,
            Duration::hours(8),
            "one hour shorter in spring"
        );
        assert!(s.is_open(paris(2027, 3, 28, 1, 59)));
        assert_eq!(
            s.service_day(paris(2027, 3, 28, 1, 59)),
            Some(date(2027, 3, 27))
        );

        // Saturday 2026-10-24 18:00 → Sunday 02:30 (clocks go 03:00 → 02:00 that night):
        // 02:30 happens twice; we stay open until the second one.
        s.exceptions.insert(
            date(2026, 10, 24),
            DayOverride::Special(vec![Period::new(t(18, 0), t(2, 30))]),
        );
        let open = s.intervals_on(date(2026, 10, 24))[0];
        assert_eq!(
            open.end - open.start,
            Duration::minutes(9 * 60 + 30),
            "one hour longer in autumn"
        );

        // An opening time inside the skipped hour starts at 03:00.
        s.exceptions.insert(
            date(2027, 3, 28),
            DayOverride::Special(vec![Period::new(t(2, 30), t(4, 0))]),
        );
        let open = s.intervals_on(date(2027, 3, 28))[0];
        assert_eq!(open.start, paris(2027, 3, 28, 3, 0));
    }
}
