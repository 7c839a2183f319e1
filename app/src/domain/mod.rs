//! Validated values of the domain: each type can only hold what `parse` accepted.

pub mod availability;
mod column;
pub mod delivery;
mod email;
pub mod lifecycle;
mod locale;
mod money;
pub mod opening;
pub mod order;
mod password;
mod person;
mod role;
mod slug;

pub use email::Email;
pub use locale::Locale;
pub use money::Cents;
pub(crate) use money::vat_included;
pub use password::Password;
pub use person::{PersonName, Phone};
pub use role::Role;
pub use slug::Slug;

/// Why a value was refused; the message is safe to show to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidInput {
    pub field: &'static str,
    pub reason: String,
}

impl InvalidInput {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
