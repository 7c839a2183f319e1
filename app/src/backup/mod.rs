//! Backups (docs/DESIGN.md, "Backups and restores"): `pg_dump -Fc` of the whole database with
//! a manifest (row counts per table read in the dump's own snapshot, migration version,
//! versions) and a SHA-256, written to a local directory and an S3 bucket and verified in both;
//! the registry (`ops.backups`); retention; restores and the restore drill (`restore.rs`);
//! maintenance mode.

pub mod maintenance;
pub mod registry;
mod restore;
pub mod tools;

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use crate::storage::{self, Local, Remote};
pub use registry::BackupRow;
pub use restore::{RestoreReport, RestoreSource};
use tools::{Target, Tools};

use crate::config::BackupConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scheduled,
    Manual,
    Safety,
    PreMigration,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scheduled => "scheduled",
            Kind::Manual => "manual",
            Kind::Safety => "safety",
            Kind::PreMigration => "pre_migration",
        }
    }
}

/// What a backup says about itself, next to the dump (`*.manifest.json`) and in the registry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub id: Uuid,
    pub file: String,
    pub kind: String,
    pub database: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub sha256: String,
    pub bytes: i64,
    pub migration_version: Option<i64>,
    pub server_version: String,
    pub pg_dump_version: String,
    /// Rows per table (`schema.table`), counted in the dump's snapshot.
    pub tables: BTreeMap<String, i64>,
}

/// The backups of one database: where they go and how to make them.
pub struct Backups {
    pub pool: PgPool,
    target: Target,
    tools: Tools,
    local: Local,
    remote: Option<Remote>,
    retention: Duration,
    /// `backup.restore_wait_secs`.
    restore_wait_secs: u64,
}

pub fn manifest_name(dump: &str) -> String {
    format!("{}.manifest.json", dump.trim_end_matches(".dump"))
}

pub fn roles_name(dump: &str) -> String {
    format!("{}.roles.sql", dump.trim_end_matches(".dump"))
}

impl Backups {
    /// `pool` and `admin_url` are the owner role's (docs/DESIGN.md, "Database roles").
    pub fn new(
        pool: PgPool,
        admin_url: &SecretString,
        config: &BackupConfig,
    ) -> anyhow::Result<Self> {
        let remote = match &config.s3 {
            Some(s3) => Some(Remote::new(s3)?),
            None => {
                tracing::warn!(
                    "backup.s3 is not configured: backups are kept in {} only",
                    config.dir
                );
                None
            }
        };
        Ok(Self {
            pool,
            target: Target::from_url(admin_url)?,
            tools: Tools::new(config.pg_bin_dir.as_deref()),
            local: Local {
                dir: config.dir.clone().into(),
            },
            remote,
            retention: Duration::days(i64::from(config.retention_days.max(1))),
            restore_wait_secs: config.restore_wait_secs,
        })
    }

    /// Makes a backup, records it, and (for scheduled and manual ones) prunes what is past
    /// retention.
    pub async fn run(&self, kind: Kind) -> anyhow::Result<BackupRow> {
        let id = Uuid::now_v7();
        let started_at = Utc::now();
        let file = self.claim_name(id, kind, started_at).await?;
        tracing::info!(%id, %file, kind = kind.as_str(), "backup started");
        match self.make(id, kind, &file, started_at, true).await {
            Ok(()) => {}
            Err(err) => {
                let text = format!("{err:#}");
                tracing::error!(%id, error = %text, "backup failed");
                registry::failed(&self.pool, id, &text)
                    .await
                    .context("recording the failure")?;
                return Err(err);
            }
        }
        // Only the regular backups prune: a safety backup taken before restoring an old backup
        // must not delete the backup being restored.
        if matches!(kind, Kind::Scheduled | Kind::Manual)
            && let Err(err) = self.prune().await
        {
            tracing::error!(error = %format!("{err:#}"), "pruning old backups failed");
        }
        registry::find(&self.pool, id)
            .await?
            .context("the backup vanished from the registry")
    }

    /// A backup of a database whose schema predates the registry (a migration from before it):
    /// both copies, verified, and no registry row. Returns the file name.
    pub async fn run_unregistered(&self, kind: Kind) -> anyhow::Result<String> {
        let id = Uuid::now_v7();
        let started_at = Utc::now();
        let stamp = started_at.format("%Y%m%d_%H%M");
        let file = format!("ocpizza_{stamp}_{}.dump", &id.simple().to_string()[24..]);
        self.make(id, kind, &file, started_at, false).await?;
        Ok(file)
    }

    /// `ocpizza_YYYYMMDD_HHMM.dump` (UTC), with `_2`, `_3`… when that minute already has one.
    async fn claim_name(
        &self,
        id: Uuid,
        kind: Kind,
        started_at: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let stem = format!("ocpizza_{}", started_at.format("%Y%m%d_%H%M"));
        for n in 1..=100 {
            let file = if n == 1 {
                format!("{stem}.dump")
            } else {
                format!("{stem}_{n}.dump")
            };
            if registry::start(&self.pool, id, kind.as_str(), &file)
                .await
                .context("recording the backup")?
            {
                return Ok(file);
            }
        }
        anyhow::bail!("more than 100 backups started in the minute of {started_at}")
    }

