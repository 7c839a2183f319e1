//! The dashboards: the group's (platform administrators: every pizzeria and the total) and a
//! pizzeria's own (its owners and managers), as JSON or CSV.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::AdminTags;
use super::security::{Managed, PlatformAuth, franchise};
use super::state::AdminState;
use crate::dashboard::{self, Range, store};
use crate::http::Problem;
use crate::http::strict::Day;
use crate::http::tx::{in_platform, in_tenant};

#[derive(Default)]
pub struct DashboardApi;

/// The dashboard (see docs/API.md for the definitions of each figure).
#[derive(Object)]
struct DashboardView {
    from: NaiveDate,
    to: NaiveDate,
    /// One entry per pizzeria: `pizzeria`, `name`, `timezone` and the figures.
    pizzerias: Vec<serde_json::Value>,
    /// The same figures for all of them together.
    total: serde_json::Value,
}

impl TryFrom<dashboard::Dashboard> for DashboardView {
    type Error = serde_json::Error;

    fn try_from(d: dashboard::Dashboard) -> Result<Self, Self::Error> {
        Ok(Self {
            from: d.from,
            to: d.to,
            pizzerias: d
                .pizzerias
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<_, _>>()?,
            total: serde_json::to_value(&d.total)?,
        })
    }
}

#[derive(ApiResponse)]
enum Csv {
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

fn csv(d: &dashboard::Dashboard, name: &str) -> Csv {
    let file = format!(
        "attachment; filename=\"ocpizza-{name}-{}-{}.csv\"",
        d.from, d.to
    );
    Csv::Ok(Binary(dashboard::to_csv(d).into_bytes()), file)
}

fn view(d: dashboard::Dashboard) -> Result<Json<DashboardView>, Problem> {
    Ok(Json(DashboardView::try_from(d).map_err(|e| {
        anyhow::Error::new(e).context("dashboard json")
    })?))
}

async fn group(state: &AdminState, from: &Day, to: &Day) -> Result<dashboard::Dashboard, Problem> {
    let range = Range::new(from.0, to.0)?;
    let d = in_platform(&state.owner_pool, async |tx| {
        Ok(store::load(tx, None, range).await?)
    })
    .await?;
    Ok(d)
}

async fn pizzeria(
    state: &AdminState,
    managed: &Managed,
    from: &Day,
    to: &Day,
) -> Result<dashboard::Dashboard, Problem> {
    let range = Range::new(from.0, to.0)?;
    let tenant = managed.tenant.id;
    let d = in_tenant(&state.pool, tenant, async |tx| {
        Ok(store::load(tx, Some(tenant), range).await?)
    })
    .await?;
    Ok(d)
}

#[OpenApi(tag = "AdminTags::Reports")]
impl DashboardApi {
    /// The group dashboard over service days `from`..=`to` (YYYY-MM-DD, at most 366 days).
    #[oai(path = "/dashboard", method = "get")]
    async fn group(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
        from: Query<Day>,
        to: Query<Day>,
    ) -> Result<Json<DashboardView>, Problem> {
        view(group(&state, &from, &to).await?)
    }

    /// The group dashboard as CSV: a line per pizzeria and a `TOTAL` line.
    #[oai(path = "/dashboard.csv", method = "get")]
    async fn group_csv(
        &self,
        state: Data<&AdminState>,
        _auth: PlatformAuth,
        from: Query<Day>,
        to: Query<Day>,
    ) -> Result<Csv, Problem> {
        Ok(csv(&group(&state, &from, &to).await?, "group"))
    }

    /// A pizzeria's own dashboard.
    #[oai(path = "/pizzerias/:slug/dashboard", method = "get")]
    async fn pizzeria(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        from: Query<Day>,
        to: Query<Day>,
    ) -> Result<Json<DashboardView>, Problem> {
        view(pizzeria(&state, &slug, &from, &to).await?)
    }

    #[oai(path = "/pizzerias/:slug/dashboard.csv", method = "get")]
    async fn pizzeria_csv(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        from: Query<Day>,
        to: Query<Day>,
    ) -> Result<Csv, Problem> {
        let d = pizzeria(&state, &slug, &from, &to).await?;
        Ok(csv(&d, &slug.tenant.slug))
    }
}
