//! The stock-alert outbox: the database records each crossing of an ingredient's threshold
//! (`stock_alerts`, by trigger, in the transaction that moved the stock); this loop turns each
//! new row into emails to the pizzeria's owners and managers and stamps it, in one transaction.
//! `FOR UPDATE SKIP LOCKED` lets several workers share the work without sending twice.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::Context;

/// Runs until aborted: on every NOTIFY of a crossing, and every few seconds in case one was missed.
pub async fn run(ctx: Arc<Context>) {
    let mut listener = match PgListener::connect_with(&ctx.pool).await {
        Ok(mut l) => l.listen("ocpizza_stock_alerts").await.map(|()| l).ok(),
        Err(err) => {
            tracing::warn!(error = %err, "stock alerts: no LISTEN connection, polling only");
            None
        }
    };
    loop {
        match relay(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(alerts = n, "stock alerts sent"),
            Err(err) => tracing::error!(error = %format!("{err:#}"), "stock alerts relay failed"),
        }
        let wait = Duration::from_secs(5);
        match listener.as_mut() {
            Some(l) => {
                let _ = tokio::time::timeout(wait, l.try_recv()).await;
            }
            None => tokio::time::sleep(wait).await,
        }
    }
}

/// Sends what is pending; returns how many alerts were handled.
pub async fn relay(ctx: &Context) -> anyhow::Result<usize> {
    ocpizza::stock::alerts::relay(&ctx.pool).await
}
