//! `/auth/login`, `/auth/refresh`, `/auth/logout`: written once, served by every server. The
//! server's [`Shared`] decides the audience of the tokens, so a session of one server is
//! refused by the other.

use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::middleware::client_ip;
use super::responses::Done;
use super::strict::Text;
use super::{Problem, Shared};
use crate::accounts::{self, TokenPair};

#[derive(Tags)]
pub enum SessionTags {
    /// Logging in: access and refresh tokens, valid on the server that issued them only.
    Sessions,
}

#[derive(Default)]
pub struct SessionsApi;

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct LoginRequest {
    email: Text,
    password: Text,
    /// The current code of the account's authenticator app, when it has a second factor
    /// (required of platform administrators).
    totp: Option<Text>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct RefreshRequest {
    refresh_token: Text,
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

#[OpenApi(tag = "SessionTags::Sessions")]
impl SessionsApi {
    /// Log in with email and password: an access token (15 minutes) and a refresh token.
    ///
    /// What the account may do depends on its roles.
    #[oai(path = "/auth/login", method = "post")]
    async fn login(
        &self,
        shared: Data<&Shared>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> Result<Json<TokenResponse>, Problem> {
        let ip = client_ip(req, shared.config.http.trust_forwarded_for);
        let pair = accounts::login(
            &shared.pool,
            &shared.sessions(),
            &shared.login_limiter,
            &body.email,
            &body.password,
            body.totp.as_deref(),
            ip,
        )
        .await?;
        Ok(Json(pair.into()))
    }

    /// Exchange a refresh token for a new pair.
    ///
    /// Each refresh token works once; using one again ends the whole session.
    #[oai(path = "/auth/refresh", method = "post")]
    async fn refresh(
        &self,
        shared: Data<&Shared>,
        body: Json<RefreshRequest>,
    ) -> Result<Json<TokenResponse>, Problem> {
        let pair = accounts::refresh(&shared.pool, &shared.sessions(), &body.refresh_token).await?;
        Ok(Json(pair.into()))
    }

    /// End the session of a refresh token.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(
        &self,
        shared: Data<&Shared>,
        body: Json<RefreshRequest>,
    ) -> Result<Done, Problem> {
        accounts::logout(&shared.pool, &body.refresh_token).await?;
        Ok(Done::NoContent)
    }
}
