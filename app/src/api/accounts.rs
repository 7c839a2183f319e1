//! `/auth/*` and `/me`: register, login, refresh, logout, profile, password.

use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::middleware::client_ip;
use super::problem::Problem;
use super::security::BearerAuth;
use crate::accounts::{self, Registration, Sessions, TokenPair};
use crate::db;
use crate::state::AppState;
use crate::tenancy::memberships;

#[derive(Default)]
pub struct AccountsApi;

#[derive(Object)]
struct RegisterRequest {
    email: String,
    /// 10 to 128 characters.
    password: String,
    name: String,
    phone: Option<String>,
    /// `fr` (default) or `en`.
    locale: Option<String>,
}

#[derive(Object)]
struct Accepted {
    status: String,
    message: String,
}

#[derive(ApiResponse)]
enum RegisterResponse {
    /// Accepted; the same answer whether or not the email already had an account.
    #[oai(status = 202)]
    Accepted(Json<Accepted>),
}

#[derive(Object)]
struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Object)]
struct RefreshRequest {
    refresh_token: String,
}

#[derive(Object)]
struct TokenResponse {
    access_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds the access token is valid.
    expires_in: u64,
    /// Single use: exchange it at `/auth/refresh` for a new pair.
    refresh_token: String,
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            token_type: "Bearer".into(),
            expires_in: pair.expires_in,
            refresh_token: pair.refresh_token,
        }
    }
}

#[derive(ApiResponse)]
enum NoContent {
    #[oai(status = 204)]
    Done,
}

#[derive(Object)]
struct MembershipView {
    pizzeria: String,
    pizzeria_name: String,
    role: String,
}

#[derive(Object)]
struct MeResponse {
    id: Uuid,
    email: String,
    name: String,
    phone: String,
    locale: String,
    platform_admin: bool,
    /// Staff roles, per pizzeria.
    memberships: Vec<MembershipView>,
}

#[derive(Object)]
struct ChangePasswordRequest {
    current_password: String,
    new_password: String,
}

fn sessions(state: &AppState) -> Sessions<'_> {
    Sessions {
        keys: &state.jwt,
        refresh_ttl_days: state.config.auth.refresh_token_ttl_days,
    }
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Register a customer account.
    #[oai(path = "/auth/register", method = "post")]
    async fn register(
        &self,
        state: Data<&AppState>,
        body: Json<RegisterRequest>,
    ) -> Result<RegisterResponse, Problem> {
        let body = body.0;
        accounts::register(
            &state.pool,
            Registration {
                email: body.email,
                password: body.password,
                name: body.name,
                phone: body.phone,
                locale: body.locale,
            },
        )
        .await?;
        Ok(RegisterResponse::Accepted(Json(Accepted {
            status: "accepted".into(),
            message: "If this email can be used, the account is ready: log in with it.".into(),
        })))
    }

    /// Log in with email and password; returns an access token (15 minutes) and a refresh token.
    #[oai(path = "/auth/login", method = "post")]
    async fn login(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> Result<Json<TokenResponse>, Problem> {
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

    /// Exchange a refresh token for a new pair. Each refresh token works once; using one again
    /// ends the whole session.
    #[oai(path = "/auth/refresh", method = "post")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: Json<RefreshRequest>,
    ) -> Result<Json<TokenResponse>, Problem> {
        let pair = accounts::refresh(&state.pool, &sessions(&state), &body.refresh_token).await?;
        Ok(Json(pair.into()))
    }

    /// End the session of a refresh token.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        body: Json<RefreshRequest>,
    ) -> Result<NoContent, Problem> {
        accounts::logout(&state.pool, &body.refresh_token).await?;
        Ok(NoContent::Done)
    }

    /// The signed-in person, with their staff roles.
    #[oai(path = "/me", method = "get")]
    async fn me(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<MeResponse>, Problem> {
        let user_id = auth.0.user_id;
        let mut tx = db::begin_user(&state.pool, user_id).await?;
        let user = accounts::store::find(&mut tx, user_id)
            .await?
            .ok_or_else(|| Problem::unauthorized("This account no longer exists."))?;
        let platform_admin = accounts::store::is_platform_admin(&mut tx, user_id).await?;
        let memberships = memberships::of_user(&mut tx, user_id).await?;
        tx.commit().await?;
        Ok(Json(MeResponse {
            id: user.id,
            email: user.email,
            name: user.name,
            phone: user.phone,
            locale: user.locale,
            platform_admin,
            memberships: memberships
                .into_iter()
                .map(|m| MembershipView {
                    pizzeria: m.slug,
                    pizzeria_name: m.name,
                    role: m.role,
                })
                .collect(),
        }))
    }

    /// Change the password; every session of the account ends.
    #[oai(path = "/me/password", method = "post")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ChangePasswordRequest>,
    ) -> Result<NoContent, Problem> {
        accounts::change_password(
            &state.pool,
            auth.0.user_id,
            &body.current_password,
            &body.new_password,
        )
        .await?;
        Ok(NoContent::Done)
    }
}
