//! Creating pizzerias (operator CLI, admin API): the tenant, its settings, its owner (membership
//! or invitation), the group menu and the platform audit entry, in one transaction on the owner
//! role's connection. Above tenancy, settings, menu and accounts, which it coordinates.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::audit;
use crate::domain::{Email, InvalidInput, Role, Slug};
use crate::tenancy::{check_profile, invitations, memberships, store};

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
                invitations::invite(conn, tenant_id, &owner_email, Role::Owner, actor).await?;
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
    audit::platform(
        conn,
        actor,
        "tenant.create",
        slug.as_str(),
        serde_json::json!({ "owner": owner_email.as_str(), "group_products": group_products }),
    )
    .await?;
    Ok(CreatedPizzeria { tenant_id, owner })
}
