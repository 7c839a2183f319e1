//! Deliveries: assigning a ready order to a driver, the driver's positions, what the customer
//! sees of the delivery.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::order_access::{tracked_order, visible_order};
use super::security::{BearerAuth, Driving, MANAGERS, Managers, require_role, staff};
use crate::delivery::{self, Tracking};
use crate::domain::Role;
use crate::domain::delivery::Position;
use crate::http::Problem;
use crate::state::AppState;
use crate::tenancy;

#[derive(Default)]
pub struct DeliveriesApi;

#[derive(Object)]
struct AssignBody {
    driver_id: Uuid,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PositionBody {
    lat: f64,
    lng: f64,
    /// Metres.
    #[oai(default)]
    accuracy: f64,
    /// When the fix was taken (default: now); at most 10 minutes old.
    time: Option<DateTime<Utc>>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct PositionAccepted {
    /// From the distance to the address at the configured speed (absent without coordinates).
    estimated_arrival: Option<DateTime<Utc>>,
}

#[derive(Object)]
struct PositionView {
    lat: f64,
    lng: f64,
    accuracy: f64,
    time: DateTime<Utc>,
}

impl From<Position> for PositionView {
    fn from(p: Position) -> Self {
        Self {
            lat: p.latitude,
            lng: p.longitude,
            accuracy: p.accuracy_m,
            time: p.at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct TrackingView {
    status: String,
    /// Only while the order is out for delivery.
    driver_position: Option<PositionView>,
    /// From the driver's last position while out for delivery (else the time promised); once
    /// delivered, when it arrived.
    estimated_arrival: DateTime<Utc>,
}

impl From<Tracking> for TrackingView {
    fn from(t: Tracking) -> Self {
        Self {
            status: t.status.to_string(),
            driver_position: t.driver_position.map(Into::into),
            estimated_arrival: t.estimated_arrival,
        }
    }
}

#[derive(ApiResponse)]
enum Assigned {
    #[oai(status = 204)]
    Ok,
}

#[derive(ApiResponse)]
enum Accepted {
    #[oai(status = 202)]
    Ok(Json<PositionAccepted>),
}

#[OpenApi(tag = "ApiTags::Live")]
impl DeliveriesApi {
    /// Give a ready delivery order to a driver of the pizzeria (owner, manager). A driver may
    /// also take one themselves with the `dispatch` action.
    #[oai(path = "/pizzerias/:slug/orders/:id/assign", method = "post")]
    async fn assign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
        body: Json<AssignBody>,
    ) -> Result<Assigned, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let roles = require_role(&state, &tenant, auth.0, MANAGERS).await?;
        let role = if roles.contains(&Role::Owner) {
            Role::Owner
        } else {
            Role::Manager
        };
        delivery::assign(
            &state.pool,
            tenant.id,
            *id,
            body.driver_id,
            auth.0.user_id,
            role,
        )
        .await?;
        Ok(Assigned::Ok)
    }

    /// The driver's position while the order is out for delivery (its driver only).
    #[oai(path = "/pizzerias/:slug/deliveries/:id/positions", method = "post")]
    async fn position(
        &self,
        state: Data<&AppState>,
        slug: staff::Path<Driving>,
        id: Path<Uuid>,
        body: Json<PositionBody>,
    ) -> Result<Accepted, Problem> {
        let position = Position::parse(body.lat, body.lng, body.accuracy, body.time, Utc::now())?;
        // Counted per (pizzeria, order, driver): positions sent by anyone else for this order
        // id, refused below, cannot use up its driver's allowance.
        let key = (slug.tenant.id, *id, slug.principal.user_id);
        if let Err(not_until) = state.position_limiter.check_key(&key) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let mut p = Problem::new(
                poem::http::StatusCode::TOO_MANY_REQUESTS,
                "too-many-positions",
                "Too many positions",
            )
            .detail("Send at most one position every few seconds.");
            p.retry_after = Some(wait);
            return Err(p);
        }
        let eta = delivery::record_position(
            &state.pool,
            &state.config.delivery,
            slug.tenant.id,
            *id,
            slug.principal.user_id,
            &position,
        )
        .await?;
        Ok(Accepted::Ok(Json(PositionAccepted {
            estimated_arrival: eta,
        })))
    }

    /// The delivery as the customer sees it: status, the driver's position while on the way,
    /// the estimated arrival (the customer and the pizzeria's staff).
    #[oai(path = "/pizzerias/:slug/orders/:id/delivery", method = "get")]
    async fn tracking(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<TrackingView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let order = visible_order(&state, &tenant, auth.0, *id).await?;
        Ok(Json(
            delivery::tracking(&state.pool, &state.config.delivery, tenant.id, &order.order)
                .await?
                .into(),
        ))
    }

    /// The driver's trail of a delivery in progress, oldest first (owner, manager).
    #[oai(path = "/pizzerias/:slug/deliveries/:id/trail", method = "get")]
    async fn trail(
        &self,
        slug: staff::Path<Managers>,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<PositionView>>, Problem> {
        let trail = slug
            .run(async |tx, t, _| {
                if crate::orders::store::find(tx, t, *id).await?.is_none() {
                    return Err(Problem::not_found("order"));
                }
                Ok(delivery::store::trail(tx, t, *id).await?)
            })
            .await?;
        Ok(Json(trail.into_iter().map(Into::into).collect()))
    }

    /// The delivery through the tracking link.
    #[oai(path = "/pizzerias/:slug/track/:token/delivery", method = "get")]
    async fn tracked(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        token: Path<String>,
    ) -> Result<Json<TrackingView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let order = tracked_order(&state, &tenant, &token).await?;
        Ok(Json(
            delivery::tracking(&state.pool, &state.config.delivery, tenant.id, &order.order)
                .await?
                .into(),
        ))
    }
}
