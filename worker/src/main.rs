//! `ocpizza-worker`: background jobs (emails, stock alerts, nightly backups). The job queue
//! arrives with the worker issue; today it checks its configuration and database, then waits.

use anyhow::Context;
use clap::Parser;

#[derive(Parser)]
#[command(name = "ocpizza-worker", version, about = "OC Pizza background worker")]
struct Cli {
    /// Check configuration and database, then exit instead of waiting for work.
    #[arg(long)]
    check: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = ocpizza::config::load()?;
    ocpizza::telemetry::init(&config);
    ocpizza::config::check_production_secrets(&config)?;
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
    tracing::info!("worker ready; no job queue yet");
    if cli.check {
        return Ok(());
    }
    ocpizza::startup::shutdown_signal().await;
    Ok(())
}
