//! The instance's one LISTEN connection. A NOTIFY sent while it was reconnecting is lost, so
//! after every reconnect it publishes `Resync`: each stream then re-reads from its last event id.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;

use super::{Hub, Notice};

pub const CHANNEL: &str = "ocpizza_events";

/// Runs until the task is aborted.
pub async fn run(pool: PgPool, hub: Arc<Hub>) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match listen(&pool, &hub).await {
            Ok(()) => backoff = Duration::from_millis(200),
            Err(err) => {
                tracing::warn!(error = %err, retry_in_ms = backoff.as_millis(), "event listener failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
        hub.publish(Notice::Resync);
    }
}

async fn listen(pool: &PgPool, hub: &Hub) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    tracing::info!("listening for order events");
    loop {
        match listener.try_recv().await? {
            Some(n) => match serde_json::from_str::<Notice>(n.payload()) {
                Ok(notice) => hub.publish(notice),
                Err(err) => {
                    tracing::error!(error = %err, payload = n.payload(), "unreadable notice")
                }
            },
            None => {
                tracing::warn!(
                    "event listener reconnected: streams re-read what they may have missed"
                );
                hub.publish(Notice::Resync);
            }
        }
    }
}
