//! Login throttling per email and per client address, in PostgreSQL so that it holds across
//! replicas and across both servers: each attempt is a row of `ops.login_attempts`; one more
//! than the quota within a minute is refused until the oldest of them is a minute old.

use std::net::IpAddr;
use std::time::Duration;

use sqlx::PgPool;

/// The caller must wait this long before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    pub retry_after: Duration,
}

pub struct LoginLimiter {
    per_email: i64,
    per_ip: i64,
}

impl LoginLimiter {
    pub fn new(per_email_per_minute: u32, per_ip_per_minute: u32) -> Self {
        Self {
            per_email: i64::from(per_email_per_minute.max(1)),
            per_ip: i64::from(per_ip_per_minute.max(1)),
        }
    }

    /// Counts one attempt for the address, then for the email; refused when either has had its
    /// quota in the last minute (an attempt refused for its email still counts for its address,
    /// so hammering one account also uses up the address's tries).
    pub async fn check(
        &self,
        pool: &PgPool,
        email: &str,
        ip: Option<IpAddr>,
    ) -> Result<Result<(), RateLimited>, sqlx::Error> {
        let mut keys = Vec::with_capacity(2);
        if let Some(ip) = ip {
            keys.push((format!("ip:{ip}"), self.per_ip));
        }
        keys.push((format!("email:{email}"), self.per_email));
        let mut tx = pool.begin().await?;
        // One attempt at a time per key (the address first, then the email, in every
        // transaction): the count and the insert are exact across processes.
        for (key, quota) in &keys {
            sqlx::query!(
                "SELECT pg_advisory_xact_lock(hashtextextended('login/' || $1, 0))",
                key
            )
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query!(
                "DELETE FROM ops.login_attempts WHERE key = $1 AND at < clock_timestamp() - interval '1 minute'",
                key
            )
            .execute(&mut *tx)
            .await?;
            let recent = sqlx::query!(
                r#"SELECT count(*) AS "n!",
                          extract(epoch FROM min(at) + interval '1 minute' - clock_timestamp())::float8 AS "wait_secs"
                   FROM ops.login_attempts WHERE key = $1"#,
                key
            )
            .fetch_one(&mut *tx)
            .await?;
            if recent.n >= *quota {
                // What was counted before (the address) stays counted.
                tx.commit().await?;
                let wait = recent.wait_secs.unwrap_or(1.0).clamp(0.001, 60.0);
                return Ok(Err(RateLimited {
                    retry_after: Duration::from_secs_f64(wait),
                }));
            }
            sqlx::query!("INSERT INTO ops.login_attempts (key) VALUES ($1)", key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
}

/// Forgets attempts older than an hour (the daily pruning; each check cleans its own keys).
pub async fn prune(conn: &mut sqlx::PgConnection) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "DELETE FROM ops.login_attempts WHERE at < clock_timestamp() - interval '1 hour'"
    )
    .execute(conn)
    .await?
    .rows_affected())
}
