//! What the links of account emails do: confirm an address, ask for a password reset (silent
//! either way) and set a new password with the reset token (every session then ends).

use anyhow::Context;
use sqlx::PgPool;

use super::email_tokens::{self, Purpose};
use super::{AccountsError, end_every_session, store};
use crate::auth;
use crate::domain::{Email, Password};
use crate::jobs::{self, EmailJob};

/// Confirms an email address with the token of the verification email.
pub async fn verify_email(pool: &PgPool, token: &str) -> Result<(), AccountsError> {
    let mut tx = pool.begin().await.context("starting a transaction")?;
    let user = email_tokens::consume(&mut tx, Purpose::VerifyEmail, token)
        .await
        .context("checking a token")?
        .ok_or(AccountsError::InvalidEmailToken)?;
    store::mark_verified(&mut tx, user)
        .await
        .context("marking an address verified")?;
    tx.commit().await.context("committing a verification")?;
    Ok(())
}

/// Sends a password reset link if the address has an account; says nothing either way.
pub(crate) async fn request_password_reset(
    pool: &PgPool,
    email: &str,
) -> Result<(), AccountsError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let mut tx = pool.begin().await.context("starting a transaction")?;
    if let Some(user) = store::find_by_email(&mut tx, &email)
        .await
        .context("finding a user")?
    {
        let token = email_tokens::create(&mut tx, user.id, Purpose::ResetPassword)
            .await
            .context("creating a reset token")?;
        jobs::email(
            &mut tx,
            &EmailJob::PasswordReset {
                user: user.id,
                token,
            },
        )
        .await?;
    }
    tx.commit().await.context("committing a reset request")?;
    Ok(())
}

/// Sets a new password with the token of a reset email; every session of the account ends.
pub(crate) async fn reset_password(
    pool: &PgPool,
    token: &str,
    new_password: &str,
) -> Result<(), AccountsError> {
    // (The account is known once the token is used; the strength rules apply meanwhile.)
    let password = Password::parse(new_password, &[])?;
    let hash = auth::password_hash::hash(password.expose().to_string())
        .await
        .context("hashing a password")?;
    let mut tx = pool.begin().await.context("starting a transaction")?;
    let user = email_tokens::consume(&mut tx, Purpose::ResetPassword, token)
        .await
        .context("checking a token")?
        .ok_or(AccountsError::InvalidEmailToken)?;
    store::set_password_hash(&mut tx, user, &hash)
        .await
        .context("storing a password")?;
    // Receiving the email proves the address too.
    store::mark_verified(&mut tx, user)
        .await
        .context("marking an address verified")?;
    end_every_session(&mut tx, user).await?;
    tx.commit().await.context("committing a password reset")?;
    tracing::info!(user_id = %user, "password reset");
    Ok(())
}
