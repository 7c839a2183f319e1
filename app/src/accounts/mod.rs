//! Customer and staff accounts: registration, login with rotating refresh tokens, password change.
//! Accounts are global (one person orders from several pizzerias); roles live in memberships.

pub mod addresses;
pub mod admins;
pub mod email_tokens;
mod links;
pub mod second_factor;
pub mod sessions;
pub mod store;
pub mod tokens;

use std::net::IpAddr;

use anyhow::Context;
use chrono::{Duration, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::auth::{self, JwtKeys, LoginLimiter, RateLimited};
use crate::domain::{Email, InvalidInput, Locale, Password, PersonName, Phone};
use crate::jobs::{self, EmailJob};
use email_tokens::Purpose;
pub use links::verify_email;
pub(crate) use links::{request_password_reset, reset_password};

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("invalid or expired refresh token")]
    InvalidRefreshToken,
    #[error("refresh token reused: the whole session was revoked")]
    RefreshTokenReused,
    #[error("invalid, used or expired link")]
    InvalidEmailToken,
    #[error("too many login attempts")]
    RateLimited(RateLimited),
    #[error("the account has a second factor and no code was given")]
    SecondFactorNeeded,
    #[error("wrong or reused second factor code")]
    InvalidSecondFactor,
    #[error("a second factor is already on")]
    SecondFactorAlreadyOn,
    #[error("no second factor to confirm or turn off")]
    NoSecondFactorToConfirm,
    #[error("platform administrators must keep a second factor")]
    SecondFactorRequired,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What a customer sends to register.
pub struct Registration {
    pub email: String,
    pub password: String,
    pub name: String,
    pub phone: Option<String>,
    pub locale: Option<String>,
}

/// Tokens given at login and refresh.
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
}

/// Policy for issuing sessions.
pub struct Sessions<'a> {
    pub keys: &'a JwtKeys,
    /// A refresh token unused this long expires (the session goes idle).
    pub refresh_ttl_days: u32,
    /// A session ends this long after the login, however often it was refreshed.
    pub max_days: u32,
}

/// Registers a customer. Says nothing about whether the email was already taken: the caller
/// answers the same either way (the existing account is left untouched).
pub async fn register(pool: &PgPool, input: Registration) -> Result<(), AccountsError> {
    let email = Email::parse(&input.email)?;
    let password = Password::parse(&input.password, &[email.as_str(), &input.name])?;
    let name = PersonName::parse(&input.name)?;
    let phone = input
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(Phone::parse)
        .transpose()?;
    let locale: Locale = input
        .locale
        .as_deref()
        .map(str::parse)
        .transpose()?
        .unwrap_or_default();

    // Hash even when the email is taken, so both answers take as long.
    let hash = auth::password_hash::hash(password.expose().to_string())
        .await
        .context("hashing a password")?;
    let mut tx = pool.begin().await.context("starting a transaction")?;
    let created = store::insert(
        &mut tx,
        &store::NewUser {
            email: &email,
            password_hash: Some(&hash),
            name: name.as_str(),
            phone: phone.as_ref().map_or("", Phone::as_str),
            locale: locale.as_str(),
        },
    )
    .await
    .context("inserting a user")?;
    match created {
        Some(id) => {
            // The address is confirmed by the link of an email sent after commit.
            let token = email_tokens::create(&mut tx, id, Purpose::VerifyEmail)
                .await
                .context("creating a verification token")?;
            jobs::email(&mut tx, &EmailJob::VerifyEmail { user: id, token }).await?;
            tracing::info!(user_id = %id, "customer registered");
        }
        None => tracing::info!("registration for an existing email ignored"),
    }
    tx.commit().await.context("committing a registration")?;
    Ok(())
}

