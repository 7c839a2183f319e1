//! Command-line shape. Every command but `secret generate` uses `database.admin_url`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use ocpizza::config::Config;
use sqlx::PgPool;

use crate::{backup, demo, jobs, migrate, secret, tenant, user};

#[derive(Parser)]
#[command(name = "ocpizza-admin", version, about = "OC Pizza operator CLI", long_about = None)]
pub struct Cli {
    /// Log what is done (debug level).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the admin API on admin.host:admin.port (needs database.url and database.admin_url).
    Serve,
    /// Database schema migrations.
    #[command(subcommand)]
    Migrate(migrate::MigrateCommand),
    /// Pizzerias (tenants).
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// Accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Secrets for the configuration.
    #[command(subcommand)]
    Secret(secret::SecretCommand),
    /// Backups, restores and the restore drill.
    #[command(subcommand)]
    Backup(backup::BackupCommand),
    /// Maintenance mode of the app API.
    #[command(subcommand)]
    Maintenance(backup::MaintenanceCommand),
    /// Background jobs.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// Demonstration data.
    #[command(subcommand)]
    Demo(demo::DemoCommand),
}

/// A pool on the owner role's URL (`database.admin_url`).
pub fn admin_pool(config: &Config) -> anyhow::Result<PgPool> {
    let url = config.database.admin_url.as_ref().context(
        "database.admin_url is not set: set OCPIZZA_DATABASE__ADMIN_URL to the owner role's URL",
    )?;
    ocpizza::db::pool(url, &config.database)
        .context("database.admin_url is not a valid PostgreSQL URL")
}
