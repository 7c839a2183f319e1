//! Background jobs: their payloads (shared by whoever enqueues and the worker that runs them)
//! and enqueueing inside the caller's transaction, so a job exists if and only if the business
//! change that asked for it committed (docs/DESIGN.md, "Background work").

use anyhow::Context;
use apalis_core::task::builder::TaskBuilder;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::lifecycle::Status;

pub mod deliveries;
pub mod failed;
pub mod schedule_runs;

/// The queues, one per kind of work.
pub mod queues {
    pub const EMAILS: &str = "ocpizza::emails";
    pub const MAINTENANCE: &str = "ocpizza::maintenance";
    pub const BACKUPS: &str = "ocpizza::backups";
    pub const ALL: [&str; 3] = [EMAILS, MAINTENANCE, BACKUPS];
}

/// An email to send. Recipients and contents are read when it is sent, except secrets (tokens)
/// that exist only here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmailJob {
    OrderConfirmation {
        tenant: Uuid,
        order: Uuid,
    },
    OrderStatus {
        tenant: Uuid,
        order: Uuid,
        status: Status,
    },
    /// The customer changed the lines.
    OrderModified {
        tenant: Uuid,
        order: Uuid,
    },
    VerifyEmail {
        user: Uuid,
        token: String,
    },
    PasswordReset {
        user: Uuid,
        token: String,
    },
    Invitation {
        tenant: Uuid,
        invitation: Uuid,
        token: String,
    },
    LowStock {
        tenant: Uuid,
        alert: i64,
        recipient: Uuid,
    },
    BackupFailed {
        recipient: Uuid,
        error: String,
        at: DateTime<Utc>,
    },
}

/// Housekeeping started by a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MaintenanceJob {
    StockCheck { scheduled_for: DateTime<Utc> },
    Prune { scheduled_for: DateTime<Utc> },
}

/// The nightly backup and the weekly restore drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BackupJob {
    Nightly { scheduled_for: DateTime<Utc> },
    Drill { scheduled_for: DateTime<Utc> },
}

/// Tries of a job: the first and 5 retries with exponential backoff, then it is marked failed
/// (`ocpizza-admin jobs failed`, `jobs retry`).
pub const ATTEMPTS: usize = 6;

async fn push(
    conn: &mut PgConnection,
    queue: &str,
    payload: Vec<u8>,
    key: Option<String>,
) -> Result<(), anyhow::Error> {
    let mut task = TaskBuilder::new(payload).max_attempts(ATTEMPTS);
    if let Some(key) = key {
        task = task.idempotency_key(key);
    }
    apalis_postgres::queries::push_tasks(conn, queue, vec![task.build()])
        .await
        .with_context(|| format!("enqueueing a job on {queue}"))
}

/// Enqueues an email in the caller's transaction.
pub async fn email(conn: &mut PgConnection, job: &EmailJob) -> Result<(), anyhow::Error> {
    push(conn, queues::EMAILS, serde_json::to_vec(job)?, None).await
}

pub async fn maintenance(
    conn: &mut PgConnection,
    job: &MaintenanceJob,
    key: String,
) -> Result<(), anyhow::Error> {
    push(
        conn,
        queues::MAINTENANCE,
        serde_json::to_vec(job)?,
        Some(key),
    )
    .await
}

pub async fn backup(
    conn: &mut PgConnection,
    job: &BackupJob,
    key: String,
) -> Result<(), anyhow::Error> {
    push(conn, queues::BACKUPS, serde_json::to_vec(job)?, Some(key)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_tagged_json() {
        let job = EmailJob::OrderStatus {
            tenant: Uuid::nil(),
            order: Uuid::nil(),
            status: Status::Ready,
        };
        let json = serde_json::to_value(&job).unwrap();
        assert_eq!(json["kind"], "order_status");
        assert_eq!(serde_json::from_value::<EmailJob>(json).unwrap(), job);
    }
}
