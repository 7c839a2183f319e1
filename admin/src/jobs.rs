//! `jobs failed` and `jobs retry ID`: the jobs that used up their retries, and giving one
//! another chance (after fixing what made it fail).

use anyhow::Context;
use clap::Subcommand;
use ocpizza::jobs::failed;
use sqlx::PgPool;

#[derive(Subcommand)]
pub enum JobsCommand {
    /// Jobs that failed every attempt, newest first.
    Failed {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put a failed job back in its queue (a running worker picks it up within a second).
    Retry { id: String },
}

pub async fn run(pool: &PgPool, cmd: JobsCommand) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    match cmd {
        JobsCommand::Failed { limit } => {
            let (rows, total) = failed::list(&mut conn, limit, 0)
                .await
                .context("reading the job queue (has `ocpizza-admin migrate up` run?)")?;
            println!(
                "{:<28} {:<22} {:>8}  {:<20} ERROR",
                "ID", "QUEUE", "ATTEMPTS", "FAILED AT"
            );
            for r in &rows {
                let at = r
                    .failed_at
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                let error: String = r
                    .error
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(120)
                    .collect();
                println!(
                    "{:<28} {:<22} {:>8}  {:<20} {error}",
                    r.id, r.queue, r.attempts, at
                );
            }
            println!("{} failed job(s) of {total}", rows.len());
        }
        JobsCommand::Retry { id } => {
            // The id as listed (a ULID), or the UUID the admin API shows for it.
            let id = id
                .parse::<uuid::Uuid>()
                .map(failed::uuid_to_ulid)
                .unwrap_or(id);
            if !failed::retry(&mut conn, &id)
                .await
                .context("updating the job queue")?
            {
                anyhow::bail!("no failed job with id {id} (see `ocpizza-admin jobs failed`)");
            }
            println!("job {id} is queued again");
        }
    }
    Ok(())
}
