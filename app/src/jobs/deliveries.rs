//! Each message sent, once (docs/DESIGN.md, "Emails"): the worker claims (event, channel,
//! recipient) before it sends and marks it sent after. The event is the queued job that asked
//! for the message, so a job run again (its worker was killed after sending, before the queue
//! heard) finds the message sent and stops; two messages of the same kind about the same order
//! (two changes of lines) are two jobs, two events.

use std::time::Duration;

use sqlx::PgConnection;

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This worker sends it now.
    Ours,
    /// Sent already: nothing to do.
    Sent,
    /// Another worker claimed it less than `stale_after` ago and has not marked it sent.
    Elsewhere,
}

pub struct Delivery<'a> {
    pub event: &'a str,
    pub channel: &'a str,
    pub recipient: &'a str,
}

/// Claims `d` for `worker`: a new row, or one not sent whose claim is this worker's own or older
/// than `stale_after` (its worker is gone).
pub async fn claim(
    conn: &mut PgConnection,
    d: &Delivery<'_>,
    worker: &str,
    stale_after: Duration,
) -> Result<Claim, sqlx::Error> {
    let stale_secs = i64::try_from(stale_after.as_secs()).unwrap_or(i64::MAX);
    let ours = sqlx::query_scalar!(
        r#"INSERT INTO ops.deliveries (event, channel, recipient, claimed_by, claimed_at)
           VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (event, channel, recipient) DO UPDATE
               SET claimed_by = EXCLUDED.claimed_by, claimed_at = EXCLUDED.claimed_at
               WHERE ops.deliveries.sent_at IS NULL
                 AND (ops.deliveries.claimed_by = EXCLUDED.claimed_by
                      OR ops.deliveries.claimed_at < now() - make_interval(secs => $5))
           RETURNING claimed_by"#,
        d.event,
        d.channel,
        d.recipient,
        worker,
        stale_secs as f64
    )
    .fetch_optional(&mut *conn)
    .await?;
    if ours.is_some() {
        return Ok(Claim::Ours);
    }
    let sent = sqlx::query_scalar!(
        "SELECT sent_at FROM ops.deliveries WHERE event = $1 AND channel = $2 AND recipient = $3",
        d.event,
        d.channel,
        d.recipient
    )
    .fetch_optional(conn)
    .await?
    .flatten();
    Ok(if sent.is_some() {
        Claim::Sent
    } else {
        Claim::Elsewhere
    })
}

/// Marks `d` sent (by the worker that claimed it).
pub async fn sent(
    conn: &mut PgConnection,
    d: &Delivery<'_>,
    worker: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ops.deliveries SET sent_at = now() WHERE event = $1 AND channel = $2 AND recipient = $3 AND claimed_by = $4",
        d.event,
        d.channel,
        d.recipient,
        worker
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Gives up a claim after a failed send, so the job's retry (by any worker) sends at once.
pub async fn release(
    conn: &mut PgConnection,
    d: &Delivery<'_>,
    worker: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM ops.deliveries WHERE event = $1 AND channel = $2 AND recipient = $3 AND claimed_by = $4 AND sent_at IS NULL",
        d.event,
        d.channel,
        d.recipient,
        worker
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Forgets deliveries claimed more than 14 days ago (their jobs are pruned then too).
pub async fn prune(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("DELETE FROM ops.deliveries WHERE claimed_at < now() - interval '14 days'")
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
