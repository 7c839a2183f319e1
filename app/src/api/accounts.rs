//! `/auth/register` and `/me`: registering, the profile, the password (sessions: `http::sessions`).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::security::BearerAuth;
use crate::accounts::{self, Registration};
use crate::domain::Locale;
use crate::http::Problem;
use crate::http::responses::Done;
use crate::http::strict::{OneOf, Text};
use crate::http::tx::as_user;
use crate::state::AppState;
use crate::tenancy::memberships;

#[derive(Default)]
pub struct AccountsApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RegisterRequest {
    email: Text,
    /// 10 to 128 characters.
    password: Text<128>,
    name: Text<100>,
    phone: Option<Text>,
    /// `fr` (default) or `en`.
    locale: Option<OneOf<Locale>>,
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
    current_password: Text,
    new_password: Text<128>,
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
                email: body.email.into(),
                password: body.password.into(),
                name: body.name.into(),
                phone: body.phone.map(String::from),
                locale: body
                    .locale
                    .as_ref()
                    .map(OneOf::get)
                    .transpose()?
                    .map(|l| l.as_str().to_string()),
            },
        )
        .await?;
        Ok(RegisterResponse::Accepted(Json(Accepted {
            status: "accepted".into(),
            message: "If this email can be used, the account is ready: log in with it.".into(),
        })))
    }

    /// The signed-in person, with their staff roles.
    #[oai(path = "/me", method = "get")]
    async fn me(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<MeResponse>, Problem> {
        let user_id = auth.0.user_id;
        let (user, platform_admin, memberships) = as_user(&state.pool, user_id, async |tx| {
            let user = accounts::store::find(tx, user_id)
                .await?
                .ok_or_else(|| Problem::unauthorized("This account no longer exists."))?;
            let platform_admin = accounts::store::is_platform_admin(tx, user_id).await?;
            let memberships = memberships::of_user(tx, user_id).await?;
            Ok((user, platform_admin, memberships))
        })
        .await?;
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
                    role: m.role.to_string(),
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
    ) -> Result<Done, Problem> {
        accounts::change_password(
            &state.pool,
            auth.0.user_id,
            &body.current_password,
            &body.new_password,
        )
        .await?;
        Ok(Done::NoContent)
    }
}
