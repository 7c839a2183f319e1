//! Scheduled housekeeping: the hourly stock check and the daily pruning; and the nightly backup
//! job, whose body comes with the backups work (it records the run and says so).

use std::sync::Arc;

use apalis::prelude::{BoxDynError, Data};
use ocpizza::jobs::{BackupJob, MaintenanceJob};

use crate::{Context, schedules};

pub async fn handle(job: MaintenanceJob, ctx: Data<Arc<Context>>) -> Result<(), BoxDynError> {
    let (name, tick) = match &job {
        MaintenanceJob::StockCheck { scheduled_for } => ("stock_check", *scheduled_for),
        MaintenanceJob::Prune { scheduled_for } => ("prune", *scheduled_for),
    };
    schedules::started(&ctx, name, tick).await?;
    let result = match job {
        MaintenanceJob::StockCheck { .. } => stock_check(&ctx).await,
        MaintenanceJob::Prune { .. } => prune(&ctx).await,
    };
    match &result {
        Ok(summary) => tracing::info!(schedule = name, %summary, "scheduled job done"),
        Err(err) => {
            tracing::error!(schedule = name, error = %format!("{err:#}"), "scheduled job failed")
        }
    }
    schedules::finished(&ctx, name, tick, &result).await?;
    result.map(|_| ()).map_err(Into::into)
}

pub async fn backup(job: BackupJob, ctx: Data<Arc<Context>>) -> Result<(), BoxDynError> {
    schedules::started(&ctx, "backup", job.scheduled_for).await?;
    let result: anyhow::Result<String> = Err(anyhow::anyhow!(
        "nightly backups are not implemented yet (the backups work); this run only proves the schedule"
    ));
    tracing::warn!(scheduled_for = %job.scheduled_for, "backup schedule fired; backups are not implemented yet");
    schedules::finished(&ctx, "backup", job.scheduled_for, &result).await?;
    Ok(())
}

/// Ingredients still at or below their threshold without any alert for a day get a reminder
/// (crossings themselves are caught by the database as they happen).
async fn stock_check(ctx: &Context) -> anyhow::Result<String> {
    let inserted = sqlx::query!(
        r#"INSERT INTO stock_alerts (tenant_id, ingredient_id, quantity, threshold, reason)
           SELECT i.tenant_id, i.id, i.quantity_on_hand, i.alert_threshold, 'still_low'
           FROM ingredients i
           WHERE i.quantity_on_hand <= i.alert_threshold
             AND NOT EXISTS (SELECT 1 FROM stock_alerts a WHERE a.tenant_id = i.tenant_id AND a.ingredient_id = i.id
                             AND a.created_at > now() - interval '1 day')"#
    )
    .execute(&ctx.pool)
    .await?
    .rows_affected();
    Ok(format!("{inserted} reminders of low stock"))
}

/// Forgets what is no longer needed: expired idempotency keys and tokens, old finished jobs
/// and schedule runs.
async fn prune(ctx: &Context) -> anyhow::Result<String> {
    let mut tx = ctx.pool.begin().await?;
    let keys = sqlx::query!("DELETE FROM idempotency_keys WHERE expires_at < now()")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let refresh = sqlx::query!("DELETE FROM refresh_tokens WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days'")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let account = sqlx::query!("DELETE FROM account_tokens WHERE expires_at < now() - interval '7 days' OR used_at < now() - interval '7 days'")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let jobs = sqlx::query!(
        "DELETE FROM apalis.jobs WHERE status = 'Done' AND done_at < now() - interval '14 days'"
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let runs = sqlx::query!(
        "DELETE FROM ops.scheduled_runs WHERE scheduled_for < now() - interval '90 days'"
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(format!(
        "pruned {keys} idempotency keys, {refresh} refresh tokens, {account} account tokens, {jobs} finished jobs, {runs} schedule runs"
    ))
}
