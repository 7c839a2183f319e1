//! Answers kept in memory that never miss a committed write: single-flight revalidation.
//!
//! A kept value is answered only once a check that *started after the request arrived* has
//! confirmed or rebuilt it. Requests that arrive together share one check: under load a
//! pizzeria's menu costs one short database round per batch of readers rather than one per
//! reader, and every reader still sees all that was committed before it asked
//! (docs/DESIGN.md, "Menu and availability").

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::Problem;
use crate::storage::sha256_hex;

/// The last outcome of a check, numbered in the order the checks started.
struct Outcome<V, E> {
    check: u64,
    result: Result<Arc<V>, E>,
}

/// A value revalidated by single-flight checks.
pub(crate) struct Fresh<V, E> {
    /// How many checks have started.
    started: AtomicU64,
    /// Held while a check runs: one at a time, in the order the requests came.
    turn: tokio::sync::Mutex<()>,
    last: RwLock<Option<Outcome<V, E>>>,
}

impl<V, E: Clone> Default for Fresh<V, E> {
    fn default() -> Self {
        Self {
            started: AtomicU64::new(0),
            turn: tokio::sync::Mutex::new(()),
            last: RwLock::new(None),
        }
    }
}

impl<V, E: Clone> Fresh<V, E> {
    /// The value as of a check that started after this call. `check` is given the last value
    /// (to keep it when nothing changed) and runs only when no such check has completed by the
    /// time this caller's turn comes. A failed check answers its error to those who waited on it.
    pub(crate) async fn get(
        &self,
        check: impl AsyncFnOnce(Option<Arc<V>>) -> Result<Arc<V>, E>,
    ) -> Result<Arc<V>, E> {
        let arrived = self.started.load(Ordering::SeqCst);
        let _turn = self.turn.lock().await;
        let previous = {
            let last = self.last.read().unwrap_or_else(PoisonError::into_inner);
            match last.as_ref() {
                Some(o) if o.check > arrived => return o.result.clone(),
                Some(o) => o.result.as_ref().ok().cloned(),
                None => None,
            }
        };
        let check_no = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let result = check(previous).await;
        *self.last.write().unwrap_or_else(PoisonError::into_inner) = Some(Outcome {
            check: check_no,
            result: result.clone(),
        });
        result
    }
}

/// A document kept serialised: its bytes, a strong validator of them, and what it was built
/// from.
pub(crate) struct Document {
    /// What the document was built from, in a form that compares: it is rebuilt when this moves.
    basis: String,
    /// When it goes stale even if its basis does not move (a sold-out mark that ends).
    until: Option<DateTime<Utc>>,
    /// A strong `ETag`: a digest of `body`.
    pub(crate) etag: String,
    pub(crate) body: Bytes,
}

impl Document {
    pub(crate) fn new(basis: String, until: Option<DateTime<Utc>>, body: Vec<u8>) -> Self {
        Self {
            basis,
            until,
            etag: format!("\"{}\"", &sha256_hex(&body)[..32]),
            body: Bytes::from(body),
        }
    }

    /// Whether the document still stands for `basis` at `now`.
    pub(crate) fn holds(&self, basis: &str, now: DateTime<Utc>) -> bool {
        self.basis == basis && self.until.is_none_or(|until| now < until)
    }

    /// Whether an `If-None-Match` header names this document (`*` names any).
    pub(crate) fn matches(&self, if_none_match: &str) -> bool {
        if_none_match
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag)
    }
}

type Slot = Arc<Fresh<Document, Problem>>;

/// Documents kept by key (a pizzeria's slug), each revalidated by its own single-flight checks.
#[derive(Default)]
pub struct Documents {
    by_key: RwLock<HashMap<String, Slot>>,
}

impl Documents {
    /// The checks and document of `key`.
    pub(crate) fn slot(&self, key: &str) -> Slot {
        let kept = self.by_key.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = kept.get(key) {
            return Arc::clone(slot);
        }
        drop(kept);
        let mut all = self.by_key.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(all.entry(key.to_string()).or_default())
    }

    /// Forgets a key that named nothing (only real pizzerias stay).
    pub(crate) fn forget(&self, key: &str) {
        let mut all = self.by_key.write().unwrap_or_else(PoisonError::into_inner);
        all.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration as Span, Utc};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use super::Fresh;

    #[tokio::test]
    async fn each_read_sees_a_check_that_started_after_it_arrived() {
        let fresh: Fresh<u64, String> = Fresh::default();
        let source = AtomicU64::new(1);
        let read = async || {
            fresh
                .get(async |_| Ok(Arc::new(source.load(Ordering::SeqCst))))
                .await
                .unwrap()
        };
        assert_eq!(*read().await, 1);
        // A write committed before the next read is always seen by it.
        source.store(2, Ordering::SeqCst);
        assert_eq!(*read().await, 2);
        source.store(3, Ordering::SeqCst);
        assert_eq!(*read().await, 3);
    }

    #[tokio::test]
    async fn readers_that_arrive_together_share_one_check() {
        let fresh: Arc<Fresh<u64, String>> = Arc::new(Fresh::default());
        let checks = Arc::new(AtomicU64::new(0));
        let readers: Vec<_> = (0..50)
            .map(|_| {
                let (fresh, checks) = (Arc::clone(&fresh), Arc::clone(&checks));
                tokio::spawn(async move {
                    fresh
                        .get(async |_| {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok(Arc::new(checks.fetch_add(1, Ordering::SeqCst)))
                        })
                        .await
                })
            })
            .collect();
        for r in readers {
            r.await.unwrap().unwrap();
        }
        // The first reader's check, then one for all who arrived while it ran.
        assert!(
            checks.load(Ordering::SeqCst) <= 3,
            "{} checks for 50 readers",
            checks.load(Ordering::SeqCst)
        );
    }

    #[tokio::test]
    async fn a_failed_check_is_answered_to_those_who_waited_and_retried_after() {
        let fresh: Arc<Fresh<u64, String>> = Arc::new(Fresh::default());
        let failing = fresh
            .get(async |_| Err::<Arc<u64>, _>("database down".to_string()))
            .await;
        assert_eq!(failing, Err("database down".to_string()));
        let next = fresh.get(async |previous| {
            assert!(previous.is_none(), "no value was ever built");
            Ok(Arc::new(7))
        });
        assert_eq!(*next.await.unwrap(), 7);
        let kept = fresh.get(async |previous| Ok(previous.expect("the last value")));
        assert_eq!(*kept.await.unwrap(), 7);
    }

    #[test]
    fn a_document_holds_for_its_basis_until_its_end_and_matches_its_etag() {
        let now = Utc::now();
        let doc = super::Document::new("v1".into(), Some(now + Span::seconds(5)), b"{}".to_vec());
        assert!(doc.holds("v1", now));
        assert!(!doc.holds("v2", now), "another basis");
        assert!(!doc.holds("v1", now + Span::seconds(5)), "past its end");
        let etag = doc.etag.clone();
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34);
        assert!(doc.matches(&etag));
        assert!(doc.matches(&format!("\"x\", W/{etag}")));
        assert!(doc.matches("*"));
        assert!(!doc.matches("\"x\""));
        assert!(!doc.matches(etag.trim_matches('"')));
        let other = super::Document::new("v1".into(), None, b"[]".to_vec());
        assert_ne!(other.etag, etag, "the tag follows the bytes");
    }
}
