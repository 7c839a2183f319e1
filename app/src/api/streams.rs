//! Server-Sent Events: an order (its customer, staff, or the tracking link), a pizzeria's
//! kitchen and counter, a driver's runs. Each event has the order event's id; reconnecting with
//! `Last-Event-ID` replays exactly what was missed. EventSource cannot send headers: ask
//! `POST …/stream-tokens` for a one-minute token and pass it as `?token=`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{EventStream, Json};
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::order_access::{tracked_order, visible_order};
use super::security::{
    BearerAuth, DRIVERS, Principal, STAFF, optional_principal, require_role, session_open,
};
use super::stream_events::{Destination, LiveEvent, live_event};
use crate::delivery;
use crate::domain::lifecycle::Status;
use crate::domain::{InvalidInput, Role};
use crate::http::Problem;
use crate::http::middleware::client_ip;
use crate::http::strict::Text;
use crate::http::tx::in_tenant;
use crate::orders::store::OrderRow;
use crate::realtime::limits::{StreamSlots, TooMany};
use crate::realtime::stream::{self, Access, Item, Scope};
use crate::state::AppState;
use crate::tenancy::{self, Tenant};

#[derive(Default)]
pub struct StreamsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct StreamTokenRequest {
    /// `order`, `kitchen` or `driver`.
    stream: Text,
    /// For `order`.
    order_id: Option<Uuid>,
}

#[derive(Object)]
struct StreamToken {
    token: String,
    expires_in: i64,
}

type Events = EventStream<BoxStream<'static, LiveEvent>>;

fn last_event_id(header: Option<&str>) -> Result<Option<i64>, Problem> {
    header
        .map(|h| {
            h.trim().parse::<i64>().map_err(|_| {
                Problem::invalid(&InvalidInput::new("Last-Event-ID", "must be an event id"))
            })
        })
        .transpose()
}

/// The caller: a stream token for this stream (in the URL), else a bearer access token.
async fn caller(
    state: &AppState,
    req: &Request,
    token: Option<&str>,
    tenant: &Tenant,
    stream: &str,
    order: Option<Uuid>,
) -> Result<Principal, Problem> {
    if let Some(token) = token {
        let claims = state
            .stream_tokens
            .verify(token)
            .map_err(|_| Problem::unauthorized("The stream token is invalid or expired."))?;
        if claims.tenant != tenant.id || claims.stream != stream || claims.order != order {
            return Err(Problem::unauthorized(
                "This stream token is for another stream.",
            ));
        }
        let who = Principal {
            user_id: claims.sub,
            session: claims.sid,
        };
        session_open(state, who).await?;
        return Ok(who);
    }
    optional_principal(state, req).await?.ok_or_else(|| {
        Problem::unauthorized("A bearer access token or a stream token is required.")
    })
}

async fn open(
    state: &AppState,
    scope: Scope,
    last: Option<i64>,
    first: Vec<Item>,
    to: Option<Destination>,
    access: Access,
    slots: StreamSlots,
) -> Result<Events, Problem> {
    let live = stream::open(state.pool.clone(), &state.hub, scope, last, access).await?;
    let delivery = state.config.delivery.clone();
    let events = futures_util::stream::iter(first)
        .chain(live)
        .map(move |item| {
            let _held = &slots; // the stream's slots, given back when it ends
            live_event(item, &delivery, to)
        })
        .boxed();
    Ok(EventStream::new(events)
        .keep_alive(Duration::from_secs(
            state.config.realtime.keep_alive_secs.max(1),
        ))
        .to_event(|e| {
            let mut event =
                poem::web::sse::Event::message(e.to_json_string()).event_type(e.kind.clone());
            if let Some(id) = e.id {
                event = event.id(id.to_string());
            }
            event
        }))
}

