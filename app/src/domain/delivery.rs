//! Driver positions and arrival estimates. Pure.

use chrono::{DateTime, Duration, Utc};

use super::InvalidInput;

/// A position reported by a driver's phone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
    /// Radius of uncertainty, metres.
    pub accuracy_m: f64,
    pub at: DateTime<Utc>,
}

/// Positions older than this (or from the future) are refused: a stale fix would mislead.
pub const MAX_AGE: Duration = Duration::minutes(10);
pub const MAX_ACCURACY_M: f64 = 5_000.0;

impl Position {
    pub fn parse(
        latitude: f64,
        longitude: f64,
        accuracy_m: f64,
        at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, InvalidInput> {
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err(InvalidInput::new("lat", "must be between -90 and 90"));
        }
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err(InvalidInput::new("lng", "must be between -180 and 180"));
        }
        if !accuracy_m.is_finite() || !(0.0..=MAX_ACCURACY_M).contains(&accuracy_m) {
            return Err(InvalidInput::new(
                "accuracy",
                format!("must be between 0 and {MAX_ACCURACY_M} metres"),
            ));
        }
        let at = at.unwrap_or(now);
        if at > now + Duration::seconds(30) || at < now - MAX_AGE {
            return Err(InvalidInput::new(
                "time",
                "must be within the last 10 minutes",
            ));
        }
        Ok(Self {
            latitude,
            longitude,
            accuracy_m,
            at,
        })
    }
}

/// Great-circle distance in kilometres (haversine, Earth radius 6371 km).
pub(crate) fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Estimated arrival: the straight-line distance from the driver to the address, at
/// `speed_kmh`, plus `handover_minutes`, counted from the position's time.
pub fn arrival(
    from: &Position,
    to: (f64, f64),
    speed_kmh: f64,
    handover_minutes: f64,
) -> DateTime<Utc> {
    let minutes = distance_km((from.latitude, from.longitude), to) / speed_kmh.max(1.0) * 60.0
        + handover_minutes.max(0.0);
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (minutes * 60.0).round() as i64;
    from.at + Duration::seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_validated() {
        let now = Utc::now();
        assert!(Position::parse(48.85, 2.37, 10.0, None, now).is_ok());
        assert_eq!(
            Position::parse(91.0, 2.0, 10.0, None, now)
                .unwrap_err()
                .field,
            "lat"
        );
        assert_eq!(
            Position::parse(48.0, -181.0, 10.0, None, now)
                .unwrap_err()
                .field,
            "lng"
        );
        assert_eq!(
            Position::parse(48.0, 2.0, -1.0, None, now)
                .unwrap_err()
                .field,
            "accuracy"
        );
        assert_eq!(
            Position::parse(f64::NAN, 2.0, 1.0, None, now)
                .unwrap_err()
                .field,
            "lat"
        );
        assert_eq!(
            Position::parse(48.0, 2.0, 1.0, Some(now - Duration::minutes(11)), now)
                .unwrap_err()
                .field,
            "time"
        );
        assert_eq!(
            Position::parse(48.0, 2.0, 1.0, Some(now + Duration::minutes(5)), now)
                .unwrap_err()
                .field,
            "time"
        );
    }

    #[test]
    fn distance_and_arrival() {
        // Bastille → République: about 1.9 km.
        let d = distance_km((48.8532, 2.3692), (48.8674, 2.3636));
        assert!((1.5..1.7).contains(&d), "{d}");
        let at = Utc::now();
        let from = Position {
            latitude: 48.8532,
            longitude: 2.3692,
            accuracy_m: 5.0,
            at,
        };
        // 20 km/h over ~1.6 km ≈ 4.8 min, plus 2 min handover.
        let eta = arrival(&from, (48.8674, 2.3636), 20.0, 2.0);
        let minutes = (eta - at).num_seconds() as f64 / 60.0;
        assert!((6.5..7.0).contains(&minutes), "{minutes}");
        assert_eq!(
            arrival(&from, (48.8532, 2.3692), 20.0, 2.0),
            at + Duration::minutes(2)
        );
    }
}
