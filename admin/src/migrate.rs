//! `migrate up|down [N]|status`.

use anyhow::Context;
use clap::Subcommand;
use ocpizza::db::MIGRATOR;
use sqlx::PgPool;

#[derive(Subcommand)]
pub enum MigrateCommand {
    /// Apply every pending migration.
    Up,
    /// Revert the last N applied migrations (default 1).
    Down {
        #[arg(default_value_t = 1)]
        n: usize,
    },
    /// List migrations and whether each is applied.
    Status,
}

pub async fn run(
    pool: &PgPool,
    config: &ocpizza::config::Config,
    cmd: MigrateCommand,
) -> anyhow::Result<()> {
    match cmd {
        MigrateCommand::Up => {
            let before = applied(pool).await?;
            let pending = MIGRATOR
                .iter()
                .filter(|m| m.migration_type.is_up_migration())
                .any(|m| !before.contains(&m.version));
            if pending
                && !before.is_empty()
                && config.profile == ocpizza::config::Profile::Production
            {
                // Production never changes its schema without a backup to come back to.
                let url = config
                    .database
                    .admin_url
                    .as_ref()
                    .context("database.admin_url is not set")?;
                let backups = ocpizza::backup::Backups::new(pool.clone(), url, &config.backup)?;
                let kind = ocpizza::backup::Kind::PreMigration;
                let failed = "the backup before migrating failed: nothing was migrated";
                if ocpizza::backup::registry::exists(pool).await? {
                    let b = backups.run(kind).await.context(failed)?;
                    println!("backup before migrating: {} ({})", b.id, b.file_name);
                } else {
                    let file = backups.run_unregistered(kind).await.context(failed)?;
                    println!(
                        "backup before migrating: {file} (the schema predates the backups registry: not listed by `backup list`)"
                    );
                }
            }
            ocpizza::db::migrate(pool).await?;
            let after = applied(pool).await?;
            let new: Vec<_> = after.iter().filter(|v| !before.contains(v)).collect();
            if new.is_empty() {
                println!(
                    "database is up to date ({} migrations applied)",
                    after.len()
                );
            } else {
                for v in new {
                    println!("applied {v} {}", description(*v));
                }
            }
        }
        MigrateCommand::Down { n } => {
            let mut versions = applied(pool).await?;
            versions.sort_unstable_by(|a, b| b.cmp(a));
            if versions.is_empty() {
                println!("no migration is applied");
                return Ok(());
            }
            let target = versions.get(n).copied().unwrap_or(0);
            MIGRATOR
                .undo(pool, target)
                .await
                .context("reverting migrations")?;
            for v in versions.iter().take(n) {
                println!("reverted {v} {}", description(*v));
            }
        }
        MigrateCommand::Status => {
            let done = applied(pool).await?;
            for m in MIGRATOR
                .iter()
                .filter(|m| m.migration_type.is_up_migration())
            {
                let state = if done.contains(&m.version) {
                    "applied"
                } else {
                    "pending"
                };
                println!("{:<8} {} {}", state, m.version, m.description);
            }
        }
    }
    Ok(())
}

fn description(version: i64) -> String {
    MIGRATOR
        .iter()
        .find(|m| m.version == version)
        .map(|m| m.description.to_string())
        .unwrap_or_default()
}

async fn applied(pool: &PgPool) -> anyhow::Result<Vec<i64>> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL")
            .fetch_one(pool)
            .await
            .context("connecting to the database (database.admin_url)")?;
    if !exists {
        return Ok(vec![]);
    }
    let versions =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(pool)
            .await
            .context("reading applied migrations")?;
    Ok(versions)
}
