//! `/me` of the admin API: who is signed in and which pizzerias they run, and their second
//! factor (sessions: `http::sessions`, tokens of the admin audience).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::security::AdminAuth;
use super::state::AdminState;
use crate::accounts::{self, second_factor};
use crate::http::Problem;
use crate::http::responses::Done;
use crate::http::sessions::SessionTags;
use crate::http::strict::Text;
use crate::http::tx::as_user;
use crate::tenancy::memberships;

#[derive(Default)]
pub struct MeApi;

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

/// A second factor being set up: add it to an authenticator app, then confirm it with a code.
#[derive(Object)]
struct SecondFactorSetup {
    /// The secret to type in (base32).
    secret: String,
    /// The same as an `otpauth://` URI, for a QR code.
    otpauth_uri: String,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct SecondFactorCode {
    /// The 6 digits the authenticator app shows now.
    code: Text,
}

#[derive(poem_openapi::ApiResponse)]
enum SetupStarted {
    /// Set up, not yet on: confirm it with a code.
    #[oai(status = 201)]
    Created(Json<SecondFactorSetup>),
}

#[OpenApi(tag = "SessionTags::Sessions")]
impl MeApi {
    /// Who is signed in, and which pizzerias they run.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&AdminState>, auth: AdminAuth) -> Result<Json<Me>, Problem> {
        let user_id = auth.0.user_id;
        let (user, platform_admin, pizzerias) = as_user(&state.pool, user_id, async |tx| {
            let user = accounts::store::find(tx, user_id)
                .await?
                .ok_or_else(|| Problem::unauthorized("This account no longer exists."))?;
            let platform_admin = accounts::store::is_platform_admin(tx, user_id).await?;
            let pizzerias = memberships::of_user(tx, user_id)
                .await?
                .into_iter()
                .filter(|m| m.role.manages())
                .map(|m| Managing {
                    pizzeria: m.slug,
                    pizzeria_name: m.name,
                    role: m.role.to_string(),
                })
                .collect();
            Ok((user, platform_admin, pizzerias))
        })
        .await?;
        Ok(Json(Me {
            id: user.id,
            email: user.email,
            name: user.name,
            platform_admin,
            pizzerias,
        }))
    }

    /// Set up a second factor (TOTP): a new secret for an authenticator app. It counts once
    /// confirmed; then every login asks for a code. Required of platform administrators.
    #[oai(path = "/me/second-factor", method = "post")]
    async fn second_factor_begin(
        &self,
        state: Data<&AdminState>,
        auth: AdminAuth,
    ) -> Result<SetupStarted, Problem> {
        let user_id = auth.0.user_id;
        let secret = second_factor::begin(&state.pool, user_id).await?;
        let email = as_user(&state.pool, user_id, async |tx| {
            Ok(accounts::store::find(tx, user_id)
                .await?
                .map(|u| u.email)
                .unwrap_or_default())
        })
        .await?;
        Ok(SetupStarted::Created(Json(SecondFactorSetup {
            secret: secret.base32(),
            otpauth_uri: secret.uri("OC Pizza", &email),
        })))
    }

    /// Confirm the second factor set up last with a code from it: it is on from now.
    #[oai(path = "/me/second-factor/confirm", method = "post")]
    async fn second_factor_confirm(
        &self,
        state: Data<&AdminState>,
        auth: AdminAuth,
        body: Json<SecondFactorCode>,
    ) -> Result<Done, Problem> {
        second_factor::confirm(&state.pool, auth.0.user_id, &body.code).await?;
        Ok(Done::NoContent)
    }

    /// Turn the second factor off with a current code (not for platform administrators).
    #[oai(path = "/me/second-factor/off", method = "post")]
    async fn second_factor_off(
        &self,
        state: Data<&AdminState>,
        auth: AdminAuth,
        body: Json<SecondFactorCode>,
    ) -> Result<Done, Problem> {
        second_factor::turn_off(&state.pool, auth.0.user_id, &body.code).await?;
        Ok(Done::NoContent)
    }
}
