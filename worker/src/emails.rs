//! The email queue: the library composes each message (`ocpizza::email::compose`, with the owner
//! role: every pizzeria), this sends it, once: the message is claimed before it is sent and
//! marked sent after (`ocpizza::jobs::deliveries`), so a job run again after its worker died
//! does not send it again unless the worker died in the middle of sending. A send that fails
//! releases the claim and is retried with backoff.

use std::sync::Arc;
use std::time::{Duration, Instant};

use apalis::prelude::{BoxDynError, Data, TaskId};
use ocpizza::email;
use ocpizza::jobs::EmailJob;
use ocpizza::jobs::deliveries::{self, Claim, Delivery};

use crate::Context as WorkerContext;

pub async fn handle(
    job: EmailJob,
    id: TaskId,
    ctx: Data<Arc<WorkerContext>>,
) -> Result<(), BoxDynError> {
    let result = send(&job, &id.to_string(), &ctx).await;
    crate::observe::finished("emails", &result);
    result
}

async fn send(job: &EmailJob, event: &str, ctx: &WorkerContext) -> Result<(), BoxDynError> {
    let mut conn = ctx.pool.acquire().await?;
    let Some(message) = email::compose(&mut conn, &ctx.config.http.public_url, job).await? else {
        tracing::warn!(?job, "email skipped: its subject no longer exists");
        return Ok(());
    };
    let delivery = Delivery {
        event,
        channel: "email",
        recipient: &message.to,
    };
    // A claim is stale once its worker would be taken for dead (missed heartbeats).
    let stale_after = Duration::from_secs(3 * ctx.config.worker.heartbeat_secs.max(1));
    let deadline = Instant::now() + 2 * stale_after;
    loop {
        match deliveries::claim(&mut conn, &delivery, &ctx.worker_id, stale_after).await? {
            Claim::Ours => break,
            Claim::Sent => {
                tracing::info!(to = %message.to, event, "email already sent: not sent again");
                return Ok(());
            }
            Claim::Elsewhere if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Claim::Elsewhere => return Err("another worker is sending this email".into()),
        }
    }
    if let Err(err) = ctx.mailer.send(&message).await {
        deliveries::release(&mut conn, &delivery, &ctx.worker_id).await?;
        return Err(err.into());
    }
    deliveries::sent(&mut conn, &delivery, &ctx.worker_id).await?;
    tracing::info!(to = %message.to, subject = %message.subject, "email sent");
    Ok(())
}
