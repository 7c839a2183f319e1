//! Deadlocks and serialisation failures abort a transaction that may simply run again
//! (docs/DESIGN.md, "Lock order"). Every write path that owns its transaction runs it through
//! [`retrying`]; what is still transient after the last attempt answers 503 with `Retry-After`.

use std::time::Duration;

use rand::Rng;

/// Attempts of one unit of work, the first included.
pub(crate) const ATTEMPTS: u32 = 4;

/// Whether `err`, or one of its causes, is a database error the transaction may be retried on.
pub(crate) fn is_transient(err: &(dyn std::error::Error + 'static)) -> bool {
    sqlstate(err).is_some_and(|code| matches!(code.as_str(), "40P01" | "40001"))
}

/// Why the database could not serve in time, when that is all `err` is: no connection free
/// before `database.acquire_timeout_secs`, a statement or lock timeout, too many connections, or
/// a conflict still there after the retries. Such a request may simply be sent again later.
pub(crate) fn busy(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(sqlx::Error::PoolTimedOut) = e.downcast_ref::<sqlx::Error>() {
            return Some("no database connection was free in time");
        }
        cause = e.source();
    }
    match sqlstate(err)?.as_str() {
        "57014" => Some("a database statement ran out of time"),
        "55P03" => Some("a database lock was not free in time"),
        "53300" => Some("the database has no connection left"),
        "40P01" | "40001" => Some("conflicting changes went on failing"),
        _ => None,
    }
}

/// The SQLSTATE of the first database error in `err`'s chain.
pub(crate) fn sqlstate(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(code) = e
            .downcast_ref::<sqlx::Error>()
            .and_then(|s| s.as_database_error())
            .and_then(|d| d.code())
        {
            return Some(code.into_owned());
        }
        cause = e.source();
    }
    None
}

/// Errors that can tell whether they are worth another attempt.
pub(crate) trait Transient {
    fn is_transient(&self) -> bool;
}

/// Runs `work` (which opens, and commits, its own transaction) again after a transient
/// failure, up to [`ATTEMPTS`] times, with a short random pause so the contenders spread out.
pub(crate) async fn retrying<T, E, F, Fut>(what: &'static str, mut work: F) -> Result<T, E>
where
    E: Transient + std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match work().await {
            Err(err) if attempt < ATTEMPTS && err.is_transient() => {
                tracing::warn!(error = %err, attempt, what, "transaction conflict, retrying");
                let pause = rand::rng().random_range(1..=10 * u64::from(attempt));
                tokio::time::sleep(Duration::from_millis(pause)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}
