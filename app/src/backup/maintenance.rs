//! Maintenance mode: a flag in `ops.maintenance` (kept across restores). While it is on, the
//! app API answers 503 with its message; the app reads it at most every few seconds.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::PgPool;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maintenance {
    pub enabled: bool,
    pub message: String,
}

pub async fn set(pool: &PgPool, enabled: bool, message: &str, by: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE ops.maintenance SET enabled = $1, message = $2, changed_at = now(), changed_by = $3 WHERE id = 1",
        enabled,
        message,
        by
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn get(pool: &PgPool) -> Result<Maintenance, sqlx::Error> {
    let row = sqlx::query!("SELECT enabled, message FROM ops.maintenance WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(row.map_or(
        Maintenance {
            enabled: false,
            message: String::new(),
        },
        |r| Maintenance {
            enabled: r.enabled,
            message: r.message,
        },
    ))
}

/// The flag as the app sees it: re-read at most every `ttl`.
pub struct MaintenanceCache {
    ttl: Duration,
    cached: Mutex<Option<(Instant, Maintenance)>>,
}

impl MaintenanceCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            cached: Mutex::new(None),
        }
    }

    pub async fn current(&self, pool: &PgPool) -> Maintenance {
        {
            let cached = self
                .cached
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((at, m)) = cached.as_ref()
                && at.elapsed() < self.ttl
            {
                return m.clone();
            }
        }
        // An unreadable flag (database down, schema behind) does not block the API.
        let m = get(pool).await.unwrap_or(Maintenance {
            enabled: false,
            message: String::new(),
        });
        *self
            .cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), m.clone()));
        m
    }
}
