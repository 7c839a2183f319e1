//! Restoring: the application's data only (the default: the operational schemas `ops` and
//! `apalis` stay as they are, docs/DESIGN.md, "Backups and restores"), or everything into an
//! empty database (`--full`, disaster recovery); and the restore drill that proves a backup
//! restores.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::postgres::PgPoolOptions;
use uuid::Uuid;

use super::tools::Target;
use super::{Backups, Kind, Manifest, maintenance, manifest_name, registry};
use crate::storage;

/// Which backup to restore.
pub enum RestoreSource {
    Id(Uuid),
    /// A dump file, with its `*.manifest.json` beside it.
    File(std::path::PathBuf),
}

pub struct RestoreReport {
    pub file: String,
    pub fetched_from: &'static str,
    pub safety_backup: Option<Uuid>,
    pub seconds: f64,
}

/// Drops what the application owns in `public` (never what extensions own), so the dump's
/// `public` can be recreated in the same transaction.
const DROP_APPLICATION_OBJECTS: &str = r#"
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.relname);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f);
    END LOOP;
END $$;
"#;

impl Backups {
    async fn load(
        &self,
        source: &RestoreSource,
    ) -> anyhow::Result<(String, Vec<u8>, Manifest, &'static str)> {
        let (file, expected, manifest) = match source {
            RestoreSource::Id(id) => {
                let row = registry::find(&self.pool, *id)
                    .await?
                    .with_context(|| format!("no backup {id} (see `ocpizza-admin backup list`)"))?;
                if row.outcome != "ok" {
                    bail!("backup {id} did not succeed ({})", row.outcome);
                }
                let manifest: Manifest = serde_json::from_value(
                    row.manifest.clone().context("the backup has no manifest")?,
                )?;
                (
                    row.file_name,
                    row.sha256.context("the backup has no checksum")?,
                    manifest,
                )
            }
            RestoreSource::File(path) => {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .context("a dump file name")?
                    .to_string();
                let manifest_path = path.with_file_name(manifest_name(&name));
                let raw = tokio::fs::read(&manifest_path)
                    .await
                    .with_context(|| format!("reading {}", manifest_path.display()))?;
                let manifest: Manifest =
                    serde_json::from_slice(&raw).context("reading the manifest")?;
                (name, manifest.sha256.clone(), manifest)
            }
        };
        let (bytes, from) = match source {
            RestoreSource::File(path) => (
                tokio::fs::read(path)
                    .await
                    .with_context(|| format!("reading {}", path.display()))?,
                "file",
            ),
            RestoreSource::Id(_) => self.fetch(&file).await?,
        };
        let actual = storage::sha256_hex(&bytes);
        if actual != expected {
            bail!(
                "{file} is corrupt or was tampered with: its SHA-256 is {actual}, the backup recorded {expected}; nothing was restored"
            );
        }
        Ok((file, bytes, manifest, from))
    }

    async fn dump_on_disk(&self, file: &str, bytes: &[u8]) -> anyhow::Result<std::path::PathBuf> {
        tokio::fs::create_dir_all(&self.local.dir).await?;
        let path = self
            .local
            .path(&format!(".restore-{}-{file}", Uuid::new_v4().simple()));
        tokio::fs::write(&path, bytes)
            .await
            .context("writing the dump to restore")?;
        Ok(path)
    }

