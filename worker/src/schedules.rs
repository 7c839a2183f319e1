//! Schedules (cron, in `worker.timezone`) that run exactly once however many workers run them
//! (docs/DESIGN.md, "Background work"): a tick is claimed by inserting its row in
//! `ops.scheduled_runs`; the worker whose insert succeeds enqueues the job in the same
//! transaction, the others find the row and skip.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ocpizza::jobs::{self, BackupJob, MaintenanceJob, schedule_runs};

use crate::Context;

pub struct Schedule {
    pub name: &'static str,
    pub cron: cron::Schedule,
}

/// A restarted worker still runs the latest tick it missed within this window.
const CATCH_UP: chrono::Duration = chrono::Duration::minutes(10);

pub fn from_config(ctx: &Context) -> anyhow::Result<(Tz, Vec<Schedule>)> {
    let w = &ctx.config.worker;
    let tz: Tz = w
        .timezone
        .parse()
        .map_err(|_| anyhow::anyhow!("worker.timezone {:?} is not a timezone", w.timezone))?;
    let parse = |name: &'static str, expr: &str| -> anyhow::Result<Schedule> {
        let cron = cron::Schedule::from_str(expr).with_context(|| format!("worker.schedules.{name} {expr:?} is not a cron expression (sec min hour day month weekday)"))?;
        Ok(Schedule { name, cron })
    };
    Ok((
        tz,
        vec![
            parse("backup", &w.schedules.backup)?,
            parse("drill", &w.schedules.drill)?,
            parse("stock_check", &w.schedules.stock_check)?,
            parse("prune", &w.schedules.prune)?,
        ],
    ))
}

pub async fn run(ctx: Arc<Context>, tz: Tz, schedules: Vec<Schedule>) {
    let mut checked = Utc::now() - CATCH_UP;
    loop {
        let now = Utc::now();
        for s in &schedules {
            // Only the latest due tick: a worker that was down does not replay a backlog.
            let due = s
                .cron
                .after(&checked.with_timezone(&tz))
                .take_while(|t| *t <= now)
                .last();
            if let Some(tick) = due {
                match claim(&ctx, s.name, tick.with_timezone(&Utc)).await {
                    Ok(true) => tracing::info!(schedule = s.name, %tick, "scheduled run claimed"),
                    Ok(false) => {
                        tracing::debug!(schedule = s.name, %tick, "scheduled run already claimed elsewhere")
                    }
                    Err(err) => {
                        tracing::error!(schedule = s.name, error = %format!("{err:#}"), "could not claim a scheduled run")
                    }
                }
            }
        }
        checked = now;
        let next = schedules
            .iter()
            .filter_map(|s| s.cron.after(&now.with_timezone(&tz)).next())
            .min();
        let wait = next.map_or(Duration::from_secs(1), |t| {
            (t.with_timezone(&Utc) - Utc::now())
                .to_std()
                .unwrap_or_default()
        });
        tokio::time::sleep(wait.clamp(Duration::from_millis(50), Duration::from_secs(1))).await;
    }
}

/// Claims one tick; true if this worker got it (and enqueued its job).
pub async fn claim(ctx: &Context, schedule: &str, tick: DateTime<Utc>) -> anyhow::Result<bool> {
    let mut tx = ctx.pool.begin().await?;
    if !schedule_runs::claim(&mut tx, schedule, tick, &ctx.worker_id).await? {
        return Ok(false);
    }
    let key = format!("schedule:{schedule}:{}", tick.to_rfc3339());
    match schedule {
        "backup" => {
            jobs::backup(
                &mut tx,
                &BackupJob::Nightly {
                    scheduled_for: tick,
                },
                key,
            )
            .await?
        }
        "drill" => {
            jobs::backup(
                &mut tx,
                &BackupJob::Drill {
                    scheduled_for: tick,
                },
                key,
            )
            .await?
        }
        "stock_check" => {
            jobs::maintenance(
                &mut tx,
                &MaintenanceJob::StockCheck {
                    scheduled_for: tick,
                },
                key,
            )
            .await?
        }
        "prune" => {
            jobs::maintenance(
                &mut tx,
                &MaintenanceJob::Prune {
                    scheduled_for: tick,
                },
                key,
            )
            .await?
        }
        other => anyhow::bail!("unknown schedule {other}"),
    }
    tx.commit().await?;
    Ok(true)
}

/// Marks a run started (counting executions: more than one would be a bug) …
pub async fn started(ctx: &Context, schedule: &str, tick: DateTime<Utc>) -> anyhow::Result<()> {
    Ok(schedule_runs::started(&ctx.pool, schedule, tick).await?)
}

/// … and finished, with its outcome.
pub async fn finished(
    ctx: &Context,
    schedule: &str,
    tick: DateTime<Utc>,
    result: &anyhow::Result<String>,
) -> anyhow::Result<()> {
    let outcome = match result {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("{e:#}")),
    };
    Ok(schedule_runs::finished(&ctx.pool, schedule, tick, outcome).await?)
}
