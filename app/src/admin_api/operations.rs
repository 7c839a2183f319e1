//! Platform operations over HTTP, the same as the CLI's: maintenance mode, backups, failed jobs.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::PlatformAuth;
use super::state::AdminState;
use crate::audit;
use crate::backup::{Backups, Kind, maintenance, registry};
use crate::http::Problem;
use crate::http::paging::Paging;
use crate::http::strict::Text;
use crate::jobs::failed;

#[derive(Default)]
pub struct OperationsApi;

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct MaintenanceBody {
    enabled: bool,
    /// Shown to API clients while it is on.
    message: Option<Text>,
}

#[derive(Object)]
struct MaintenanceView {
    enabled: bool,
    message: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct BackupView {
    id: Uuid,
    /// `scheduled`, `manual`, `safety` or `pre_migration`.
    kind: String,
    file_name: String,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    bytes: Option<i64>,
    sha256: Option<String>,
    /// `running`, `ok` or `failed`.
    outcome: String,
    error: Option<String>,
    local_copy: bool,
    s3_copy: bool,
    verified_at: Option<DateTime<Utc>>,
    verify_error: Option<String>,
    pruned_at: Option<DateTime<Utc>>,
}

impl From<registry::BackupRow> for BackupView {
    fn from(r: registry::BackupRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            file_name: r.file_name,
            started_at: r.started_at,
            finished_at: r.finished_at,
            bytes: r.bytes,
            sha256: r.sha256,
            outcome: r.outcome,
            error: r.error,
            local_copy: r.local_ok,
            s3_copy: r.s3_ok,
            verified_at: r.verified_at,
            verify_error: r.verify_error,
            pruned_at: r.pruned_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct BackupPage {
    items: Vec<BackupView>,
    page: u32,
    per_page: u32,
    total: i64,
    /// Age of the newest good backup, in seconds (`null`: there is none).
    latest_good_age_seconds: Option<i64>,
}

#[derive(Object)]
struct Started {
    status: String,
    message: String,
}

#[derive(ApiResponse)]
enum BackupStarted {
    /// The backup runs in the background; follow it in `GET /backups`.
    #[oai(status = 202)]
    Accepted(Json<Started>),
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct FailedJobView {
    id: Uuid,
    queue: String,
    attempts: i32,
    failed_at: Option<DateTime<Utc>>,
    error: Option<String>,
}

#[derive(Object)]
struct FailedJobPage {
    items: Vec<FailedJobView>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(ApiResponse)]
enum Retried {
    #[oai(status = 204)]
    Done,
}

#[OpenApi(tag = "AdminTags::Platform")]
impl OperationsApi {
    #[oai(path = "/maintenance", method = "get")]
    async fn maintenance(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
    ) -> Result<Json<MaintenanceView>, Problem> {
        let m = maintenance::get(&state.owner_pool).await?;
        Ok(Json(MaintenanceView {
            enabled: m.enabled,
            message: m.message,
        }))
    }

    /// Turn maintenance mode on (both APIs answer 503 with the message, all but this switch) or
    /// off.
    #[oai(path = "/maintenance", method = "put")]
    async fn set_maintenance(
        &self,
        state: Data<&AdminState>,
        auth: PlatformAuth,
        body: Json<MaintenanceBody>,
    ) -> Result<Json<MaintenanceView>, Problem> {
        let message = body.message.clone().map(String::from).unwrap_or_default();
        let by = format!("admin-api:{}", auth.0.user_id);
        maintenance::set(&state.owner_pool, body.enabled, &message, &by).await?;
        auth.0
            .run(async |tx, by| {
                let details = serde_json::json!({ "enabled": body.enabled, "message": message });
                audit::platform(tx, Some(by), "maintenance.set", "platform", details).await?;
                Ok(())
            })
            .await?;
        Ok(Json(MaintenanceView {
            enabled: body.enabled,
            message,
        }))
    }

    /// The backups registry, newest first.
    #[oai(path = "/backups", method = "get")]
    async fn backups(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] per_page: Query<
            Option<u32>,
        >,
    ) -> Result<Json<BackupPage>, Problem> {
        let paging = Paging::parse(page.0, per_page.0)?;
        let all = registry::list(&state.owner_pool).await?;
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let items = all
            .into_iter()
            .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
            .take(paging.per_page as usize)
            .map(Into::into)
            .collect();
        let age = registry::age_of_latest_good(&state.owner_pool).await?;
        Ok(Json(BackupPage {
            items,
            page: paging.page,
            per_page: paging.per_page,
            total,
            latest_good_age_seconds: age.map(|a| a.num_seconds()),
        }))
    }

    /// Back up now (to the backup directory and S3), in the background.
    #[oai(path = "/backups", method = "post")]
    async fn run_backup(
        &self,
        state: Data<&AdminState>,
        auth: PlatformAuth,
    ) -> Result<BackupStarted, Problem> {
        let url = state
            .config
            .database
            .admin_url
            .clone()
            .ok_or_else(|| anyhow::anyhow!("database.admin_url is not set"))?;
        let backups = Backups::new(state.owner_pool.clone(), &url, &state.config.backup)?;
        auth.0
            .run(async |tx, by| {
                Ok(audit::platform(
                    tx,
                    Some(by),
                    "backup.run",
                    "platform",
                    serde_json::json!({}),
                )
                .await?)
            })
            .await?;
        tokio::spawn(async move {
            if let Err(err) = backups.run(Kind::Manual).await {
                tracing::error!(error = %format!("{err:#}"), "backup requested over the admin API failed");
            }
        });
        Ok(BackupStarted::Accepted(Json(Started {
            status: "started".into(),
            message:
                "The backup runs now; it is listed with outcome `running`, then `ok` or `failed`."
                    .into(),
        })))
    }

    /// Jobs that failed every attempt, newest first.
    #[oai(path = "/jobs/failed", method = "get")]
    async fn failed_jobs(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] per_page: Query<
            Option<u32>,
        >,
    ) -> Result<Json<FailedJobPage>, Problem> {
        let paging = Paging::parse(page.0, per_page.0)?;
        let mut conn = state.owner_pool.acquire().await?;
        let (rows, total) = failed::list(&mut conn, paging.limit(), paging.offset()).await?;
        let items = rows
            .into_iter()
            .filter_map(|r| {
                Some(FailedJobView {
                    id: failed::ulid_to_uuid(&r.id)?,
                    queue: r.queue,
                    attempts: r.attempts,
                    failed_at: r.failed_at,
                    error: r.error,
                })
            })
            .collect();
        Ok(Json(FailedJobPage {
            items,
            page: paging.page,
            per_page: paging.per_page,
            total,
        }))
    }

    /// Put a failed job back in its queue.
    #[oai(path = "/jobs/:id/retry", method = "post")]
    async fn retry(&self, auth: PlatformAuth, id: Path<Uuid>) -> Result<Retried, Problem> {
        let ulid = failed::uuid_to_ulid(id.0);
        auth.0
            .run(async |tx, by| {
                if !failed::retry(tx, &ulid).await? {
                    return Err(Problem::not_found("failed job"));
                }
                audit::platform(tx, Some(by), "job.retry", &ulid, serde_json::json!({})).await?;
                Ok(())
            })
            .await?;
        Ok(Retried::Done)
    }
}
