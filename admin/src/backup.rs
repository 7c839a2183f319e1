//! `backup run|list|verify|restore` and `maintenance on|off`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;
use clap::Subcommand;
use ocpizza::backup::{Backups, Kind, RestoreSource, maintenance, registry};
use ocpizza::config::Config;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Back up now (to the backup directory and S3).
    Run,
    /// Every backup, with the state of both copies.
    List,
    /// Delete the backups older than `backup.retention_days` from both places (never the newest
    /// good one). `backup run` and the nightly backup do this too.
    Prune,
    /// The restore drill: restore a backup (default: the latest good one) into a scratch
    /// database and check it against its manifest.
    Verify { id: Option<Uuid> },
    /// Restore the application's data from a backup (an id from `backup list`, or a .dump file
    /// with its manifest beside it). Takes a safety backup first; maintenance mode meanwhile.
    Restore {
        /// Backup id or path of a .dump file.
        backup: String,
        /// Required: the current data is replaced.
        #[arg(long)]
        yes: bool,
        /// Restore everything (operational state too) into an empty database: disaster recovery.
        #[arg(long)]
        full: bool,
    },
}

#[derive(Subcommand)]
pub enum MaintenanceCommand {
    /// The app API answers 503 with the message until `maintenance off`.
    On {
        #[arg(long, default_value = "")]
        message: String,
    },
    Off,
    /// Is it on?
    Status,
}

fn backups(pool: &PgPool, config: &Config) -> anyhow::Result<Backups> {
    let url = config
        .database
        .admin_url
        .as_ref()
        .context("database.admin_url is not set")?;
    Backups::new(pool.clone(), url, &config.backup)
}

fn operator() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "operator".into())
    )
}

pub async fn run(pool: &PgPool, config: &Config, cmd: BackupCommand) -> anyhow::Result<()> {
    let b = backups(pool, config)?;
    match cmd {
        BackupCommand::Run => {
            let row = b.run(Kind::Manual).await?;
            println!(
                "backup {} done: {} ({} bytes, sha256 {})",
                row.id,
                row.file_name,
                row.bytes.unwrap_or(0),
                row.sha256.unwrap_or_default()
            );
            println!("  local: {}", row.local_path.unwrap_or_default());
            match row.s3_key {
                Some(key) => println!("  s3:    {key}"),
                None => {
                    println!("  s3:    not configured (backup.s3): this backup has one copy only")
                }
            }
        }
        BackupCommand::List => {
            let rows = registry::list(pool).await.context("reading the registry")?;
            println!(
                "{:<36} {:<13} {:<17} {:<8} {:>10}  {:<7} {:<7} {:<17} FILE",
                "ID", "KIND", "STARTED (UTC)", "OUTCOME", "BYTES", "LOCAL", "S3", "VERIFIED"
            );
            for r in &rows {
                let (local, s3) = if r.outcome == "ok" && r.pruned_at.is_none() {
                    let (l, s) = b.check_copies(r).await?;
                    (
                        l.as_str().to_string(),
                        s.map_or("-".to_string(), |s| s.as_str().to_string()),
                    )
                } else if r.pruned_at.is_some() {
                    ("pruned".into(), "pruned".into())
                } else {
                    ("-".into(), "-".into())
                };
                let verified = match (&r.verified_at, &r.verify_error) {
                    (_, Some(_)) => "FAILED".to_string(),
                    (Some(t), None) => t.format("%Y-%m-%d %H:%M").to_string(),
                    (None, None) => "never".to_string(),
                };
                println!(
                    "{:<36} {:<13} {:<17} {:<8} {:>10}  {:<7} {:<7} {:<17} {}",
                    r.id,
                    r.kind,
                    r.started_at.format("%Y-%m-%d %H:%M"),
                    r.outcome,
                    r.bytes.unwrap_or(0),
                    local,
                    s3,
                    verified,
                    r.file_name
                );
                if let Some(e) = r.error.as_ref().or(r.verify_error.as_ref()) {
                    println!("    error: {e}");
                }
            }
            match registry::age_of_latest_good(pool).await? {
                Some(age) => println!(
                    "{} backup(s); the latest good one is {} h {} min old",
                    rows.len(),
                    age.num_hours(),
                    age.num_minutes() % 60
                ),
                None => println!("{} backup(s); none is good", rows.len()),
            }
        }
        BackupCommand::Prune => {
            let pruned = b.prune().await?;
            for file in &pruned {
                println!("pruned {file}");
            }
            println!("{} backup(s) pruned", pruned.len());
        }
        BackupCommand::Verify { id } => {
            let started = Utc::now();
            let id = b.verify(id).await?;
            println!(
                "backup {id} restores and matches its manifest (drill took {:.1} s)",
                (Utc::now() - started).num_milliseconds() as f64 / 1000.0
            );
        }
        BackupCommand::Restore { backup, yes, full } => {
            if !yes {
                anyhow::bail!(
                    "restore replaces the current data: run it again with --yes to confirm"
                );
            }
            let source = match backup.parse::<Uuid>() {
                Ok(id) => RestoreSource::Id(id),
                Err(_) => RestoreSource::File(PathBuf::from(&backup)),
            };
            let report = if full {
                b.restore_full(&source).await?
            } else {
                b.restore(&source, &operator()).await?
            };
            println!(
                "restored {} (from the {} copy) in {:.1} s",
                report.file, report.fetched_from, report.seconds
            );
            if let Some(safety) = report.safety_backup {
                println!("the data before the restore is in safety backup {safety}");
            }
        }
    }
    Ok(())
}

pub async fn maintenance_cmd(pool: &PgPool, cmd: MaintenanceCommand) -> anyhow::Result<()> {
    match cmd {
        MaintenanceCommand::On { message } => {
            maintenance::set(pool, true, &message, &operator()).await?;
            println!(
                "maintenance mode on: the app and admin APIs answer 503 (within half a second on every server)"
            );
        }
        MaintenanceCommand::Off => {
            maintenance::set(pool, false, "", &operator()).await?;
            println!("maintenance mode off");
        }
        MaintenanceCommand::Status => {
            let m = maintenance::get(pool).await?;
            println!(
                "maintenance mode {}{}",
                if m.enabled { "on" } else { "off" },
                if m.message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", m.message)
                }
            );
        }
    }
    Ok(())
}
