//! Scheduled work: the hourly stock check, the daily pruning, the nightly backup and the weekly
//! restore drill (a failure of either emails the platform admins).

use std::sync::Arc;

use anyhow::Context as _;
use apalis::prelude::{BoxDynError, Data};
use ocpizza::backup::{Backups, Kind};
use ocpizza::jobs::{BackupJob, EmailJob, MaintenanceJob};

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
    crate::observe::finished(name, &result);
    result.map(|_| ()).map_err(Into::into)
}

pub async fn backup(job: BackupJob, ctx: Data<Arc<Context>>) -> Result<(), BoxDynError> {
    let (name, tick) = match &job {
        BackupJob::Nightly { scheduled_for } => ("backup", *scheduled_for),
        BackupJob::Drill { scheduled_for } => ("drill", *scheduled_for),
    };
    schedules::started(&ctx, name, tick).await?;
    let result = run_backup(&ctx, &job).await;
    if let Err(err) = &result {
        tracing::error!(schedule = name, error = %format!("{err:#}"), "backup job failed: telling the platform admins");
        alert_admins(&ctx, &format!("{name}: {err:#}")).await?;
    }
    schedules::finished(&ctx, name, tick, &result).await?;
    crate::observe::finished(name, &result);
    // A failed backup is reported, not retried blindly: the next one runs on schedule, and an
    // operator can run `ocpizza-admin backup run` once the cause is fixed.
    Ok(())
}

async fn run_backup(ctx: &Context, job: &BackupJob) -> anyhow::Result<String> {
    let url = ctx
        .config
        .database
        .admin_url
        .as_ref()
        .context("database.admin_url is not set")?;
    let backups = Backups::new(ctx.pool.clone(), url, &ctx.config.backup)?;
    match job {
        BackupJob::Nightly { .. } => {
            let b = backups.run(Kind::Scheduled).await?;
            Ok(format!(
                "backup {} ({} bytes)",
                b.file_name,
                b.bytes.unwrap_or(0)
            ))
        }
        BackupJob::Drill { .. } => Ok(format!(
            "backup {} restores and matches its manifest",
            backups.verify(None).await?
        )),
    }
}

/// One email to every platform administrator.
async fn alert_admins(ctx: &Context, error: &str) -> anyhow::Result<()> {
    let mut tx = ctx.pool.begin().await?;
    let admins = ocpizza::accounts::store::platform_admin_ids(&mut tx).await?;
    for recipient in admins {
        let job = EmailJob::BackupFailed {
            recipient,
            error: error.to_string(),
            at: chrono::Utc::now(),
        };
        ocpizza::jobs::email(&mut tx, &job).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Reminders of ingredients still low (`stock::alerts::remind_still_low`).
async fn stock_check(ctx: &Context) -> anyhow::Result<String> {
    let inserted = ocpizza::stock::alerts::remind_still_low(&ctx.pool).await?;
    Ok(format!("{inserted} reminders of low stock"))
}

/// Deletes the pizzerias whose offboarding grace period is over, each in its own transaction.
async fn purge_offboarded(ctx: &Context) -> anyhow::Result<usize> {
    let mut conn = ctx.pool.acquire().await?;
    let due = ocpizza::tenancy::store::offboarded(&mut conn).await?;
    drop(conn);
    for (id, slug) in &due {
        let mut tx = ctx.pool.begin().await?;
        ocpizza::tenancy::store::purge(&mut tx, *id)
            .await
            .with_context(|| format!("deleting the data of {slug}"))?;
        ocpizza::audit::platform(
            &mut tx,
            None,
            "tenant.delete",
            slug,
            serde_json::json!({ "reason": "offboarding grace period over" }),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(pizzeria = %slug, "offboarded pizzeria deleted");
    }
    Ok(due.len())
}

/// Forgets what is no longer needed: expired idempotency keys and tokens, old finished jobs
/// and schedule runs, offboarded pizzerias past their grace period.
async fn prune(ctx: &Context) -> anyhow::Result<String> {
    let mut tx = ctx.pool.begin().await?;
    let keys = ocpizza::orders::idempotency::prune(&mut tx).await?;
    let (refresh, account) = ocpizza::accounts::store::prune_tokens(&mut tx).await?;
    let (runs, jobs) = ocpizza::jobs::schedule_runs::prune(&mut tx).await?;
    let deliveries = ocpizza::jobs::deliveries::prune(&mut tx).await?;
    let attempts = ocpizza::auth::rate_limit::prune(&mut tx).await?;
    let servers = ocpizza::backup::maintenance::prune_instances(&mut tx).await?;
    tx.commit().await?;
    let offboarded = purge_offboarded(ctx).await?;
    Ok(format!(
        "pruned {keys} idempotency keys, {refresh} refresh tokens, {account} account tokens, {jobs} finished jobs, {deliveries} delivery records, {attempts} login attempts, {servers} servers gone, {runs} schedule runs; deleted {offboarded} offboarded pizzerias"
    ))
}
