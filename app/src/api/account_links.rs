//! The endpoints behind the links of account emails: verifying an address, resetting a password.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::accounts;
use crate::http::Problem;
use crate::http::strict::Text;
use crate::state::AppState;

#[derive(Default)]
pub struct AccountLinksApi;

#[derive(Object)]
struct TokenBody {
    token: Text,
}

#[derive(Object)]
struct ResetRequest {
    email: Text,
}

#[derive(Object)]
struct NewPasswordBody {
    token: Text,
    /// 10 to 128 characters.
    new_password: Text<128>,
}

#[derive(ApiResponse)]
enum LinkAnswer {
    #[oai(status = 204)]
    Ok,
    /// Accepted: an email follows if the address has an account.
    #[oai(status = 202)]
    Accepted,
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl AccountLinksApi {
    /// Confirm an email address with the token of the verification email.
    #[oai(path = "/auth/verify-email", method = "post")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        body: Json<TokenBody>,
    ) -> Result<LinkAnswer, Problem> {
        accounts::verify_email(&state.pool, &body.token).await?;
        Ok(LinkAnswer::Ok)
    }

    /// Ask for a password reset link by email. Always 202: the answer never tells whether an
    /// address has an account.
    #[oai(path = "/auth/password-reset", method = "post")]
    async fn request_reset(
        &self,
        state: Data<&AppState>,
        body: Json<ResetRequest>,
    ) -> Result<LinkAnswer, Problem> {
        accounts::request_password_reset(&state.pool, &body.email).await?;
        Ok(LinkAnswer::Accepted)
    }

    /// Set a new password with the token of the reset email (single use, one hour); every
    /// session of the account ends.
    #[oai(path = "/auth/password-reset/confirm", method = "post")]
    async fn reset(
        &self,
        state: Data<&AppState>,
        body: Json<NewPasswordBody>,
    ) -> Result<LinkAnswer, Problem> {
        accounts::reset_password(&state.pool, &body.token, &body.new_password).await?;
        Ok(LinkAnswer::Ok)
    }
}
