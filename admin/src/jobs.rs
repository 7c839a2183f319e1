//! `jobs failed` and `jobs retry ID`: the jobs that used up their retries, and giving one
//! another chance (after fixing what made it fail).

use anyhow::Context;
use clap::Subcommand;
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
    match cmd {
        JobsCommand::Failed { limit } => {
            let rows = sqlx::query!(
                r#"SELECT id, job_type, attempts, done_at, last_result::text AS "error?"
                   FROM apalis.jobs WHERE status IN ('Failed', 'Killed')
                   ORDER BY done_at DESC NULLS LAST LIMIT $1"#,
                limit
            )
            .fetch_all(pool)
            .await
            .context("reading the job queue (has `ocpizza-admin migrate up` run?)")?;
            println!(
                "{:<28} {:<22} {:>8}  {:<20} ERROR",
                "ID", "QUEUE", "ATTEMPTS", "FAILED AT"
            );
            for r in &rows {
                let at = r
                    .done_at
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
                    r.id, r.job_type, r.attempts, at
                );
            }
            println!("{} failed job(s)", rows.len());
        }
        JobsCommand::Retry { id } => {
            let done = sqlx::query!(
                r#"UPDATE apalis.jobs SET status = 'Pending', attempts = 0, run_at = now(), done_at = NULL,
                       lock_by = NULL, lock_at = NULL
                   WHERE id = $1 AND status IN ('Failed', 'Killed')"#,
                id
            )
            .execute(pool)
            .await
            .context("updating the job queue")?;
            if done.rows_affected() == 0 {
                anyhow::bail!("no failed job with id {id} (see `ocpizza-admin jobs failed`)");
            }
            println!("job {id} is queued again");
        }
    }
    Ok(())
}
