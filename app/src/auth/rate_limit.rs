//! Login throttling per email and per client address (in memory, per replica).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The caller must wait this long before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    pub retry_after: Duration,
}

pub struct LoginLimiter {
    per_email: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginLimiter {
    pub fn new(per_email_per_minute: u32, per_ip_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_email: RateLimiter::keyed(quota(per_email_per_minute)),
            per_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt for both keys; refused if either is over its quota.
    pub fn check(&self, email: &str, ip: Option<IpAddr>) -> Result<(), RateLimited> {
        let now = self.clock.now();
        let wait = |n: governor::NotUntil<_>| RateLimited {
            retry_after: n.wait_time_from(now),
        };
        if let Some(ip) = ip {
            self.per_ip.check_key(&ip).map_err(wait)?;
        }
        self.per_email.check_key(&email.to_string()).map_err(wait)?;
        Ok(())
    }

    /// Forgets keys whose quota has fully recovered (bounded memory).
    pub fn prune(&self) {
        self.per_email.retain_recent();
        self.per_ip.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_on_one_email_is_refused() {
        let limiter = LoginLimiter::new(5, 100);
        for _ in 0..5 {
            assert!(limiter.check("a@example.com", None).is_ok());
        }
        let refused = limiter.check("a@example.com", None).unwrap_err();
        assert!(refused.retry_after > Duration::ZERO);
        assert!(
            limiter.check("b@example.com", None).is_ok(),
            "other emails are not affected"
        );
    }

    #[test]
    fn one_address_is_limited_across_emails() {
        let limiter = LoginLimiter::new(100, 2);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limiter.check("a@example.com", Some(ip)).is_ok());
        assert!(limiter.check("b@example.com", Some(ip)).is_ok());
        assert!(limiter.check("c@example.com", Some(ip)).is_err());
    }
}