pub async fn login(
    pool: &PgPool,
    policy: &Sessions<'_>,
    limiter: &LoginLimiter,
    email: &str,
    password: &str,
    totp: Option<&str>,
    client: Option<IpAddr>,
) -> Result<TokenPair, AccountsError> {
    // Throttle on the normalised email when it parses, on the raw text otherwise.
    let key = Email::parse(email)
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|_| email.to_string());
    limiter
        .check(pool, &key, client)
        .await
        .context("counting login attempts")?
        .map_err(AccountsError::RateLimited)?;
    let Ok(email) = Email::parse(email) else {
        return Err(AccountsError::InvalidCredentials);
    };
    let mut conn = pool.acquire().await.context("acquiring a connection")?;
    let user = store::find_by_email(&mut conn, &email)
        .await
        .context("finding a user")?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = auth::password_hash::verify(password.to_string(), stored)
        .await
        .context("verifying a password")?;
    let (true, Some(user)) = (ok, user) else {
        return Err(AccountsError::InvalidCredentials);
    };
    let mut tx = pool.begin().await.context("starting a transaction")?;
    second_factor::check_at_login(&mut tx, user.id, totp).await?;
    let session = Uuid::now_v7();
    let ends = Utc::now() + Duration::days(i64::from(policy.max_days));
    let audience = policy.keys.audience().db_value();
    sessions::insert(&mut tx, session, user.id, audience, ends)
        .await
        .context("opening a session")?;
    let pair = issue(&mut tx, policy, user.id, session, ends).await?;
    tx.commit().await.context("committing a login")?;
    tracing::info!(user_id = %user.id, "logged in");
    Ok(pair)
}

