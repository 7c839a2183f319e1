//! What a request to place an order carries (`PlaceOrderBody`, its lines, address and people)
//! and what the handlers make of it: the library's `OrderRequest` and who is placing (`Placer`).

use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::Object;
use uuid::Uuid;

use super::security::{Principal, staff_roles};
use crate::domain::order::{Channel, Fulfilment, PaymentMethod};
use crate::domain::{Locale, Role};
use crate::http::Problem;
use crate::http::strict::{OneOf, Text};
use crate::orders::lines::LineRequest;
use crate::orders::{AddressInput, OrderRequest, Placer};
use crate::state::AppState;
use crate::tenancy::Tenant;

#[derive(Object)]
#[oai(rename = "OrderLineInput")]
pub struct LineBody {
    product_id: Uuid,
    size_id: Uuid,
    #[oai(default)]
    extras: Vec<Uuid>,
    quantity: i64,
}

impl LineBody {
    pub fn request(&self) -> LineRequest {
        LineRequest {
            product_id: self.product_id,
            size_id: self.size_id,
            extras: self.extras.clone(),
            quantity: self.quantity,
        }
    }
}

#[derive(Object)]
#[oai(rename = "DeliveryAddressInput")]
#[oai(skip_serializing_if_is_none)]
pub(super) struct AddressBody {
    line: Text<200>,
    postcode: Text,
    city: Text<100>,
    #[oai(default)]
    instructions: Text<280>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Object)]
#[oai(rename = "PersonInput")]
pub(super) struct PersonBody {
    name: Text<100>,
    #[oai(default)]
    email: Text,
    phone: Text,
}

/// A new order. Prices are computed by the server: any price in the request is ignored.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct PlaceOrderBody {
    /// `delivery` or `takeaway`.
    fulfilment: OneOf<Fulfilment>,
    lines: Vec<LineBody>,
    /// Required for delivery unless `address_id` names a saved address.
    delivery_address: Option<AddressBody>,
    address_id: Option<Uuid>,
    /// A slot start from `/opening` (`next_slots`); absent: as soon as possible.
    slot_start: Option<DateTime<Utc>>,
    /// `cash` or `card`, paid on delivery or pickup.
    payment_method: OneOf<PaymentMethod>,
    /// Signed-in customers: a phone for this order (else the account's).
    contact_phone: Option<Text>,
    /// Guests (no token): name, email and phone.
    guest: Option<PersonBody>,
    /// Staff only: `phone` or `counter`.
    channel: Option<OneOf<Channel>>,
    /// Staff only: the walk-in or caller's name and phone.
    customer: Option<PersonBody>,
    #[oai(default)]
    note: Text<500>,
    /// `fr` or `en`: the language of the order's emails. Default: the request's
    /// `Accept-Language`, else a signed-in customer's account language, else French.
    locale: Option<OneOf<Locale>>,
}

pub(super) fn request_of(body: &PlaceOrderBody, req: &Request) -> Result<OrderRequest, Problem> {
    let locale = match &body.locale {
        Some(l) => Some(l.get()?),
        None => req
            .header(poem::http::header::ACCEPT_LANGUAGE)
            .and_then(Locale::from_accept_language),
    };
    Ok(OrderRequest {
        locale,
        fulfilment: body.fulfilment.get()?,
        lines: body
            .lines
            .iter()
            .map(|l| LineRequest {
                product_id: l.product_id,
                size_id: l.size_id,
                extras: l.extras.clone(),
                quantity: l.quantity,
            })
            .collect(),
        delivery_address: body.delivery_address.as_ref().map(|a| AddressInput {
            line: a.line.to_string(),
            postcode: a.postcode.to_string(),
            city: a.city.to_string(),
            instructions: a.instructions.to_string(),
            latitude: a.latitude,
            longitude: a.longitude,
        }),
        address_id: body.address_id,
        slot_start: body.slot_start,
        payment_method: body.payment_method.get()?,
        contact_phone: body.contact_phone.clone().map(String::from),
        note: body.note.to_string(),
    })
}

/// Who is placing: a guest (no token), a customer, or staff taking a phone/counter order.
pub(super) async fn placer_of(
    state: &AppState,
    tenant: &Tenant,
    who: Option<Principal>,
    body: &PlaceOrderBody,
) -> Result<Placer, Problem> {
    let channel = body.channel.as_ref().map(OneOf::get).transpose()?;
    match (who, channel) {
        (None, Some(Channel::Phone | Channel::Counter)) => Err(Problem::unauthorized(
            "Phone and counter orders are taken by signed-in staff.",
        )),
        (None, _) => {
            let g = body.guest.as_ref().ok_or_else(|| {
                Problem::invalid(&crate::domain::InvalidInput::new(
                    "guest",
                    "sign in, or give your name, email and phone",
                ))
            })?;
            Ok(Placer::Guest {
                name: g.name.to_string(),
                email: g.email.to_string(),
                phone: g.phone.to_string(),
            })
        }
        (Some(p), Some(channel @ (Channel::Phone | Channel::Counter))) => {
            let roles = staff_roles(state, tenant, p).await?;
            let role = [Role::Cashier, Role::Manager, Role::Owner]
                .into_iter()
                .find(|r| roles.contains(r))
                .ok_or_else(|| {
                    Problem::forbidden("Only cashiers and managers take phone and counter orders.")
                })?;
            let c = body.customer.as_ref().ok_or_else(|| {
                Problem::invalid(&crate::domain::InvalidInput::new(
                    "customer",
                    "give the customer's name and phone",
                ))
            })?;
            Ok(Placer::Staff {
                user_id: p.user_id,
                role,
                channel,
                name: c.name.to_string(),
                phone: c.phone.to_string(),
            })
        }
        (Some(p), _) => Ok(Placer::Customer { user_id: p.user_id }),
    }
}
