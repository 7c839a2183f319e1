//! `ocpizza-worker`: the background work of OC Pizza on apalis (Postgres storage): emails,
//! stock alerts, and the schedules (nightly backup, hourly stock check, daily pruning), each
//! run exactly once however many workers run. See docs/ARCHITECTURE.md ("Background work").

mod alerts;
mod emails;
mod health;
mod mailer;
mod maintenance;
mod observe;
mod schedules;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use apalis::layers::WorkerBuilderExt;
use apalis::layers::retry::HasherRng;
use apalis::layers::retry::RetryPolicy;
use apalis::layers::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use apalis::prelude::{BackendExt, Monitor, PollWith, Strategy, WorkerBuilder};
use apalis_postgres::{Config as QueueConfig, PostgresStorage, Pubsub};
use clap::Parser;
use ocpizza::config::Config;
use ocpizza::jobs::{BackupJob, EmailJob, MaintenanceJob, queues};
use sqlx::PgPool;

#[derive(Parser)]
#[command(name = "ocpizza-worker", version, about = "OC Pizza background worker")]
struct Cli {
    /// Check configuration, database and mail settings, then exit.
    #[arg(long)]
    check: bool,
}

/// Jobs made pending again by `ocpizza-admin jobs retry` (an update, not a NOTIFY) are found by polling.
const POLL: Duration = Duration::from_secs(1);

/// A queue's storage, woken by NOTIFY on new jobs and polled every second (jobs put back by
/// `ocpizza-admin jobs retry` and orphans of a dead worker are updates, not inserts). A worker
/// fetches (and holds) no more jobs than it runs at once: those of a killed worker wait for the
/// orphan timeout.
fn storage<T>(
    pool: &PgPool,
    queue: &str,
    heartbeat: Duration,
    batch: usize,
) -> PollWith<PostgresStorage<T>, Strategy> {
    let config = QueueConfig::default()
        .queue(queue)
        .heartbeat_interval(heartbeat)
        .missed_heartbeats(3)
        .batch_size(batch.max(1));
    let wake = Strategy::new()
        .stream(Pubsub::new(pool.clone(), queue.to_string()))
        .interval(POLL);
    PostgresStorage::<T>::new(pool)
        .with_config(config)
        .poll_with_strategy(wake)
}

/// What every job handler shares.
pub struct Context {
    pub pool: PgPool,
    pub mailer: mailer::Mailer,
    pub config: Config,
    pub worker_id: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = ocpizza::config::load()?;
    ocpizza::telemetry::init(&config);
    let _sentry = ocpizza::telemetry::init_sentry(&config, "ocpizza-worker");
    ocpizza::metrics::install();
    let url = config.database.admin_url.as_ref().context(
        "database.admin_url is not set: set OCPIZZA_DATABASE__ADMIN_URL to the owner role's URL",
    )?;
    let pool = ocpizza::db::pool(url, &config.database)?;
    let state = ocpizza::db::migration_state(&pool)
        .await
        .context("connecting to the database")?;
    if !state.is_current() {
        anyhow::bail!(
            "database schema is at {:?}, this worker needs {:?}: run `ocpizza-admin migrate up`",
            state.applied,
            state.latest
        );
    }
    let mailer = mailer::Mailer::from_config(&config)?;
    if config.profile == ocpizza::config::Profile::Production && config.backup.s3.is_none() {
        anyhow::bail!(
            "backup.s3 is not set: production keeps the second copy of every backup in S3 (set OCPIZZA_BACKUP__S3__ENDPOINT, __REGION, __BUCKET, __ACCESS_KEY, __SECRET_KEY)"
        );
    }
    ocpizza::backup::Backups::new(pool.clone(), url, &config.backup).context("backup settings")?;
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    let worker_id = format!("ocpizza-worker-{host}-{}", std::process::id());
    let ctx = Arc::new(Context {
        pool: pool.clone(),
        mailer,
        config,
        worker_id: worker_id.clone(),
    });
    let (tz, schedules) = schedules::from_config(&ctx)?;
    if cli.check {
        println!("configuration, database, mail and backup settings are fine");
        return Ok(());
    }

    let health = health::serve(
        &ctx.config.worker.http_host,
        ctx.config.worker.http_port,
        worker_id.clone(),
        pool.clone(),
    )
    .await?;
    let alerts = tokio::spawn(alerts::run(ctx.clone()));
    let scheduler = tokio::spawn(schedules::run(ctx.clone(), tz, schedules));
    tracing::info!(worker = %worker_id, "worker started");

    let w = &ctx.config.worker;
    let (concurrency, retries) = (w.concurrency.max(1), ocpizza::jobs::ATTEMPTS - 1);
    let first_wait = Duration::from_millis(w.retry_backoff_ms.max(1));
    let heartbeat = Duration::from_secs(w.heartbeat_secs.max(1));
    let backoff = move || {
        ExponentialBackoffMaker::new(
            first_wait,
            Duration::from_secs(60).max(first_wait),
            0.5,
            HasherRng::default(),
        )
        .map(|mut m| m.make_backoff())
        .expect("a valid backoff")
    };
    let (p, c, id) = (pool.clone(), ctx.clone(), worker_id.clone());
    let monitor = Monitor::new()
        .register(move |_| {
            WorkerBuilder::new(format!("{id}-emails"))
                .backend(storage::<EmailJob>(
                    &p,
                    queues::EMAILS,
                    heartbeat,
                    concurrency,
                ))
                .data(c.clone())
                .concurrency(concurrency)
                .retry(RetryPolicy::retries(retries).with_backoff(backoff()))
                .build(emails::handle)
        })
        .register({
            let (p, c, id) = (pool.clone(), ctx.clone(), worker_id.clone());
            move |_| {
                WorkerBuilder::new(format!("{id}-maintenance"))
                    .backend(storage::<MaintenanceJob>(
                        &p,
                        queues::MAINTENANCE,
                        heartbeat,
                        1,
                    ))
                    .data(c.clone())
                    .concurrency(1)
                    .retry(RetryPolicy::retries(retries).with_backoff(backoff()))
                    .build(maintenance::handle)
            }
        })
        .register({
            let (p, c, id) = (pool.clone(), ctx.clone(), worker_id.clone());
            move |_| {
                WorkerBuilder::new(format!("{id}-backups"))
                    .backend(storage::<BackupJob>(&p, queues::BACKUPS, heartbeat, 1))
                    .data(c.clone())
                    .concurrency(1)
                    .build(maintenance::backup)
            }
        })
        .shutdown_timeout(Duration::from_secs(w.shutdown_timeout_secs));
    let signal = async {
        ocpizza::startup::shutdown_signal().await;
        Ok(())
    };
    let result = monitor.run_with_signal(signal).await;
    scheduler.abort();
    alerts.abort();
    health.abort();
    tracing::info!("worker stopped");
    result.context("running the workers")
}
