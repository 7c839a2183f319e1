//! The admin API's own sessions: the same accounts as the app, tokens of the admin audience.

use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::security::AdminAuth;
use super::state::AdminState;
use crate::accounts::{self, Sessions, TokenPair};
use crate::api::middleware::client_ip;
use crate::api::problem::Problem;
use crate::db;
use crate::tenancy::memberships;

#[derive(Default)]
pub struct AdminAuthApi;

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

#[derive(Object)]
struct Tokens {
    access_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds the access token is valid.
    expires_in: u64,
    /// Single use: exchange it at `/auth/refresh` for a new pair.
    refresh_token: String,
}

impl From<TokenPair> for Tokens {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            token_type: "Bearer".into(),
            expires_in: pair.expires_in,
            refresh_token: pair.refresh_token,
        }
    }
}

#[derive(Object)]
struct Managing {
    pizzeria: String,
    pizzeria_name: String,
    role: String,
}

#[derive(Object)]
struct Me {
    id: Uuid,
    email: String,
    name: String,
    platform_admin: bool,
    /// Pizzerias this account may run here (owner or manager).
    pizzerias: Vec<Managing>,
}

#[derive(ApiResponse)]
enum Done {
    #[oai(status = 204)]
    NoContent,
}

fn sessions(state: &AdminState) -> Sessions<'_> {
    Sessions {
        keys: &state.jwt,
        refresh_ttl_days: state.config.auth.refresh_token_ttl_days,
    }
}

#[OpenApi(tag = "AdminTags::Sessions")]
impl AdminAuthApi {
    /// Log in (any account; what it may do depends on its roles). Tokens work here only.
    #[oai(path = "/auth/login", method = "post")]
    async fn login(
        &self,
        state: Data<&AdminState>,
        req: &Request,
        body: Json<LoginBody>,
    ) -> Result<Json<Tokens>, Problem> {
        let ip = client_ip(req, state.config.http.trust_forwarded_for);
        let pair = accounts::login(
            &state.pool,
            &sessions(&state),
            &state.login_limiter,
            &body.email,
            &body.password,
            ip,
        )
        .await?;
        Ok(Json(pair.into()))
    }

    /// Exchange a refresh token of the admin API for a new pair (single use).
    #[oai(path = "/auth/refresh", method = "post")]
    async fn refresh(
        &self,
        state: Data<&AdminState>,
        body: Json<RefreshBody>,
    ) -> Result<Json<Tokens>, Problem> {
        let pair = accounts::refresh(&state.pool, &sessions(&state), &body.refresh_token).await?;
        Ok(Json(pair.into()))
    }

    /// End the session of a refresh token.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(
        &self,
        state: Data<&AdminState>,
        body: Json<RefreshBody>,
    ) -> Result<Done, Problem> {
        accounts::logout(&state.pool, &body.refresh_token).await?;
        Ok(Done::NoContent)
    }

    /// Who is signed in, and which pizzerias they run.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&AdminState>, auth: AdminAuth) -> Result<Json<Me>, Problem> {
        let user_id = auth.0.user_id;
        let mut tx = db::begin_user(&state.pool, user_id).await?;
        let user = accounts::store::find(&mut tx, user_id)
            .await?
            .ok_or_else(|| Problem::unauthorized("This account no longer exists."))?;
        let platform_admin = accounts::store::is_platform_admin(&mut tx, user_id).await?;
        let pizzerias = memberships::of_user(&mut tx, user_id)
            .await?
            .into_iter()
            .filter(|m| m.role == "owner" || m.role == "manager")
            .map(|m| Managing {
                pizzeria: m.slug,
                pizzeria_name: m.name,
                role: m.role,
            })
            .collect();
        tx.commit().await?;
        Ok(Json(Me {
            id: user.id,
            email: user.email,
            name: user.name,
            platform_admin,
            pizzerias,
        }))
    }
}
