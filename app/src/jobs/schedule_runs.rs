//! `ops.scheduled_runs`: one row per (schedule, scheduled time), so a scheduled run happens once
//! however many workers tick (docs/DESIGN.md, "Background work"). The worker that inserts the
//! row enqueues the run's job in the same transaction; the job marks it started and finished.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

/// Claims the run of `schedule` at `tick` for `worker`; false when another worker has it.
pub async fn claim(
    conn: &mut PgConnection,
    schedule: &str,
    tick: DateTime<Utc>,
    worker: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "INSERT INTO ops.scheduled_runs (schedule, scheduled_for, worker) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        schedule,
        tick,
        worker
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Marks a run started (counting executions: more than one would be a bug) …
pub async fn started(
    pool: &PgPool,
    schedule: &str,
    tick: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ops.scheduled_runs SET started_at = now(), executions = executions + 1 WHERE schedule = $1 AND scheduled_for = $2",
        schedule,
        tick
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// … and finished: `Err` holds the failure's message.
pub async fn finished(
    pool: &PgPool,
    schedule: &str,
    tick: DateTime<Utc>,
    outcome: Result<(), String>,
) -> Result<(), sqlx::Error> {
    let (outcome, error) = match outcome {
        Ok(()) => ("ok", None),
        Err(e) => ("failed", Some(e)),
    };
    sqlx::query!(
        "UPDATE ops.scheduled_runs SET finished_at = now(), outcome = $3, error = $4 WHERE schedule = $1 AND scheduled_for = $2",
        schedule,
        tick,
        outcome,
        error
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets runs older than 90 days and finished jobs older than 14: (runs, jobs).
pub async fn prune(conn: &mut PgConnection) -> Result<(u64, u64), sqlx::Error> {
    let runs = sqlx::query!(
        "DELETE FROM ops.scheduled_runs WHERE scheduled_for < now() - interval '90 days'"
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let jobs = sqlx::query!(
        "DELETE FROM apalis.jobs WHERE status = 'Done' AND done_at < now() - interval '14 days'"
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok((runs, jobs))
}