/// Exchanges a refresh token for a new pair. A token used twice means it leaked: its whole
/// family is revoked, the thief's copy and the owner's alike.
pub async fn refresh(
    pool: &PgPool,
    policy: &Sessions<'_>,
    token: &str,
) -> Result<TokenPair, AccountsError> {
    let audience = policy.keys.audience().db_value();
    let mut tx = pool.begin().await.context("starting a transaction")?;
    let row = tokens::find_for_update(&mut tx, &auth::refresh::digest(token))
        .await
        .context("finding a refresh token")?
        .filter(|row| row.audience == audience)
        .ok_or(AccountsError::InvalidRefreshToken)?;
    if row.rotated_at.is_some() && row.revoked_at.is_none() {
        let revoked = end_session(&mut tx, row.family_id).await?;
        tx.commit().await.context("committing a revocation")?;
        tracing::warn!(user_id = %row.user_id, family = %row.family_id, revoked, "refresh token reuse: family revoked");
        return Err(AccountsError::RefreshTokenReused);
    }
    if row.revoked_at.is_some() || row.expires_at <= Utc::now() {
        return Err(AccountsError::InvalidRefreshToken);
    }
    // Past its absolute end (or revoked), the session is over whatever its refresh tokens say.
    let ends = sessions::open_until(&mut tx, row.family_id, row.user_id, audience)
        .await
        .context("checking a session")?
        .ok_or(AccountsError::InvalidRefreshToken)?;
    tokens::mark_rotated(&mut tx, row.id)
        .await
        .context("rotating a refresh token")?;
    let pair = issue(&mut tx, policy, row.user_id, row.family_id, ends).await?;
    tx.commit().await.context("committing a refresh")?;
    Ok(pair)
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored (idempotent).
pub async fn logout(pool: &PgPool, token: &str) -> Result<(), AccountsError> {
    let mut tx = pool.begin().await.context("starting a transaction")?;
    if let Some(row) = tokens::find_for_update(&mut tx, &auth::refresh::digest(token))
        .await
        .context("finding a refresh token")?
    {
        end_session(&mut tx, row.family_id).await?;
    }
    tx.commit().await.context("committing a logout")?;
    Ok(())
}

/// Changes the password and ends every session of the user (other devices must log in again).
pub(crate) async fn change_password(
    pool: &PgPool,
    user_id: Uuid,
    current: &str,
    new: &str,
) -> Result<(), AccountsError> {
    let mut conn = pool.acquire().await.context("acquiring a connection")?;
    let user = store::find(&mut conn, user_id)
        .await
        .context("finding a user")?;
    let about: Vec<&str> = user
        .iter()
        .flat_map(|u| [u.email.as_str(), u.name.as_str()])
        .collect();
    let new = Password::parse(new, &about)?;
    let stored = user.and_then(|u| u.password_hash);
    if !auth::password_hash::verify(current.to_string(), stored)
        .await
        .context("verifying a password")?
    {
        return Err(AccountsError::WrongCurrentPassword);
    }
    let hash = auth::password_hash::hash(new.expose().to_string())
        .await
        .context("hashing a password")?;
    let mut tx = pool.begin().await.context("starting a transaction")?;
    store::set_password_hash(&mut tx, user_id, &hash)
        .await
        .context("storing a password")?;
    end_every_session(&mut tx, user_id).await?;
    tx.commit().await.context("committing a password change")?;
    tracing::info!(user_id = %user_id, "password changed, sessions revoked");
    Ok(())
}

/// Whether the session `sid` of `user_id`, named by an access token of `audience`, is still
/// open: checked on every request, so that logout and password changes take effect at once.
pub async fn session_open(
    pool: &PgPool,
    audience: auth::Audience,
    user_id: Uuid,
    sid: Uuid,
) -> Result<bool, AccountsError> {
    let mut conn = pool.acquire().await.context("acquiring a connection")?;
    let open = sessions::open_until(&mut conn, sid, user_id, audience.db_value())
        .await
        .context("checking a session")?;
    Ok(open.is_some())
}

/// Ends one session: its access tokens stop working at once, its refresh tokens too; returns
/// how many refresh tokens were still valid.
async fn end_session(conn: &mut PgConnection, session: Uuid) -> Result<u64, AccountsError> {
    Ok(sessions::revoke(conn, session)
        .await
        .context("revoking a session")?)
}

/// Ends every session of a person or device, at once.
pub async fn end_every_session(conn: &mut PgConnection, user: Uuid) -> Result<(), AccountsError> {
    Ok(sessions::revoke_all_of_user(conn, user)
        .await
        .context("revoking sessions")?)
}

/// Opens a session of `audience` for a device account, ending at `ends` (its own absolute
/// lifetime): the first refresh token, which the device exchanges for its tokens.
pub async fn open_device_session(
    conn: &mut PgConnection,
    device_user: Uuid,
    audience: auth::Audience,
    refresh_ttl_days: u32,
    ends: chrono::DateTime<Utc>,
) -> Result<String, AccountsError> {
    let session = Uuid::now_v7();
    sessions::insert(conn, session, device_user, audience.db_value(), ends)
        .await
        .context("opening a device session")?;
    new_refresh_token(conn, device_user, session, audience, refresh_ttl_days, ends).await
}

/// A refresh token of `session`: it expires when unused for `idle_days`, and never after the
/// session's end.
async fn new_refresh_token(
    conn: &mut PgConnection,
    user_id: Uuid,
    session: Uuid,
    audience: auth::Audience,
    idle_days: u32,
    ends: chrono::DateTime<Utc>,
) -> Result<String, AccountsError> {
    let refresh_token = auth::refresh::generate();
    let idle = Utc::now() + Duration::days(i64::from(idle_days));
    tokens::insert(
        conn,
        user_id,
        session,
        &auth::refresh::digest(&refresh_token),
        audience.db_value(),
        idle.min(ends),
    )
    .await
    .context("storing a refresh token")?;
    Ok(refresh_token)
}

/// A new pair for the session `session`, which ends at `ends`: the refresh token expires when
/// unused for the idle time, and never after the session.
async fn issue(
    conn: &mut PgConnection,
    policy: &Sessions<'_>,
    user_id: Uuid,
    session: Uuid,
    ends: chrono::DateTime<Utc>,
) -> Result<TokenPair, AccountsError> {
    let audience = policy.keys.audience();
    let refresh_token = new_refresh_token(
        conn,
        user_id,
        session,
        audience,
        policy.refresh_ttl_days,
        ends,
    )
    .await?;
    let access_token = policy
        .keys
        .issue(user_id, session)
        .context("signing an access token")?;
    Ok(TokenPair {
        access_token,
        expires_in: policy.keys.ttl().as_secs(),
        refresh_token,
    })
}
