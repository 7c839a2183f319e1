//! `/pizzerias`: the public list, one pizzeria, and the caller's staff roles in it.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::ApiTags;
use super::security::{BearerAuth, staff_roles};
use crate::http::Problem;
use crate::state::AppState;
use chrono::Utc;

use crate::http::tx::in_tenant;
use crate::settings;
use crate::tenancy::{self, Tenant, TenantRow, TenantStatus, store};

#[derive(Default)]
pub struct PizzeriasApi;

#[derive(Object)]
struct Address {
    line: String,
    postcode: String,
    city: String,
}

#[derive(Object)]
struct PizzeriaView {
    slug: String,
    name: String,
    address: Address,
    phone: String,
    timezone: String,
    /// `active`, or `suspended` (closed by the group: takes no orders).
    status: String,
    /// Within its opening hours now (and not suspended).
    open_now: bool,
    /// Open now and online orders not paused.
    accepting_orders: bool,
}

impl PizzeriaView {
    async fn build(state: &AppState, row: TenantRow) -> Result<Self, Problem> {
        let (open_now, accepting_orders) = match Tenant::try_from(row.clone()) {
            Ok(tenant) if tenant.status == TenantStatus::Active => {
                let (open, paused) = in_tenant(&state.pool, tenant.id, async |tx| {
                    let now = Utc::now();
                    let open = settings::schedule(tx, &tenant, now).await?.is_open(now);
                    let paused = settings::load(tx, tenant.id).await?.online_paused;
                    Ok((open, paused))
                })
                .await?;
                (open, open && !paused)
            }
            _ => (false, false),
        };
        Ok(Self {
            open_now,
            accepting_orders,
            slug: row.slug,
            name: row.name,
            address: Address {
                line: row.address_line,
                postcode: row.postcode,
                city: row.city,
            },
            phone: row.phone,
            timezone: row.timezone,
            status: row.status,
        })
    }
}

#[derive(Object)]
struct StaffRoles {
    pizzeria: String,
    roles: Vec<String>,
}

#[OpenApi(tag = "ApiTags::Pizzerias")]
impl PizzeriasApi {
    /// Every pizzeria of the group.
    #[oai(path = "/pizzerias", method = "get")]
    async fn list(&self, state: Data<&AppState>) -> Result<Json<Vec<PizzeriaView>>, Problem> {
        let mut conn = state.pool.acquire().await?;
        let rows = store::list(&mut conn).await?;
        drop(conn);
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(PizzeriaView::build(&state, row).await?);
        }
        Ok(Json(views))
    }

    /// One pizzeria.
    #[oai(path = "/pizzerias/:slug", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
    ) -> Result<Json<PizzeriaView>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let mut conn = state.pool.acquire().await?;
        let slug = crate::domain::Slug::parse(&tenant.slug)?;
        let row = store::find_by_slug(&mut conn, &slug)
            .await?
            .ok_or_else(|| Problem::not_found("pizzeria"))?;
        drop(conn);
        Ok(Json(PizzeriaView::build(&state, row).await?))
    }

    /// The caller's roles in this pizzeria (403 when they work elsewhere or are a customer).
    #[oai(path = "/pizzerias/:slug/staff/me", method = "get")]
    async fn my_roles(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
    ) -> Result<Json<StaffRoles>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let roles = staff_roles(&state, &tenant, auth.0).await?;
        if roles.is_empty() {
            return Err(Problem::forbidden("You are not staff of this pizzeria."));
        }
        Ok(Json(StaffRoles {
            pizzeria: tenant.slug,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }))
    }
}
