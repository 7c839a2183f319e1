//! Creating pizzerias (operator CLI, admin API): the tenant, its owner account and membership,
//! and the platform audit entry, in one transaction on the owner role's connection.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{memberships, store};
use crate::accounts::store as users;
use crate::auth;
use crate::domain::{Email, InvalidInput, Role, Slug};

pub struct NewPizzeria {
    pub slug: String,
    pub name: String,
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub timezone: String,
    pub owner_email: String,
}

pub struct CreatedPizzeria {
    pub tenant_id: Uuid,
    pub owner: OwnerSetup,
}

/// How the owner joins: an existing account at once, anyone else through an emailed invitation.
pub enum OwnerSetup {
    Existing(Uuid),
    Invited {
        invitation: Uuid,
        expires_at: chrono::DateTime<chrono::Utc>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("a pizzeria with slug {0:?} already exists")]
    SlugTaken(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Creates a pizzeria and its owner (a new account, or an existing one by email). Nothing is
/// written when anything fails. `conn` must be in a transaction the caller commits.
pub async fn create_pizzeria(
    conn: &mut PgConnection,
    input: &NewPizzeria,
    actor: Option<Uuid>,
) -> Result<CreatedPizzeria, ProvisionError> {
    let slug = Slug::parse(&input.slug)?;
    let name = input.name.trim();
    check_profile(name, &input.timezone, input.latitude, input.longitude)?;
    let owner_email = Email::parse(&input.owner_email)?;

    let tenant_id = store::insert(
        conn,
        &store::NewTenant {
            slug: &slug,
            name,
            address_line: input.address_line.trim(),
            postcode: input.postcode.trim(),
            city: input.city.trim(),
            phone: input.phone.trim(),
            latitude: input.latitude,
            longitude: input.longitude,
            timezone: &input.timezone,
        },
    )
    .await
    .context("inserting a tenant")?
    .ok_or_else(|| ProvisionError::SlugTaken(slug.to_string()))?;

    crate::settings::store::init_defaults(conn, tenant_id)
        .await
        .context("creating default settings")?;
    // An existing account becomes owner at once; anyone else gets an invitation by email.
    let owner = match crate::accounts::store::find_by_email(conn, &owner_email)
        .await
        .context("finding the owner")?
    {
        Some(user) => {
            memberships::grant(conn, tenant_id, user.id, Role::Owner)
                .await
                .context("granting the owner role")?;
            OwnerSetup::Existing(user.id)
        }
        None => {
            let invited =
                super::invitations::invite(conn, tenant_id, &owner_email, Role::Owner, actor)
                    .await?;
            OwnerSetup::Invited {
                invitation: invited.id,
                expires_at: invited.expires_at,
            }
        }
    };
    let group_products =
        crate::menu::group::push_all_to_tenant(conn, (tenant_id, slug.as_str()), actor)
            .await
            .map_err(|e| anyhow::Error::new(e).context("giving the new pizzeria the group menu"))?;
    audit(
        conn,
        actor,
        "tenant.create",
        slug.as_str(),
        serde_json::json!({ "owner": owner_email.as_str(), "group_products": group_products }),
    )
    .await?;
    Ok(CreatedPizzeria { tenant_id, owner })
}

/// The rules of a pizzeria's profile: a name of 1 to 120 characters, an IANA timezone,
/// coordinates on Earth.
pub fn check_profile(
    name: &str,
    timezone: &str,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Result<(), InvalidInput> {
    if name.is_empty() || name.chars().count() > 120 {
        return Err(InvalidInput::new("name", "must have 1 to 120 characters"));
    }
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        return Err(InvalidInput::new(
            "timezone",
            "must be an IANA timezone such as Europe/Paris",
        ));
    }
    if latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
        || longitude.is_some_and(|l| !(-180.0..=180.0).contains(&l))
    {
        return Err(InvalidInput::new(
            "coordinates",
            "latitude must be within ±90 and longitude within ±180",
        ));
    }
    Ok(())
}

/// Finds an account by email or creates it with a random temporary password (returned).
pub async fn ensure_user(
    conn: &mut PgConnection,
    email: &Email,
    name: &str,
) -> Result<(Uuid, Option<String>), anyhow::Error> {
    if let Some(user) = users::find_by_email(conn, email)
        .await
        .context("finding a user")?
    {
        return Ok((user.id, None));
    }
    let password = auth::refresh::generate()[..20].to_string();
    let hash = auth::password::hash(password.clone())
        .await
        .context("hashing a password")?;
    let new = users::NewUser {
        email,
        password_hash: Some(&hash),
        name,
        phone: "",
        locale: "fr",
    };
    let id = users::insert(conn, &new)
        .await
        .context("inserting a user")?
        .context("user appeared concurrently")?;
    Ok((id, Some(password)))
}

/// Records a platform administrator's (or the CLI operator's, `actor = None`) action.
pub async fn audit(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), anyhow::Error> {
    sqlx::query!(
        "INSERT INTO platform_audit_log (actor_user_id, action, target, details) VALUES ($1, $2, $3, $4)",
        actor,
        action,
        target,
        details
    )
    .execute(conn)
    .await
    .context("writing the platform audit log")?;
    Ok(())
}