    /// Restores the application's data from a backup: checks it, takes a safety backup, holds
    /// the platform in maintenance mode, replaces `public` in one transaction.
    pub async fn restore(&self, source: &RestoreSource, by: &str) -> anyhow::Result<RestoreReport> {
        let started = Instant::now();
        let (file, bytes, _manifest, fetched_from) = self.load(source).await?;
        let safety = self
            .run(Kind::Safety)
            .await
            .context("the safety backup failed: nothing was restored")?;
        let since = maintenance::set(
            &self.pool,
            true,
            "Restauration en cours / restore in progress",
            by,
        )
        .await?;
        // Every running server stops and finishes what it was doing before anything is dropped.
        let wait = Duration::from_secs(self.restore_wait_secs);
        if let Err(err) = maintenance::wait_until_drained(&self.pool, since, wait).await {
            maintenance::set(&self.pool, false, "", by).await?;
            return Err(err.context("nothing was restored and maintenance mode is off again"));
        }
        let result = self.restore_public(&file, &bytes).await;
        maintenance::set(&self.pool, false, "", by).await?;
        result?;
        Ok(RestoreReport {
            file,
            fetched_from,
            safety_backup: Some(safety.id),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    async fn restore_public(&self, file: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.dump_on_disk(file, bytes).await?;
        let path_str = path.to_string_lossy().to_string();
        let script = self
            .tools
            .run(
                "pg_restore",
                &self.target,
                &["-n", "public", "-f", "-", &path_str],
            )
            .await;
        tokio::fs::remove_file(&path).await.ok();
        let mut all = DROP_APPLICATION_OBJECTS.as_bytes().to_vec();
        all.extend_from_slice(&script?);
        self.tools.psql_script(&self.target, &all).await
    }

    /// `pg_restore` of the whole dump into `target`'s database, in one transaction.
    async fn restore_everything(
        &self,
        target: &Target,
        file: &str,
        bytes: &[u8],
    ) -> anyhow::Result<()> {
        let path = self.dump_on_disk(file, bytes).await?;
        let path_str = path.to_string_lossy().to_string();
        let result = self
            .tools
            .run(
                "pg_restore",
                target,
                &[
                    "--single-transaction",
                    "--exit-on-error",
                    "-d",
                    &target.database,
                    &path_str,
                ],
            )
            .await;
        tokio::fs::remove_file(&path).await.ok();
        result.map(|_| ())
    }

    /// Restores everything into the (empty) database of `database.admin_url`.
    pub async fn restore_full(&self, source: &RestoreSource) -> anyhow::Result<RestoreReport> {
        let started = Instant::now();
        let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
            .fetch_one(&self.pool)
            .await?;
        if tables > 0 {
            bail!(
                "--full restores into an empty database, and {} has {tables} tables",
                self.target.database
            );
        }
        let (file, bytes, _manifest, fetched_from) = self.load(source).await?;
        self.restore_everything(&self.target, &file, &bytes).await?;
        Ok(RestoreReport {
            file,
            fetched_from,
            safety_backup: None,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The restore drill: restores a backup (the latest good one by default) into a scratch
    /// database and checks it against its manifest, its row-level security and the runtime
    /// role's privileges. Records the outcome.
    pub async fn verify(&self, id: Option<Uuid>) -> anyhow::Result<Uuid> {
        let row = match id {
            Some(id) => registry::find(&self.pool, id)
                .await?
                .with_context(|| format!("no backup {id}"))?,
            None => registry::latest_good(&self.pool)
                .await?
                .context("there is no good backup to verify")?,
        };
        let result = self.drill(row.id).await;
        registry::verified(
            &self.pool,
            row.id,
            result.as_ref().err().map(|e| format!("{e:#}")).as_deref(),
        )
        .await?;
        result.map(|()| row.id)
    }

    async fn drill(&self, id: Uuid) -> anyhow::Result<()> {
        let (file, bytes, manifest, _) = self.load(&RestoreSource::Id(id)).await?;
        let scratch = format!("ocpizza_drill_{}", Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            r#"CREATE DATABASE "{scratch}""#
        )))
        .execute(&self.pool)
        .await
        .context("creating the scratch database")?;
        let outcome = self.check_restore(&file, &bytes, &manifest, &scratch).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            r#"DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)"#
        )))
        .execute(&self.pool)
        .await
        .context("dropping the scratch database")?;
        outcome
    }

    async fn check_restore(
        &self,
        file: &str,
        bytes: &[u8],
        manifest: &Manifest,
        scratch: &str,
    ) -> anyhow::Result<()> {
        let target = self.target.with_database(scratch);
        self.restore_everything(&target, file, bytes)
            .await
            .context("the dump does not restore")?;
        let url = format!(
            "postgres://{}@{}:{}/{}",
            target.user,
            if target.host.starts_with('/') {
                "localhost".to_string()
            } else {
                target.host.clone()
            },
            target.port,
            scratch
        );
        let mut options: sqlx::postgres::PgConnectOptions = url.parse()?;
        if let Some(p) = &target.password {
            options = options.password(p);
        }
        if target.host.starts_with('/') {
            options = options.socket(&target.host);
        }
        let db = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .context("connecting to the scratch database")?;
        let mut problems = Vec::new();
        for (table, expected) in &manifest.tables {
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                    .fetch_one(&db)
                    .await
                    .with_context(|| format!("counting {table}"))?;
            if n != *expected {
                problems.push(format!("{table}: {n} rows, the manifest says {expected}"));
            }
        }
        let version: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&db)
                .await?;
        if version != manifest.migration_version {
            problems.push(format!(
                "migration {version:?}, the manifest says {:?}",
                manifest.migration_version
            ));
        }
        let unprotected: Vec<String> = sqlx::query_scalar(
            r#"SELECT c.relname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
               WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                 AND NOT (c.relrowsecurity AND c.relforcerowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))"#,
        )
        .fetch_all(&db)
        .await?;
        if !unprotected.is_empty() {
            problems.push(format!(
                "row-level security missing on {}",
                unprotected.join(", ")
            ));
        }
        let runtime_ok: bool = sqlx::query_scalar(
            "SELECT has_table_privilege('ocpizza_runtime', 'public.orders', 'INSERT') AND has_table_privilege('ocpizza_runtime', 'public.tenants', 'SELECT')",
        )
        .fetch_one(&db)
        .await
        .unwrap_or(false);
        if !runtime_ok {
            problems.push("the runtime role lost its privileges".into());
        }
        db.close().await;
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("the restored copy differs: {}", problems.join("; "))
        }
    }
}