/// A slot for one more stream of `subscriber` from the request's address, or 429.
fn slots(state: &AppState, req: &Request, subscriber: &str) -> Result<StreamSlots, Problem> {
    let address = client_ip(req, state.config.http.trust_forwarded_for);
    state
        .stream_limits
        .acquire(subscriber, address)
        .map_err(|too_many| {
            let (who, n) = match too_many {
                TooMany::Subscriber(n) => ("this subscriber", n),
                TooMany::Address(n) => ("this address", n),
            };
            let mut p = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-streams",
                "Too many open streams",
            )
            .detail(format!(
                "{who} already has {n} streams open; close one first."
            ));
            p.retry_after = Some(Duration::from_secs(5));
            p
        })
}

/// What a stream asks again when the pizzeria's staff or status changes: the pizzeria still
/// open to its staff and customers, and `allowed` still true for the subscriber.
fn recheck<F, Fut>(state: &AppState, slug: &str, who: Option<Principal>, allowed: F) -> Access
where
    F: Fn(AppState, Tenant) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let (state, slug, allowed) = (state.clone(), slug.to_string(), Arc::new(allowed));
    let recheck: stream::Recheck = Arc::new(move || {
        let (state, slug, allowed) = (state.clone(), slug.clone(), Arc::clone(&allowed));
        Box::pin(async move {
            // A subscriber's session must still be open (logout, password change, a revoked
            // device), then the stream's own rule.
            if let Some(who) = who
                && session_open(&state, who).await.is_err()
            {
                return false;
            }
            match tenancy::resolve(&state.pool, &slug).await {
                Ok(tenant) => allowed(state, tenant).await,
                Err(_) => false,
            }
        })
    });
    Access {
        subscriber: who.map(|w| w.user_id),
        recheck,
    }
}

/// An order's stream: the driver's last known position first when it is on its way.
async fn order_stream(
    state: &AppState,
    tenant: &Tenant,
    order: &OrderRow,
    last: Option<i64>,
    access: Access,
    slots: StreamSlots,
) -> Result<Events, Problem> {
    let mut first = Vec::new();
    if order.status == Status::OutForDelivery {
        in_tenant(&state.pool, tenant.id, async |tx| {
            if let Some(p) = delivery::store::latest(tx, tenant.id, order.id).await? {
                first.push(Item::Position(crate::realtime::PositionNotice {
                    tenant: tenant.id,
                    order: order.id,
                    customer: order.customer_id,
                    latitude: p.latitude,
                    longitude: p.longitude,
                    accuracy_m: p.accuracy_m,
                    at: p.at,
                }));
            }
            Ok(())
        })
        .await?;
    }
    let to = Destination {
        coordinates: order.delivery_lat.zip(order.delivery_lon),
        promised: order.estimated_at,
    };
    open(
        state,
        Scope::Order {
            tenant: tenant.id,
            order: order.id,
        },
        last,
        first,
        Some(to),
        access,
        slots,
    )
    .await
}

