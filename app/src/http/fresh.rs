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
use tokio::sync::watch;

use super::Problem;
use crate::storage::sha256_hex;

/// The last outcome of a check, numbered in the order the checks started.
struct Outcome<V, E> {
    check: u64,
    result: Result<Arc<V>, E>,
}

type Last<V, E> = Option<Arc<Outcome<V, E>>>;

/// A value revalidated by single-flight checks.
pub(crate) struct Fresh<V, E> {
    /// How many checks have started.
    started: AtomicU64,
    /// Held by the one request running a check.
    turn: tokio::sync::Mutex<()>,
    /// The last outcome; every waiter wakes when it changes.
    last: watch::Sender<Last<V, E>>,
}

impl<V, E: Clone> Default for Fresh<V, E> {
    fn default() -> Self {
        Self {
            started: AtomicU64::new(0),
            turn: tokio::sync::Mutex::new(()),
            last: watch::Sender::new(None),
        }
    }
}

/// The turn of the one request running a check. Dropping it (the check ended, or the request
/// was dropped mid-check) releases the turn *then* wakes the waiters, so the one that wakes
/// first can take it.
struct Turn<'a, T> {
    held: Option<tokio::sync::MutexGuard<'a, ()>>,
    waiters: &'a watch::Sender<T>,
}

impl<T> Drop for Turn<'_, T> {
    fn drop(&mut self) {
        drop(self.held.take());
        self.waiters.send_modify(|_| ());
    }
}

impl<V, E: Clone> Fresh<V, E> {
    /// The value as of a check that started after this call. `check` is given the last value
    /// (to keep it when nothing changed) and runs only if no such check is running or done: the
    /// others wait for it. A failed check answers its error to those who waited on it.
    pub(crate) async fn get(
        &self,
        check: impl AsyncFnOnce(Option<Arc<V>>) -> Result<Arc<V>, E>,
    ) -> Result<Arc<V>, E> {
        let arrived = self.started.load(Ordering::SeqCst);
        let mut last = self.last.subscribe();
        loop {
            if let Some(o) = last.borrow_and_update().as_ref()
                && o.check > arrived
            {
                return o.result.clone();
            }
            let Ok(held) = self.turn.try_lock() else {
                // A check is running (it may have started before this request arrived, then
                // the next one is ours): wait until it ends. Its turn is released before the
                // waiters are woken, and this request has seen every change up to now, so the
                // wake-up cannot be missed.
                if last.changed().await.is_err() {
                    unreachable!("the sender lives as long as `self`");
                }
                continue;
            };
            let _turn = Turn {
                held: Some(held),
                waiters: &self.last,
            };
            // A check may have ended between the look above and the turn.
            let previous = match self.last.borrow().as_ref() {
                Some(o) if o.check > arrived => return o.result.clone(),
                Some(o) => o.result.as_ref().ok().cloned(),
                None => None,
            };
            let check_no = self.started.fetch_add(1, Ordering::SeqCst) + 1;
            let result = check(previous).await;
            self.last.send_replace(Some(Arc::new(Outcome {
                check: check_no,
                result: result.clone(),
            })));
            return result;
        }
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reader_that_arrives_during_a_check_gets_its_own_and_sees_what_it_ran_after() {
        for round in 0..100u64 {
            let fresh: Arc<Fresh<u64, String>> = Arc::new(Fresh::default());
            let source = Arc::new(AtomicU64::new(round));
            let (began, begun) = tokio::sync::oneshot::channel();
            let first = {
                let (fresh, source) = (Arc::clone(&fresh), Arc::clone(&source));
                tokio::spawn(async move {
                    fresh
                        .get(async |_| {
                            let seen = source.load(Ordering::SeqCst);
                            began.send(()).unwrap();
                            tokio::time::sleep(Duration::from_millis(2)).await;
                            Ok(Arc::new(seen))
                        })
                        .await
                })
            };
            begun.await.unwrap();
            // Written after the first check read, before the second reader asks.
            source.store(round + 1000, Ordering::SeqCst);
            let second = fresh.get(async |_| Ok(Arc::new(source.load(Ordering::SeqCst))));
            let second = tokio::time::timeout(Duration::from_secs(5), second)
                .await
                .expect("a reader waiting on a check is woken when it ends");
            assert_eq!(*second.unwrap(), round + 1000, "round {round}");
            assert_eq!(*first.await.unwrap().unwrap(), round);
        }
    }

    #[tokio::test]
    async fn a_reader_dropped_mid_check_hands_the_turn_to_the_next() {
        let fresh: Arc<Fresh<u64, String>> = Arc::new(Fresh::default());
        let (began, begun) = tokio::sync::oneshot::channel();
        let stuck = {
            let fresh = Arc::clone(&fresh);
            tokio::spawn(async move {
                fresh
                    .get(async |_| {
                        began.send(()).unwrap();
                        std::future::pending::<Result<Arc<u64>, String>>().await
                    })
                    .await
            })
        };
        begun.await.unwrap();
        let waiting = {
            let fresh = Arc::clone(&fresh);
            tokio::spawn(async move { fresh.get(async |_| Ok(Arc::new(5))).await })
        };
        tokio::task::yield_now().await;
        stuck.abort();
        let got = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("the waiter takes the turn of the dropped reader");
        assert_eq!(*got.unwrap().unwrap(), 5);
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
