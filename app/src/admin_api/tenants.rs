//! `/tenants`: platform administrators create, change, suspend, resume, export and offboard
//! pizzerias.

use chrono::{DateTime, Utc};
use poem::Body;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::PlatformAuth;
use super::state::AdminState;
use crate::export;
use crate::http::Problem;
use crate::http::paging::Paging;
use crate::http::streamed::RawJson;
use crate::http::strict::{OneOf, Text};
use crate::provisioning::{self, NewPizzeria, OwnerSetup};
use crate::tenancy::TenantStatus;
use crate::tenancy::platform::{self, ProfileChange};
use crate::tenancy::store::{self, TenantRow};

#[derive(Default)]
pub struct TenantsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TenantView {
    id: Uuid,
    slug: String,
    name: String,
    address_line: String,
    postcode: String,
    city: String,
    phone: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    timezone: String,
    /// `active`, `suspended` or `offboarding`.
    status: String,
    created_at: DateTime<Utc>,
    /// While offboarding: when its data is deleted.
    delete_after: Option<DateTime<Utc>>,
}

impl From<TenantRow> for TenantView {
    fn from(r: TenantRow) -> Self {
        Self {
            id: r.id,
            slug: r.slug,
            name: r.name,
            address_line: r.address_line,
            postcode: r.postcode,
            city: r.city,
            phone: r.phone,
            latitude: r.latitude,
            longitude: r.longitude,
            timezone: r.timezone,
            status: r.status,
            created_at: r.created_at,
            delete_after: r.offboard_after,
        }
    }
}

