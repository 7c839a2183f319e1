//! Who may do what in the admin API.
//!
//! - A token of the app's audience is refused (401), as is any invalid token.
//! - Platform administrators may do everything, in every pizzeria.
//! - Owners and managers may run their own pizzeria; another pizzeria's URLs answer 404, like a
//!   pizzeria that does not exist. A suspended or offboarding pizzeria answers its own staff 403
//!   `pizzeria-closed`, as the app does.
//! - Anyone else (cashiers, pizzaiolos, drivers, customers) has no business here: 403.

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::state::AdminState;
use crate::accounts;
use crate::domain::Role;
use crate::http::Problem;
use crate::http::guard::Guard;
use crate::http::tx::{as_user, in_platform, in_tenant};
use crate::tenancy::{self, TenancyError, Tenant, TenantStatus, memberships};

#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub user_id: Uuid,
}

/// Any valid access token of the admin API (`/me`).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct AdminAuth(pub Caller);

/// A platform administrator's token. Checked before the request body is read, so a refusal is
/// the same whatever was sent.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_platform")]
pub struct PlatformAuth(pub Platform);

/// A platform administrator's request, with the owner pool platform work runs on.
pub struct Platform {
    pub user_id: Uuid,
    owner_pool: PgPool,
}

impl Platform {
    /// Runs `work` in one transaction of the owner pool (the platform's tables and every
    /// pizzeria's), given the administrator's id.
    pub(crate) async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection, Uuid) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        in_platform(&self.owner_pool, async |tx| work(tx, self.user_id).await).await
    }
}

/// The token of an owner or manager of the pizzeria in the URL (`{slug}`), or of a platform
/// administrator.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT")]
pub struct ManagerAuth(
    #[expect(
        dead_code,
        reason = "declares the scheme; `franchise::Path` reads the token itself"
    )]
    Bearer,
);

/// `slug: franchise::Path`: the pizzeria of the path, for an owner or manager of it or a
/// platform administrator (the bearer scheme `ManagerAuth`).
impl Guard for Managed {
    type Scheme = ManagerAuth;

    async fn admit(req: &Request, bearer: Bearer, slug: &str) -> Result<Managed, Problem> {
        let state = state(req)?;
        let caller = verify(state, &bearer).await?;
        require_manager(state, caller, slug).await
    }
}

fn state(req: &Request) -> Result<&AdminState, Problem> {
    req.data::<AdminState>()
        .ok_or_else(|| Problem::internal(&anyhow::anyhow!("AdminState missing from the request")))
}

/// The caller of an admin access token, once its signature, times and session are checked.
async fn verify(state: &AdminState, bearer: &Bearer) -> Result<Caller, Problem> {
    let claims = state.jwt.verify(&bearer.token).map_err(|err| {
        tracing::info!(error = %err, "admin access token refused");
        Problem::unauthorized(
            "The access token is invalid or expired, or is not an admin API token.",
        )
    })?;
    let (user, session) = (claims.sub, claims.sid);
    if !accounts::session_open(&state.pool, state.jwt.audience(), user, session)
        .await
        .map_err(Problem::from)?
    {
        tracing::info!(user_id = %user, session = %session, "token of an ended session refused");
        return Err(Problem::unauthorized(
            "The session has ended: log in again.",
        ));
    }
    Ok(Caller { user_id: user })
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    Ok(verify(state(req)?, &bearer).await?)
}

async fn check_platform(req: &Request, bearer: Bearer) -> poem::Result<Platform> {
    let state = state(req)?;
    let caller = verify(state, &bearer).await?;
    require_platform(state, caller).await?;
    Ok(Platform {
        user_id: caller.user_id,
        owner_pool: state.owner_pool.clone(),
    })
}

/// Whether the caller is a platform administrator; one without a second factor may use no
/// platform right until they set one up (`/me/second-factor`).
async fn is_platform_admin(state: &AdminState, caller: Caller) -> Result<bool, Problem> {
    let (admin, second_factor) = as_user(&state.pool, caller.user_id, async |tx| {
        let admin = accounts::store::is_platform_admin(tx, caller.user_id).await?;
        let on = admin && accounts::second_factor::is_on(tx, caller.user_id).await?;
        Ok((admin, on))
    })
    .await?;
    if admin && !second_factor {
        return Err(Problem::new(
            poem::http::StatusCode::FORBIDDEN,
            "second-factor-required",
            "Set up a second factor first",
        )
        .detail("Platform administrators must have a second factor: POST /admin/v1/me/second-factor, then confirm it with a code."));
    }
    Ok(admin)
}

/// Platform administrators only.
async fn require_platform(state: &AdminState, caller: Caller) -> Result<(), Problem> {
    if is_platform_admin(state, caller).await? {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "Only platform administrators may do this.",
        ))
    }
}

/// The pizzeria a franchise request is about, and the caller's standing in it.
pub struct Managed {
    pool: PgPool,
    pub user_id: Uuid,
    pub tenant: Tenant,
    /// The caller's roles in the pizzeria (none for a platform administrator from outside).
    pub actor_roles: Vec<Role>,
    pub platform_admin: bool,
}

impl Managed {
    /// Runs `work` in one transaction of the pizzeria (its row-level security applies), given
    /// the pizzeria's id and the caller's: the franchise handlers' one way to the database.
    pub(crate) async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection, Uuid, Uuid) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        in_tenant(&self.pool, self.tenant.id, async |tx| {
            work(tx, self.tenant.id, self.user_id).await
        })
        .await
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Owners (and platform administrators) may do what managers may not: hand out the owner
    /// and manager roles.
    pub(crate) fn is_owner(&self) -> bool {
        self.platform_admin || self.actor_roles.contains(&Role::Owner)
    }
}

/// An owner or manager of the pizzeria `slug`, or a platform administrator.
async fn require_manager(
    state: &AdminState,
    caller: Caller,
    slug: &str,
) -> Result<Managed, Problem> {
    let platform_admin = is_platform_admin(state, caller).await?;
    let all = as_user(&state.pool, caller.user_id, async |tx| {
        Ok(memberships::of_user(tx, caller.user_id).await?)
    })
    .await?;
    let manages = |m: &memberships::MembershipRow| m.role.manages();
    if !platform_admin && !all.iter().any(manages) {
        return Err(Problem::forbidden(
            "The admin API is for platform administrators and the owners and managers of a pizzeria.",
        ));
    }
    let tenant = tenancy::find(&state.pool, slug).await?;
    let actor_roles: Vec<Role> = all
        .iter()
        .filter(|m| m.slug == tenant.slug)
        .map(|m| m.role)
        .collect();
    let here = actor_roles.iter().any(|r| r.manages());
    if !platform_admin && !here {
        tracing::info!(user_id = %caller.user_id, pizzeria = %tenant.slug, "manager of another pizzeria refused");
        return Err(Problem::not_found("pizzeria"));
    }
    // Suspended or offboarding: closed to its own staff, owners included, as on the app.
    if !platform_admin && tenant.status != TenantStatus::Active {
        return Err(TenancyError::Suspended(tenant.slug).into());
    }
    Ok(Managed {
        pool: state.pool.clone(),
        user_id: caller.user_id,
        tenant,
        actor_roles,
        platform_admin,
    })
}

/// `slug: franchise::Path`: a franchise operation's pizzeria, the path's `{slug}` with the
/// `ManagerAuth` scheme, admitted by [`Managed`]'s guard.
pub mod franchise {
    pub type Path = crate::http::guard::Path<super::Managed>;
}
