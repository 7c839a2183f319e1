//! Invitations to join a pizzeria's staff: a single-use link valid 7 days, sent by email. The
//! invitee sets a password (a new account) or the role joins the account of that address.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::memberships;
use crate::accounts::store as users;
use crate::audit;
use crate::auth::{self, refresh};
use crate::domain::{Email, InvalidInput, Password, PersonName, Role};
use crate::jobs::{self, EmailJob};

pub const LIFETIME_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("invalid, used or expired invitation")]
    Unknown,
    #[error("a new account needs a name and a password")]
    AccountDetailsNeeded,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub struct Invited {
    pub id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// Invites `email` as `role` and enqueues the email, in the caller's transaction (of the
/// tenant, or the owner role's). A pending invitation of the same address and role is replaced.
pub async fn invite(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    email: &Email,
    role: Role,
    invited_by: Option<Uuid>,
) -> Result<Invited, anyhow::Error> {
    sqlx::query!(
        "UPDATE invitations SET expires_at = now() WHERE tenant_id = $1 AND email = $2 AND role = $3 AND accepted_at IS NULL AND expires_at > now()",
        tenant_id,
        email.as_str(),
        role.as_str()
    )
    .execute(&mut *conn)
    .await
    .context("replacing a pending invitation")?;
    let token = refresh::generate();
    let id = Uuid::now_v7();
    let expires_at = Utc::now() + Duration::days(LIFETIME_DAYS);
    sqlx::query!(
        r#"INSERT INTO invitations (tenant_id, id, email, role, invited_by, token_hash, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        tenant_id,
        id,
        email.as_str(),
        role.as_str(),
        invited_by,
        refresh::digest(&token),
        expires_at
    )
    .execute(&mut *conn)
    .await
    .context("inserting an invitation")?;
    jobs::email(
        conn,
        &EmailJob::Invitation {
            tenant: tenant_id,
            invitation: id,
            token,
        },
    )
    .await?;
    audit::record(
        conn,
        tenant_id,
        invited_by,
        "staff.invite",
        email.as_str(),
        serde_json::json!({ "role": role.as_str() }),
    )
    .await
    .context("auditing")?;
    Ok(Invited { id, expires_at })
}

pub struct Accepted {
    pub user_id: Uuid,
    pub role: Role,
    pub account_created: bool,
}

/// Accepts an invitation of `tenant_id`. Without an account at the invited address, `name` and
/// `password` create one (the link proves the address).
pub async fn accept(
    pool: &PgPool,
    tenant_id: Uuid,
    token: &str,
    name: Option<&str>,
    password: Option<&str>,
) -> Result<Accepted, InvitationError> {
    let mut tx = crate::db::begin_tenant(pool, tenant_id)
        .await
        .context("starting a transaction")?;
    let row = sqlx::query!(
        r#"SELECT id, email, role FROM invitations
           WHERE tenant_id = $1 AND token_hash = $2 AND accepted_at IS NULL AND expires_at > now()
           FOR UPDATE"#,
        tenant_id,
        refresh::digest(token)
    )
    .fetch_optional(&mut *tx)
    .await
    .context("finding an invitation")?
    .ok_or(InvitationError::Unknown)?;
    let role: Role = row.role.parse()?;
    let email = Email::parse(&row.email)?;
    let (user_id, account_created) = match users::find_by_email(&mut tx, &email)
        .await
        .context("finding a user")?
    {
        Some(user) => (user.id, false),
        None => {
            let (Some(name), Some(password)) = (name, password) else {
                return Err(InvitationError::AccountDetailsNeeded);
            };
            let name = PersonName::parse(name)?;
            let password = Password::parse(password, &[email.as_str(), name.as_str()])?;
            let hash = auth::password_hash::hash(password.expose().to_string())
                .await
                .context("hashing a password")?;
            let new = users::NewUser {
                email: &email,
                password_hash: Some(&hash),
                name: name.as_str(),
                phone: "",
                locale: "fr",
            };
            let id = users::insert(&mut tx, &new)
                .await
                .context("creating an account")?
                .context("account appeared concurrently")?;
            (id, true)
        }
    };
    users::mark_verified(&mut tx, user_id)
        .await
        .context("marking an address verified")?;
    memberships::grant(&mut tx, tenant_id, user_id, role)
        .await
        .context("granting the role")?;
    sqlx::query!("UPDATE invitations SET accepted_at = now(), accepted_by = $3 WHERE tenant_id = $1 AND id = $2", tenant_id, row.id, user_id)
        .execute(&mut *tx)
        .await
        .context("accepting an invitation")?;
    audit::record(
        &mut tx,
        tenant_id,
        Some(user_id),
        "staff.join",
        email.as_str(),
        serde_json::json!({ "role": role.as_str() }),
    )
    .await
    .context("auditing")?;
    tx.commit().await.context("committing an acceptance")?;
    Ok(Accepted {
        user_id,
        role,
        account_created,
    })
}

pub struct PendingRow {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn pending(
    conn: &mut PgConnection,
    tenant_id: Uuid,
) -> Result<Vec<PendingRow>, sqlx::Error> {
    sqlx::query_as!(
        PendingRow,
        r#"SELECT id, email, role AS "role: Role", created_at, expires_at FROM invitations
           WHERE tenant_id = $1 AND accepted_at IS NULL AND expires_at > now() ORDER BY created_at"#,
        tenant_id
    )
    .fetch_all(conn)
    .await
}

/// What an invitation email says: who is invited to which pizzeria, as what, until when.
pub struct InvitationMail {
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub slug: String,
    pub pizzeria: String,
}

pub(crate) async fn for_email(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<InvitationMail>, sqlx::Error> {
    sqlx::query_as!(
        InvitationMail,
        r#"SELECT i.email, i.role AS "role: Role", i.expires_at, t.slug, t.name AS pizzeria
           FROM invitations i JOIN tenants t ON t.id = i.tenant_id
           WHERE i.tenant_id = $1 AND i.id = $2"#,
        tenant_id,
        id
    )
    .fetch_optional(conn)
    .await
}
