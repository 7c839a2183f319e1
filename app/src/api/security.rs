//! Bearer access tokens and the caller's roles in a pizzeria.

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use uuid::Uuid;

use crate::accounts;
use crate::domain::Role;
use crate::http::Problem;
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
    let Some(state) = req.data::<AppState>() else {
        return Err(
            Problem::internal(&anyhow::anyhow!("AppState missing from the request")).into(),
        );
    };
    Ok(principal(state, &bearer.token).await?)
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

/// The pizzeria of the path, once the caller is known to hold one of `allowed` there (see
/// [`require_role`] for what others get).
pub(crate) async fn staff_pizzeria(
    state: &AppState,
    slug: &str,
    principal: Principal,
    allowed: &[Role],
) -> Result<Tenant, Problem> {
    let tenant = tenancy::resolve(&state.pool, slug).await?;
    require_role(state, &tenant, principal, allowed).await?;
    Ok(tenant)
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
