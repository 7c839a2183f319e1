//! Caps on open event streams, per subscriber (a person, or a tracking link) and per client
//! address: a stream holds a connection and a task for as long as it lives, so one client must
//! not hold hundreds. A slot is taken when a stream opens and given back when it ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

pub struct StreamLimits {
    per_subscriber: usize,
    per_address: usize,
    open: Mutex<HashMap<String, usize>>,
}

/// The slots of one open stream; dropping it gives them back.
pub struct StreamSlots {
    limits: Arc<StreamLimits>,
    keys: Vec<String>,
}

/// Which cap a new stream would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooMany {
    Subscriber(usize),
    Address(usize),
}

impl StreamLimits {
    pub fn new(per_subscriber: usize, per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            per_subscriber: per_subscriber.max(1),
            per_address: per_address.max(1),
            open: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a slot for `subscriber` and one for `address`, or none if either is full.
    pub fn acquire(
        self: &Arc<Self>,
        subscriber: &str,
        address: Option<IpAddr>,
    ) -> Result<StreamSlots, TooMany> {
        let mut keys = vec![(
            format!("s:{subscriber}"),
            TooMany::Subscriber(self.per_subscriber),
        )];
        if let Some(ip) = address {
            keys.push((format!("a:{ip}"), TooMany::Address(self.per_address)));
        }
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (key, cap) in &keys {
            let limit = match cap {
                TooMany::Subscriber(n) | TooMany::Address(n) => *n,
            };
            if open.get(key).copied().unwrap_or(0) >= limit {
                return Err(*cap);
            }
        }
        for (key, _) in &keys {
            *open.entry(key.clone()).or_insert(0) += 1;
        }
        Ok(StreamSlots {
            limits: Arc::clone(self),
            keys: keys.into_iter().map(|(k, _)| k).collect(),
        })
    }
}

impl Drop for StreamSlots {
    fn drop(&mut self) {
        let mut open = self
            .limits
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in &self.keys {
            if let Some(n) = open.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    open.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_and_given_back() {
        let limits = StreamLimits::new(2, 3);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let a = limits.acquire("user:a", Some(ip)).unwrap();
        let _b = limits.acquire("user:a", Some(ip)).unwrap();
        assert_eq!(
            limits.acquire("user:a", Some(ip)).err(),
            Some(TooMany::Subscriber(2))
        );
        let _c = limits.acquire("user:c", Some(ip)).unwrap();
        assert_eq!(
            limits.acquire("user:d", Some(ip)).err(),
            Some(TooMany::Address(3))
        );
        drop(a);
        assert!(limits.acquire("user:a", Some(ip)).is_ok(), "given back");
        assert!(limits.acquire("user:e", None).is_ok(), "no address known");
    }
}
