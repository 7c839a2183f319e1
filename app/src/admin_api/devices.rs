//! `/pizzerias/{slug}/devices`: the pizzeria's shared devices (kitchen tablet, counter till),
//! paired by an owner or manager with a named device session and revoked at once.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::franchise;
use super::state::AdminState;
use crate::devices::{self, DeviceRow, DeviceSessions};
use crate::domain::Role;
use crate::http::Problem;
use crate::http::responses::Done;
use crate::http::strict::Text;

#[derive(Default)]
pub struct DevicesAdminApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct Device {
    id: Uuid,
    name: String,
    /// cashier, pizzaiolo or driver.
    role: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    /// When its session ends (then pair it again); none once revoked or ended.
    session_ends_at: Option<DateTime<Utc>>,
}

impl From<DeviceRow> for Device {
    fn from(row: DeviceRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            role: row.role.to_string(),
            created_at: row.created_at,
            revoked_at: row.revoked_at,
            session_ends_at: row.session_ends,
        }
    }
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct PairBody {
    /// What the staff call it, e.g. "Tablette cuisine".
    name: Text<60>,
    /// cashier, pizzaiolo or driver.
    role: Text,
}

#[derive(Object)]
struct PairedView {
    device: Device,
    /// Shown once: enter it on the device, which exchanges it at the app's `/auth/refresh`.
    refresh_token: String,
}

#[derive(ApiResponse)]
enum PairedResponse {
    #[oai(status = 201)]
    Created(Json<PairedView>),
}

#[OpenApi(tag = "AdminTags::Pizzeria")]
impl DevicesAdminApi {
    /// The pizzeria's devices, newest first, revoked ones included.
    #[oai(path = "/pizzerias/:slug/devices", method = "get")]
    async fn list(&self, slug: franchise::Path) -> Result<Json<Vec<Device>>, Problem> {
        let rows = slug
            .run(async |tx, t, _| Ok(devices::list(tx, t).await?))
            .await?;
        Ok(Json(rows.into_iter().map(Device::from).collect()))
    }

    /// Pair a device: an account with this one role here and a session of its own that lasts
    /// `auth.device_session_max_days` (90 days), signed in with the refresh token returned.
    #[oai(path = "/pizzerias/:slug/devices", method = "post")]
    async fn pair(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        body: Json<PairBody>,
    ) -> Result<PairedResponse, Problem> {
        let role: Role = body.role.parse()?;
        let lifetime = DeviceSessions {
            max_days: state.config.auth.device_session_max_days,
            idle_days: state.config.auth.refresh_token_ttl_days,
        };
        let paired = slug
            .run(
                async |tx, t, by| Ok(devices::pair(tx, t, by, (&body.name, role), lifetime).await?),
            )
            .await?;
        Ok(PairedResponse::Created(Json(PairedView {
            device: paired.device.into(),
            refresh_token: paired.refresh_token,
        })))
    }

    /// Revoke a device: its session ends at once (its tokens are refused from the next
    /// request) and its role is taken away.
    #[oai(path = "/pizzerias/:slug/devices/:id", method = "delete")]
    async fn revoke(&self, slug: franchise::Path, id: Path<Uuid>) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| Ok(devices::revoke(tx, t, by, id.0).await?))
            .await?;
        Ok(Done::NoContent)
    }
}
