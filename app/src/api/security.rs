//! Bearer access tokens and the caller's roles in a pizzeria.

use std::marker::PhantomData;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::accounts;
use crate::domain::Role;
use crate::http::Problem;
use crate::http::guard::Guard;
use crate::http::tx::{as_user, in_tenant};
use crate::state::AppState;
use crate::tenancy::{self, Tenant, memberships};

/// The signed-in person of a request, and the session their token belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Principal {
    pub user_id: Uuid,
    pub session: Uuid,
}

/// A valid access token of the app API (`Authorization: Bearer …`).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Principal);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    Ok(principal(app_state(req)?, &bearer.token).await?)
}

fn app_state(req: &Request) -> Result<&AppState, Problem> {
    req.data::<AppState>()
        .ok_or_else(|| Problem::internal(&anyhow::anyhow!("AppState missing from the request")))
}

/// The person of an access token, once its signature, times and session are checked: a
/// session ended by logout or a password change refuses its tokens at once.
async fn principal(state: &AppState, token: &str) -> Result<Principal, Problem> {
    let claims = state.jwt.verify(token).map_err(|err| {
        tracing::info!(error = %err, "access token refused");
        Problem::unauthorized("The access token is invalid or expired.")
    })?;
    let who = Principal {
        user_id: claims.sub,
        session: claims.sid,
    };
    session_open(state, who).await?;
    Ok(who)
}

/// Refuses a principal whose session has ended (tokens derived from an access token, such as
/// stream tokens, name its session too).
pub(crate) async fn session_open(state: &AppState, who: Principal) -> Result<(), Problem> {
    let audience = state.jwt.audience();
    if accounts::session_open(&state.pool, audience, who.user_id, who.session).await? {
        Ok(())
    } else {
        tracing::info!(user_id = %who.user_id, session = %who.session, "token of an ended session refused");
        Err(Problem::unauthorized(
            "The session has ended: log in again.",
        ))
    }
}

/// The roles of `principal` in `tenant`; none means the person is not staff there.
pub(crate) async fn staff_roles(
    state: &AppState,
    tenant: &Tenant,
    principal: Principal,
) -> Result<Vec<Role>, Problem> {
    let roles = in_tenant(&state.pool, tenant.id, async |tx| {
        Ok(memberships::roles(tx, tenant.id, principal.user_id).await?)
    })
    .await?;
    Ok(roles)
}

/// Requires one of `allowed` in `tenant`. Staff of another pizzeria get the 404 of a missing
/// object (a tenant never learns about another's staff side); others without the role, 403.
pub(crate) async fn require_role(
    state: &AppState,
    tenant: &Tenant,
    principal: Principal,
    allowed: &[Role],
) -> Result<Vec<Role>, Problem> {
    let roles = staff_roles(state, tenant, principal).await?;
    if roles.iter().any(|r| allowed.contains(r)) {
        return Ok(roles);
    }
    if roles.is_empty() {
        let elsewhere = as_user(&state.pool, principal.user_id, async |tx| {
            Ok(memberships::is_staff_anywhere(tx, principal.user_id).await?)
        })
        .await?;
        if elsewhere {
            tracing::info!(user_id = %principal.user_id, tenant = %tenant.slug, "staff of another pizzeria refused");
            return Err(Problem::not_found("resource"));
        }
    }
    Err(Problem::forbidden(
        "Your role in this pizzeria does not allow this.",
    ))
}

/// Roles that run a pizzeria.
pub const MANAGERS: &[Role] = &[Role::Owner, Role::Manager];
/// Every staff role.
pub const STAFF: &[Role] = &[
    Role::Owner,
    Role::Manager,
    Role::Cashier,
    Role::Pizzaiolo,
    Role::Driver,
];
/// Who runs the kitchen: its pizzaiolos and those who run the pizzeria.
pub const KITCHEN: &[Role] = &[Role::Owner, Role::Manager, Role::Pizzaiolo];
/// Drivers, and those who run the pizzeria.
pub const DRIVERS: &[Role] = &[Role::Driver, Role::Manager, Role::Owner];

/// The staff roles an operation admits: `staff::Path<Managers>`, `staff::Path<Everyone>`, ...
pub trait Roles: Send {
    const ALLOWED: &'static [Role];
}

macro_rules! roles {
    ($($(#[$doc:meta])* $name:ident = $allowed:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Roles for $name {
            const ALLOWED: &'static [Role] = $allowed;
        }
    )*};
}

roles! {
    /// [`MANAGERS`].
    Managers = MANAGERS;
    /// [`STAFF`].
    Everyone = STAFF;
    /// [`KITCHEN`].
    Kitchen = KITCHEN;
    /// Drivers only.
    Driving = &[Role::Driver];
}

/// A staff member of the pizzeria of the path, holding one of `R`'s roles there.
pub struct StaffOf<R> {
    pool: PgPool,
    pub tenant: Tenant,
    pub principal: Principal,
    /// All the caller's roles in the pizzeria.
    pub roles: Vec<Role>,
    allowed: PhantomData<R>,
}

/// `slug: staff::Path<R>`: the path's `{slug}` with the `BearerAuth` scheme, for staff holding
/// one of `R`'s roles there (see [`require_role`] for what others get).
pub mod staff {
    pub type Path<R> = crate::http::guard::Path<super::StaffOf<R>>;
}

impl<R: Roles> Guard for StaffOf<R> {
    type Scheme = BearerAuth;

    async fn admit(req: &Request, bearer: Bearer, slug: &str) -> Result<Self, Problem> {
        let state = app_state(req)?;
        let principal = principal(state, &bearer.token).await?;
        let tenant = tenancy::resolve(&state.pool, slug).await?;
        let roles = require_role(state, &tenant, principal, R::ALLOWED).await?;
        Ok(Self {
            pool: state.pool.clone(),
            tenant,
            principal,
            roles,
            allowed: PhantomData,
        })
    }
}

impl<R> StaffOf<R> {
    /// Runs `work` in one transaction of the pizzeria (its row-level security applies), given
    /// the pizzeria's id and the caller's.
    pub(crate) async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection, Uuid, Uuid) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        in_tenant(&self.pool, self.tenant.id, async |tx| {
            work(tx, self.tenant.id, self.principal.user_id).await
        })
        .await
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The caller if an `Authorization: Bearer` header is present (it must then be valid); none
/// for anonymous callers (guests).
pub(crate) async fn optional_principal(
    state: &AppState,
    req: &Request,
) -> Result<Option<Principal>, Problem> {
    let Some(header) = req.headers().get(poem::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| Problem::unauthorized("The Authorization header must be a bearer token."))?;
    Ok(Some(principal(state, token.trim()).await?))
}
