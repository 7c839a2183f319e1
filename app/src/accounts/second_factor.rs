//! The second factor of an account: a TOTP secret set up in two steps (the secret is shown,
//! then a code from it confirms it), asked at every login once confirmed, and required of
//! platform administrators before they may use their rights (docs/DESIGN.md, "Sessions").

use anyhow::Context;
use chrono::Utc;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::AccountsError;
use crate::auth::totp::TotpSecret;

struct FactorRow {
    secret: Vec<u8>,
    confirmed: bool,
    last_step: Option<i64>,
}

async fn find_for_update(
    conn: &mut PgConnection,
    user_id: Uuid,
) -> Result<Option<FactorRow>, sqlx::Error> {
    sqlx::query_as!(
        FactorRow,
        r#"SELECT secret, confirmed_at IS NOT NULL AS "confirmed!", last_step
           FROM totp_factors WHERE user_id = $1 FOR UPDATE"#,
        user_id
    )
    .fetch_optional(conn)
    .await
}

/// Whether the person has a confirmed second factor.
pub async fn is_on(conn: &mut PgConnection, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let on = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM totp_factors
                          WHERE user_id = $1 AND confirmed_at IS NOT NULL) AS "on!""#,
        user_id
    )
    .fetch_one(conn)
    .await?;
    Ok(on)
}

/// Installs a confirmed second factor with a known secret (the demo data, the operator's tools),
/// unless the person already has one on.
pub async fn install(
    conn: &mut PgConnection,
    user_id: Uuid,
    secret: &TotpSecret,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO totp_factors (user_id, secret, confirmed_at) VALUES ($1, $2, now())
           ON CONFLICT (user_id) DO UPDATE
           SET secret = excluded.secret, confirmed_at = now(), last_step = NULL
           WHERE totp_factors.confirmed_at IS NULL"#,
        user_id,
        secret.as_bytes()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A new secret for the person to add to their authenticator app; it counts once confirmed.
/// Refused while a confirmed one exists (turn it off first, with a code).
pub async fn begin(pool: &PgPool, user_id: Uuid) -> Result<TotpSecret, AccountsError> {
    let mut tx = pool.begin().await.context("starting a transaction")?;
    if let Some(row) = find_for_update(&mut tx, user_id)
        .await
        .context("reading a second factor")?
        && row.confirmed
    {
        return Err(AccountsError::SecondFactorAlreadyOn);
    }
    let secret = TotpSecret::generate();
    sqlx::query!(
        r#"INSERT INTO totp_factors (user_id, secret) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE
           SET secret = excluded.secret, created_at = now(), confirmed_at = NULL, last_step = NULL"#,
        user_id,
        secret.as_bytes()
    )
    .execute(&mut *tx)
    .await
    .context("storing a second factor")?;
    tx.commit().await.context("committing a second factor")?;
    Ok(secret)
}

/// Confirms the secret set up last with a code from it.
pub async fn confirm(pool: &PgPool, user_id: Uuid, code: &str) -> Result<(), AccountsError> {
    let mut tx = pool.begin().await.context("starting a transaction")?;
    let row = find_for_update(&mut tx, user_id)
        .await
        .context("reading a second factor")?
        .filter(|row| !row.confirmed)
        .ok_or(AccountsError::NoSecondFactorToConfirm)?;
    let step = accept(&row, code)?;
    sqlx::query!(
        "UPDATE totp_factors SET confirmed_at = now(), last_step = $2 WHERE user_id = $1",
        user_id,
        step
    )
    .execute(&mut *tx)
    .await
    .context("confirming a second factor")?;
    tx.commit().await.context("committing a second factor")?;
    tracing::info!(user_id = %user_id, "second factor on");
    Ok(())
}

/// Turns the second factor off with a current code; platform administrators may not.
pub async fn turn_off(pool: &PgPool, user_id: Uuid, code: &str) -> Result<(), AccountsError> {
    let mut tx = pool.begin().await.context("starting a transaction")?;
    if super::store::is_platform_admin(&mut tx, user_id)
        .await
        .context("reading the platform administrators")?
    {
        return Err(AccountsError::SecondFactorRequired);
    }
    let row = find_for_update(&mut tx, user_id)
        .await
        .context("reading a second factor")?
        .filter(|row| row.confirmed)
        .ok_or(AccountsError::NoSecondFactorToConfirm)?;
    accept(&row, code)?;
    sqlx::query!("DELETE FROM totp_factors WHERE user_id = $1", user_id)
        .execute(&mut *tx)
        .await
        .context("removing a second factor")?;
    tx.commit().await.context("committing a second factor")?;
    tracing::info!(user_id = %user_id, "second factor off");
    Ok(())
}

/// At login, after the password: nothing to do without a confirmed factor; otherwise `code`
/// must be a current code not used before, and it is then used up.
pub(super) async fn check_at_login(
    conn: &mut PgConnection,
    user_id: Uuid,
    code: Option<&str>,
) -> Result<(), AccountsError> {
    let Some(row) = find_for_update(conn, user_id)
        .await
        .context("reading a second factor")?
        .filter(|row| row.confirmed)
    else {
        return Ok(());
    };
    let code = code.ok_or(AccountsError::SecondFactorNeeded)?;
    let step = accept(&row, code)?;
    sqlx::query!(
        "UPDATE totp_factors SET last_step = $2 WHERE user_id = $1",
        user_id,
        step
    )
    .execute(conn)
    .await
    .context("using a code")?;
    Ok(())
}

fn accept(row: &FactorRow, code: &str) -> Result<i64, AccountsError> {
    TotpSecret::from_bytes(row.secret.clone())
        .verify(code, Utc::now().timestamp(), row.last_step)
        .ok_or(AccountsError::InvalidSecondFactor)
}