#[OpenApi(tag = "ApiTags::Live")]
impl StreamsApi {
    /// A one-minute token for one stream, for clients that cannot send headers (EventSource).
    #[oai(path = "/pizzerias/:slug/stream-tokens", method = "post")]
    async fn token(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        body: Json<StreamTokenRequest>,
    ) -> Result<Json<StreamToken>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        match (&*body.stream, body.order_id) {
            ("order", Some(id)) => drop(visible_order(&state, &tenant, auth.0, id).await?),
            ("kitchen", None) => drop(require_role(&state, &tenant, auth.0, STAFF).await?),
            ("driver", None) => drop(require_role(&state, &tenant, auth.0, DRIVERS).await?),
            _ => {
                return Err(InvalidInput::new(
                    "stream",
                    "must be order (with order_id), kitchen or driver",
                )
                .into());
            }
        }
        let token = state
            .stream_tokens
            .issue(
                auth.0.user_id,
                auth.0.session,
                tenant.id,
                &body.stream,
                body.order_id,
            )
            .map_err(|e| Problem::internal(&anyhow::Error::new(e)))?;
        Ok(Json(StreamToken {
            token,
            expires_in: state.stream_tokens.ttl_secs(),
        }))
    }

    /// Live events of an order: status changes, the driver's position and arrival estimate.
    #[oai(path = "/pizzerias/:slug/orders/:id/events", method = "get")]
    async fn order(
        &self,
        state: Data<&AppState>,
        req: &Request,
        slug: Path<String>,
        id: Path<Uuid>,
        token: Query<Option<String>>,
        #[oai(name = "Last-Event-ID")] last: Header<Option<String>>,
    ) -> Result<Events, Problem> {
        let last = last_event_id(last.0.as_deref())?;
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let who = caller(&state, req, token.0.as_deref(), &tenant, "order", Some(*id)).await?;
        let order = visible_order(&state, &tenant, who, *id).await?;
        let slots = slots(&state, req, &format!("user:{}", who.user_id))?;
        let id = *id;
        let recheck = recheck(&state, &slug, Some(who), move |s, t| async move {
            visible_order(&s, &t, who, id).await.is_ok()
        });
        order_stream(&state, &tenant, &order.order, last, recheck, slots).await
    }

    /// Live events of an order through its tracking link (guests, phone customers).
    #[oai(path = "/pizzerias/:slug/track/:token/events", method = "get")]
    async fn tracked(
        &self,
        state: Data<&AppState>,
        req: &Request,
        slug: Path<String>,
        token: Path<String>,
        #[oai(name = "Last-Event-ID")] last: Header<Option<String>>,
    ) -> Result<Events, Problem> {
        let last = last_event_id(last.0.as_deref())?;
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let order = tracked_order(&state, &tenant, &token).await?;
        let slots = slots(&state, req, &format!("link:{}", order.order.id))?;
        let token = token.0;
        let recheck = recheck(&state, &slug, None, move |s, t| {
            let token = token.clone();
            async move { tracked_order(&s, &t, &token).await.is_ok() }
        });
        order_stream(&state, &tenant, &order.order, last, recheck, slots).await
    }

    /// The kitchen and counter: every new, modified, cancelled and progressed order (staff).
    #[oai(path = "/pizzerias/:slug/kitchen/events", method = "get")]
    async fn kitchen(
        &self,
        state: Data<&AppState>,
        req: &Request,
        slug: Path<String>,
        token: Query<Option<String>>,
        #[oai(name = "Last-Event-ID")] last: Header<Option<String>>,
    ) -> Result<Events, Problem> {
        let (token, last) = (token.0.as_deref(), last.0.as_deref());
        let scope = |tenant, _| Scope::Kitchen { tenant };
        staff_stream(&state, req, &slug, (token, last), ("kitchen", STAFF), scope).await
    }

    /// A driver's runs: delivery orders ready to take, assignments, their own deliveries.
    #[oai(path = "/pizzerias/:slug/driver/events", method = "get")]
    async fn driver(
        &self,
        state: Data<&AppState>,
        req: &Request,
        slug: Path<String>,
        token: Query<Option<String>>,
        #[oai(name = "Last-Event-ID")] last: Header<Option<String>>,
    ) -> Result<Events, Problem> {
        let (token, last) = (token.0.as_deref(), last.0.as_deref());
        let scope = |tenant, driver| Scope::Driver { tenant, driver };
        staff_stream(
            &state,
            req,
            &slug,
            (token, last),
            ("driver", DRIVERS),
            scope,
        )
        .await
    }
}

/// A staff stream (`kind`: its name in stream tokens) for callers holding one of `roles`, checked
/// again while it is open; `scope(tenant, caller)` says which events it carries.
async fn staff_stream(
    state: &AppState,
    req: &Request,
    slug: &str,
    (token, last): (Option<&str>, Option<&str>),
    (kind, roles): (&'static str, &'static [Role]),
    scope: impl FnOnce(Uuid, Uuid) -> Scope,
) -> Result<Events, Problem> {
    let last = last_event_id(last)?;
    let tenant = tenancy::resolve(&state.pool, slug).await?;
    let who = caller(state, req, token, &tenant, kind, None).await?;
    require_role(state, &tenant, who, roles).await?;
    let slots = slots(state, req, &format!("user:{}", who.user_id))?;
    let recheck = recheck(state, slug, Some(who), move |s, t| async move {
        require_role(&s, &t, who, roles).await.is_ok()
    });
    let scope = scope(tenant.id, who.user_id);
    open(state, scope, last, vec![], None, recheck, slots).await
}