    async fn make(
        &self,
        id: Uuid,
        kind: Kind,
        file: &str,
        started_at: DateTime<Utc>,
        record: bool,
    ) -> anyhow::Result<()> {
        // Row counts and the dump share one snapshot, so the manifest describes the dump exactly.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *tx)
            .await?;
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname IN ('public', 'ops', 'apalis') ORDER BY 1",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut counts = BTreeMap::new();
        for (table,) in tables {
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                    .fetch_one(&mut *tx)
                    .await?;
            counts.insert(table, n);
        }
        let migration_version: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut *tx)
                .await?;
        let server_version: String = sqlx::query_scalar("SHOW server_version")
            .fetch_one(&mut *tx)
            .await?;
        tokio::fs::create_dir_all(&self.local.dir)
            .await
            .with_context(|| format!("creating {}", self.local.dir.display()))?;
        let partial = self.local.path(&format!("{file}.partial"));
        let partial_str = partial.to_string_lossy().to_string();
        self.tools
            .run(
                "pg_dump",
                &self.target,
                &["-Fc", "--snapshot", &snapshot, "-f", &partial_str],
            )
            .await?;
        tx.commit().await?;
        let bytes = tokio::fs::read(&partial)
            .await
            .context("reading the dump")?;
        tokio::fs::remove_file(&partial).await.ok();
        let sha256 = storage::sha256_hex(&bytes);
        let roles = self
            .tools
            .run(
                "pg_dumpall",
                &self.target,
                &[
                    "--roles-only",
                    "--no-role-passwords",
                    "-l",
                    &self.target.database,
                ],
            )
            .await?;

        let manifest = Manifest {
            id,
            file: file.to_string(),
            kind: kind.as_str().to_string(),
            database: self.target.database.clone(),
            started_at,
            finished_at: Utc::now(),
            sha256: sha256.clone(),
            bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            migration_version,
            server_version,
            pg_dump_version: self.tools.version("pg_dump").await,
            tables: counts,
        };
        let manifest_json = serde_json::to_vec_pretty(&manifest)?;
        let path = self.local.put(file, &bytes, &sha256).await?;
        self.local
            .put(
                &manifest_name(file),
                &manifest_json,
                &storage::sha256_hex(&manifest_json),
            )
            .await?;
        self.local
            .put(&roles_name(file), &roles, &storage::sha256_hex(&roles))
            .await?;
        let s3_key = match &self.remote {
            Some(remote) => {
                let key = remote.put(file, &bytes, &sha256).await?;
                remote
                    .put(
                        &manifest_name(file),
                        &manifest_json,
                        &storage::sha256_hex(&manifest_json),
                    )
                    .await?;
                remote
                    .put(&roles_name(file), &roles, &storage::sha256_hex(&roles))
                    .await?;
                Some(key)
            }
            None => None,
        };
        let finished = registry::Finished {
            bytes: manifest.bytes,
            sha256: &sha256,
            local_path: &path.to_string_lossy(),
            s3_key: s3_key.as_deref(),
            manifest: &serde_json::to_value(&manifest)?,
        };
        if record {
            registry::succeeded(&self.pool, id, &finished).await?;
        }
        tracing::info!(%id, bytes = manifest.bytes, %sha256, s3 = s3_key.is_some(), "backup done");
        Ok(())
    }

    /// Deletes backups older than the retention from both places, never the newest good one.
    /// Returns the file names pruned.
    pub async fn prune(&self) -> anyhow::Result<Vec<String>> {
        let newest_good = registry::latest_good(&self.pool).await?.map(|b| b.id);
        let cutoff = Utc::now() - self.retention;
        let mut pruned = Vec::new();
        for b in registry::list(&self.pool).await? {
            if b.pruned_at.is_some() || b.started_at >= cutoff || Some(b.id) == newest_good {
                continue;
            }
            for name in [
                b.file_name.clone(),
                manifest_name(&b.file_name),
                roles_name(&b.file_name),
            ] {
                self.local.delete(&name).await?;
                if let Some(remote) = &self.remote {
                    remote.delete(&name).await?;
                }
            }
            registry::pruned(&self.pool, b.id).await?;
            tracing::info!(file = %b.file_name, started_at = %b.started_at, "backup pruned (retention)");
            pruned.push(b.file_name);
        }
        Ok(pruned)
    }

    /// Whether each copy of a backup is there and intact: (local, s3) — `None` when S3 is not
    /// configured.
    pub async fn check_copies(
        &self,
        b: &BackupRow,
    ) -> anyhow::Result<(CopyState, Option<CopyState>)> {
        let expected = b.sha256.clone().unwrap_or_default();
        let state = |bytes: Option<Vec<u8>>| match bytes {
            None => CopyState::Missing,
            Some(bytes) if storage::sha256_hex(&bytes) == expected => CopyState::Ok,
            Some(_) => CopyState::Corrupt,
        };
        let local = state(self.local.get(&b.file_name).await?);
        let remote = match &self.remote {
            Some(r) => Some(state(r.get(&b.file_name).await?)),
            None => None,
        };
        Ok((local, remote))
    }

    /// The dump's bytes, from the local copy or, when it is gone, from S3.
    pub(crate) async fn fetch(&self, file: &str) -> anyhow::Result<(Vec<u8>, &'static str)> {
        if let Some(bytes) = self.local.get(file).await? {
            return Ok((bytes, "local"));
        }
        match &self.remote {
            Some(remote) => {
                let bytes = remote
                    .get(file)
                    .await?
                    .with_context(|| format!("{file} is in neither place"))?;
                Ok((bytes, "s3"))
            }
            None => anyhow::bail!(
                "{file} is not in {} and no S3 is configured",
                self.local.dir.display()
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyState {
    Ok,
    Missing,
    Corrupt,
}

impl CopyState {
    pub fn as_str(self) -> &'static str {
        match self {
            CopyState::Ok => "ok",
            CopyState::Missing => "MISSING",
            CopyState::Corrupt => "CHECKSUM MISMATCH",
        }
    }
}
