//! The email queue: the library composes each message (`ocpizza::email::compose`, with the owner
//! role: every pizzeria), this sends it. A send that fails is retried with backoff.

use std::sync::Arc;

use apalis::prelude::{BoxDynError, Data};
use ocpizza::email;
use ocpizza::jobs::EmailJob;

use crate::Context as WorkerContext;

pub async fn handle(job: EmailJob, ctx: Data<Arc<WorkerContext>>) -> Result<(), BoxDynError> {
    let result = send(&job, &ctx).await;
    crate::observe::finished("emails", &result);
    result
}

async fn send(job: &EmailJob, ctx: &WorkerContext) -> Result<(), BoxDynError> {
    let mut conn = ctx.pool.acquire().await?;
    match email::compose(&mut conn, &ctx.config.http.public_url, job).await? {
        Some(message) => {
            ctx.mailer.send(&message).await?;
            tracing::info!(to = %message.to, subject = %message.subject, "email sent");
        }
        None => tracing::warn!(?job, "email skipped: its subject no longer exists"),
    }
    Ok(())
}