#[derive(Object)]
struct TenantPage {
    items: Vec<TenantView>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct NewTenantBody {
    /// Lowercase letters, digits and single dashes; it is in every URL of the pizzeria.
    slug: Text,
    name: Text,
    address_line: Option<Text>,
    postcode: Option<Text>,
    city: Option<Text>,
    phone: Option<Text>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    /// IANA timezone (default `Europe/Paris`).
    timezone: Option<Text>,
    /// The owner: an existing account becomes owner at once, anyone else is invited by email.
    owner_email: Text,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct CreatedTenant {
    tenant: TenantView,
    /// `existing_account` or `invited`.
    owner: String,
    invitation_expires_at: Option<DateTime<Utc>>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct TenantChange {
    name: Option<Text>,
    address_line: Option<Text>,
    postcode: Option<Text>,
    city: Option<Text>,
    phone: Option<Text>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    timezone: Option<Text>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct SuspendBody {
    /// Why (kept in the audit log).
    reason: Text,
}

#[derive(ApiResponse)]
enum TenantCreated {
    #[oai(status = 201)]
    Ok(Json<CreatedTenant>),
}

/// The export document (`ocpizza-tenant-export/1`). Described here, never built: it is
/// streamed as the rows are read (`crate::export`).
#[derive(Object)]
#[allow(dead_code)]
struct TenantExport {
    /// `ocpizza-tenant-export/1`.
    format: String,
    exported_at: DateTime<Utc>,
    /// The pizzeria's own row.
    tenant: std::collections::BTreeMap<String, serde_json::Value>,
    /// Every table that holds its data, by name: its rows, as stored.
    tables: std::collections::BTreeMap<
        String,
        Vec<std::collections::BTreeMap<String, serde_json::Value>>,
    >,
}

#[derive(ApiResponse)]
enum Exported {
    /// The whole pizzeria as one JSON document, streamed.
    #[oai(status = 200)]
    Ok(
        RawJson<TenantExport>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[OpenApi(prefix_path = "/tenants", tag = "AdminTags::Platform")]
impl TenantsApi {
    /// Pizzerias, by name; filter by `status` and by `q` (slug, name or city).
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
        status: Query<Option<OneOf<TenantStatus>>>,
        q: Query<Option<String>>,
        #[oai(validator(minimum(value = "1")))] page: Query<Option<u32>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] per_page: Query<
            Option<u32>,
        >,
    ) -> Result<Json<TenantPage>, Problem> {
        let paging = Paging::parse(page.0, per_page.0)?;
        let mut conn = state.owner_pool.acquire().await?;
        let (rows, total) = store::page(
            &mut conn,
            status
                .0
                .as_ref()
                .map(OneOf::get)
                .transpose()?
                .map(TenantStatus::as_str),
            q.0.as_deref(),
            paging.limit(),
            paging.offset(),
        )
        .await?;
        Ok(Json(TenantPage {
            items: rows.into_iter().map(Into::into).collect(),
            page: paging.page,
            per_page: paging.per_page,
            total,
        }))
    }

    /// Create a pizzeria with its default settings and its owner (invited by email when new).
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        auth: PlatformAuth,
        body: Json<NewTenantBody>,
    ) -> Result<TenantCreated, Problem> {
        let b = body.0;
        let input = NewPizzeria {
            slug: b.slug.into(),
            name: b.name.into(),
            address_line: b.address_line.unwrap_or_default().into(),
            postcode: b.postcode.unwrap_or_default().into(),
            city: b.city.unwrap_or_default().into(),
            phone: b.phone.unwrap_or_default().into(),
            latitude: b.latitude,
            longitude: b.longitude,
            timezone: b.timezone.unwrap_or_else(|| "Europe/Paris".into()).into(),
            owner_email: b.owner_email.into(),
        };
        let (created, row) = auth
            .0
            .run(async |tx, by| {
                let created = provisioning::create_pizzeria(tx, &input, Some(by)).await?;
                let row = platform::find(tx, &input.slug).await?;
                Ok((created, row))
            })
            .await?;
        let (owner, expires) = match created.owner {
            OwnerSetup::Existing(_) => ("existing_account", None),
            OwnerSetup::Invited { expires_at, .. } => ("invited", Some(expires_at)),
        };
        Ok(TenantCreated::Ok(Json(CreatedTenant {
            tenant: row.into(),
            owner: owner.into(),
            invitation_expires_at: expires,
        })))
    }

    #[oai(path = "/:slug", method = "get")]
    async fn get(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<Json<TenantView>, Problem> {
        let mut conn = state.owner_pool.acquire().await?;
        Ok(Json(platform::find(&mut conn, &slug).await?.into()))
    }

    /// Change the profile (not the slug). The audit log keeps the before and after.
    #[oai(path = "/:slug", method = "patch")]
    async fn update(
        &self,
        auth: PlatformAuth,
        slug: Path<String>,
        body: Json<TenantChange>,
    ) -> Result<Json<TenantView>, Problem> {
        let b = body.0;
        let change = ProfileChange {
            name: b.name.map(String::from),
            address_line: b.address_line.map(String::from),
            postcode: b.postcode.map(String::from),
            city: b.city.map(String::from),
            phone: b.phone.map(String::from),
            latitude: b.latitude,
            longitude: b.longitude,
            timezone: b.timezone.map(String::from),
        };
        let row = auth
            .0
            .run(async |tx, by| Ok(platform::update_profile(tx, by, &slug, change).await?))
            .await?;
        Ok(Json(row.into()))
    }

    /// Suspend: customers and staff (owners included, on both APIs) get
    /// `/problems/pizzeria-closed`, open event streams close; the data stays.
    #[oai(path = "/:slug/suspend", method = "post")]
    async fn suspend(
        &self,
        auth: PlatformAuth,
        slug: Path<String>,
        body: Json<SuspendBody>,
    ) -> Result<Json<TenantView>, Problem> {
        let row = auth
            .0
            .run(async |tx, by| Ok(platform::suspend(tx, Some(by), &slug, &body.reason).await?))
            .await?;
        Ok(Json(row.into()))
    }

    /// Resume a suspended pizzeria (or call off an offboarding before the deletion).
    #[oai(path = "/:slug/resume", method = "post")]
    async fn resume(
        &self,
        auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<Json<TenantView>, Problem> {
        let row = auth
            .0
            .run(async |tx, by| Ok(platform::resume(tx, Some(by), &slug).await?))
            .await?;
        Ok(Json(row.into()))
    }

    /// Everything the pizzeria owns, as one JSON document (streamed).
    #[oai(path = "/:slug/export", method = "get")]
    async fn export(
        &self,
        state: Data<&AdminState>,
        auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<Exported, Problem> {
        let mut conn = state.owner_pool.acquire().await?;
        let row = platform::find(&mut conn, &slug).await?;
        drop(conn);
        auth.0
            .run(async |tx, by| {
                Ok(crate::audit::platform(
                    tx,
                    Some(by),
                    "tenant.export",
                    &row.slug,
                    serde_json::json!({}),
                )
                .await?)
            })
            .await?;
        let body = Body::from_bytes_stream(export::stream(state.owner_pool.clone(), row.id));
        let name = format!(
            "attachment; filename=\"ocpizza-{}-{}.json\"",
            row.slug,
            Utc::now().format("%Y%m%d")
        );
        Ok(Exported::Ok(RawJson::new(body), name))
    }

    /// Offboard: the export is written to `admin.export_dir`, the pizzeria closes at once, and
    /// the worker deletes its data after `admin.offboard_grace_days`.
    #[oai(path = "/:slug/offboard", method = "post")]
    async fn offboard(
        &self,
        state: Data<&AdminState>,
        auth: PlatformAuth,
        slug: Path<String>,
    ) -> Result<Json<TenantView>, Problem> {
        let mut conn = state.owner_pool.acquire().await?;
        let row = platform::find(&mut conn, &slug).await?;
        drop(conn);
        let file = format!(
            "ocpizza-{}-{}.json",
            row.slug,
            Utc::now().format("%Y%m%d_%H%M%S")
        );
        let path = std::path::Path::new(&state.config.admin.export_dir).join(&file);
        let bytes = export::to_file(state.owner_pool.clone(), row.id, &path).await?;
        tracing::info!(pizzeria = %row.slug, path = %path.display(), bytes, "offboarding export written");
        let grace = chrono::Duration::days(i64::from(state.config.admin.offboard_grace_days));
        let row = auth
            .0
            .run(async |tx, by| {
                let row = platform::offboard(
                    tx,
                    Some(by),
                    &slug,
                    Utc::now() + grace,
                    &path.to_string_lossy(),
                )
                .await?;
                Ok(row)
            })
            .await?;
        Ok(Json(row.into()))
    }
}
