//! Who places an order and how to reach them: a signed-in customer, a guest, or staff taking
//! a phone or counter order for someone.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{OrderError, OrderRequest};
use crate::accounts::store as users;
use crate::domain::order::Channel;
use crate::domain::{Email, InvalidInput, PersonName, Phone, Role};

/// Who places the order.
#[derive(Debug, Clone)]
pub enum Placer {
    /// A signed-in customer (channel web).
    Customer { user_id: Uuid },
    /// A guest on the web: name, email and phone are required.
    Guest {
        name: String,
        email: String,
        phone: String,
    },
    /// Staff taking a phone or counter order for a walk-in customer (name and phone).
    Staff {
        user_id: Uuid,
        role: Role,
        channel: Channel,
        name: String,
        phone: String,
    },
}

impl Placer {
    /// The scope of idempotency keys (docs/DESIGN.md, "Orders": tenant, principal, key).
    pub(crate) fn principal(&self) -> String {
        match self {
            Placer::Customer { user_id } | Placer::Staff { user_id, .. } => {
                format!("user:{user_id}")
            }
            Placer::Guest { email, .. } => format!("guest:{}", email.trim().to_lowercase()),
        }
    }
}

pub(super) struct Contact {
    pub(super) customer_id: Option<Uuid>,
    pub(super) is_guest: bool,
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) email: Option<String>,
    pub(super) placed_by: Option<Uuid>,
    pub(super) channel: Channel,
    pub(super) actor: Option<Uuid>,
    pub(super) role: &'static str,
}

pub(super) async fn contact(
    conn: &mut PgConnection,
    placer: &Placer,
    req: &OrderRequest,
) -> Result<Contact, OrderError> {
    let phone_of = |raw: &str| -> Result<String, InvalidInput> {
        if raw.trim().is_empty() {
            return Err(InvalidInput::new(
                "contact.phone",
                "a phone number is needed to reach you about the order",
            ));
        }
        Ok(Phone::parse(raw)
            .map_err(|e| InvalidInput::new("contact.phone", e.reason))?
            .as_str()
            .to_string())
    };
    Ok(match placer {
        Placer::Customer { user_id } => {
            let user = users::find(conn, *user_id)
                .await
                .context("reading the customer")?
                .ok_or(OrderError::Forbidden("unknown account"))?;
            let phone = phone_of(req.contact_phone.as_deref().unwrap_or(&user.phone))?;
            let name = if user.name.trim().is_empty() {
                user.email.clone()
            } else {
                user.name
            };
            Contact {
                customer_id: Some(*user_id),
                is_guest: false,
                name,
                phone,
                email: Some(user.email),
                placed_by: None,
                channel: Channel::Web,
                actor: Some(*user_id),
                role: "customer",
            }
        }
        Placer::Guest { name, email, phone } => {
            let name =
                PersonName::parse(name).map_err(|e| InvalidInput::new("guest.name", e.reason))?;
            let email =
                Email::parse(email).map_err(|e| InvalidInput::new("guest.email", e.reason))?;
            Contact {
                customer_id: None,
                is_guest: true,
                name: name.as_str().into(),
                phone: phone_of(phone)?,
                email: Some(email.as_str().into()),
                placed_by: None,
                channel: Channel::Web,
                actor: None,
                role: "guest",
            }
        }
        Placer::Staff {
            user_id,
            role,
            channel,
            name,
            phone,
        } => {
            if *channel == Channel::Web {
                return Err(
                    InvalidInput::new("channel", "staff take phone or counter orders").into(),
                );
            }
            let name = PersonName::parse(name)
                .map_err(|e| InvalidInput::new("customer.name", e.reason))?;
            Contact {
                customer_id: None,
                is_guest: false,
                name: name.as_str().into(),
                phone: phone_of(phone)?,
                email: None,
                placed_by: Some(*user_id),
                channel: *channel,
                actor: Some(*user_id),
                role: role.as_str(),
            }
        }
    })
}
