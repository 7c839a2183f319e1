//! Maintenance mode: a flag in `ops.maintenance` (kept across restores). While it is on, both
//! servers answer 503 with its message. Each server watches the flag (twice a second) and
//! reports in `ops.instances` when it last looked and whether it has stopped for the current
//! switch-on with no request left in flight; a restore replaces the data only once every live
//! server has (docs/DESIGN.md, "Backups and restores").

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maintenance {
    pub enabled: bool,
    pub message: String,
    /// When it was last switched (on or off).
    pub changed_at: DateTime<Utc>,
}

/// Switches maintenance on or off; returns the time of the switch.
pub async fn set(
    pool: &PgPool,
    enabled: bool,
    message: &str,
    by: &str,
) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE ops.maintenance SET enabled = $1, message = $2, changed_at = clock_timestamp(), changed_by = $3 WHERE id = 1 RETURNING changed_at",
        enabled,
        message,
        by
    )
    .fetch_one(pool)
    .await
}

pub async fn get(pool: &PgPool) -> Result<Maintenance, sqlx::Error> {
    let row = sqlx::query!("SELECT enabled, message, changed_at FROM ops.maintenance WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(row.map_or(
        Maintenance {
            enabled: false,
            message: String::new(),
            changed_at: DateTime::<Utc>::MIN_UTC,
        },
        |r| Maintenance {
            enabled: r.enabled,
            message: r.message,
            changed_at: r.changed_at,
        },
    ))
}

/// How long a server may go without reporting before a restore stops waiting for it.
const LIVE_WITHIN_SECS: f64 = 5.0;

/// Waits until every live server has stopped for the switch-on at `since` (or `within` runs
/// out: the error names those that did not answer).
pub async fn wait_until_drained(
    pool: &PgPool,
    since: DateTime<Utc>,
    within: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let waiting: Vec<String> = sqlx::query_scalar!(
            r#"SELECT id FROM ops.instances
               WHERE seen_at > now() - make_interval(secs => $1)
                 AND (drained_for IS NULL OR drained_for < $2)
               ORDER BY id"#,
            LIVE_WITHIN_SECS,
            since
        )
        .fetch_all(pool)
        .await?;
        if waiting.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "{} server(s) did not confirm maintenance mode within {} s: {}",
                waiting.len(),
                within.as_secs(),
                waiting.join(", ")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Forgets servers not seen for a day (those that crashed never left).
pub async fn prune_instances(conn: &mut sqlx::PgConnection) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query!("DELETE FROM ops.instances WHERE seen_at < now() - interval '1 day'")
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// One server's view of the flag, and its requests in flight.
pub struct MaintenanceWatch {
    instance: String,
    kind: &'static str,
    current: RwLock<Maintenance>,
    in_flight: AtomicUsize,
    /// Run when maintenance is seen switching on (the app ends its open event streams).
    on_switch_on: OnceLock<Box<dyn Fn() + Send + Sync>>,
}

/// A request let through: counted in flight until dropped.
pub struct InFlight(Arc<MaintenanceWatch>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl MaintenanceWatch {
    /// `kind`: `app` or `admin`.
    pub fn new(kind: &'static str) -> Arc<Self> {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        let random = Uuid::new_v4().simple().to_string();
        Arc::new(Self {
            instance: format!("{kind}-{host}-{}-{}", std::process::id(), &random[..8]),
            kind,
            current: RwLock::new(Maintenance {
                enabled: false,
                message: String::new(),
                changed_at: DateTime::<Utc>::MIN_UTC,
            }),
            in_flight: AtomicUsize::new(0),
            on_switch_on: OnceLock::new(),
        })
    }

    /// What to do when maintenance is seen switching on (set once).
    pub fn when_switched_on(&self, hook: impl Fn() + Send + Sync + 'static) {
        if self.on_switch_on.set(Box::new(hook)).is_err() {
            tracing::warn!("a maintenance hook was already set");
        }
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Lets a request through, or answers the maintenance it must be refused for. The request
    /// is counted before the flag is read, and the watcher reads the count after it stores the
    /// flag, so one of the two always sees the other.
    pub fn enter(self: &Arc<Self>) -> Result<InFlight, Maintenance> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(Arc::clone(self));
        let current = self.current();
        if current.enabled {
            return Err(current);
        }
        Ok(guard)
    }

    pub fn current(&self) -> Maintenance {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reads the flag and reports; an unreadable flag (database down) keeps the last one.
    pub async fn refresh(&self, pool: &PgPool) {
        match get(pool).await {
            Ok(m) => {
                let switched_on = m.enabled && !self.current().enabled;
                *self
                    .current
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = m;
                if switched_on && let Some(hook) = self.on_switch_on.get() {
                    hook();
                }
            }
            Err(err) => tracing::warn!(error = %err, "reading the maintenance flag failed"),
        }
        let m = self.current();
        let drained =
            (m.enabled && self.in_flight.load(Ordering::SeqCst) == 0).then_some(m.changed_at);
        if let Err(err) = sqlx::query!(
            r#"INSERT INTO ops.instances (id, kind, seen_at, drained_for) VALUES ($1, $2, now(), $3)
               ON CONFLICT (id) DO UPDATE SET seen_at = now(), drained_for = EXCLUDED.drained_for"#,
            self.instance,
            self.kind,
            drained
        )
        .execute(pool)
        .await
        {
            tracing::warn!(error = %err, "reporting to ops.instances failed");
        }
    }

    /// Watches the flag until aborted, every `every`.
    pub async fn run(self: Arc<Self>, pool: PgPool, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.refresh(&pool).await;
        }
    }

    /// Leaves `ops.instances` (on a clean shutdown; a crashed server just stops being live).
    pub async fn leave(&self, pool: &PgPool) {
        let gone = sqlx::query!("DELETE FROM ops.instances WHERE id = $1", self.instance)
            .execute(pool)
            .await;
        if let Err(err) = gone {
            tracing::warn!(error = %err, "leaving ops.instances failed");
        }
    }
}
