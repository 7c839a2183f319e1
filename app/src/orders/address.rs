//! The delivery address of an order: typed in, or one of the customer's saved addresses.

use anyhow::Context;
use sqlx::PgConnection;

use super::{OrderError, OrderRequest, Placer};
use crate::accounts::addresses;
use crate::domain::InvalidInput;
use crate::domain::order::{Fulfilment, parse_postcode};

#[derive(Debug, Clone, Default)]
pub struct AddressInput {
    pub line: String,
    pub postcode: String,
    pub city: String,
    pub instructions: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

pub(super) struct Address {
    pub(super) line: String,
    pub(super) postcode: String,
    pub(super) city: String,
    pub(super) instructions: String,
    pub(super) lat: Option<f64>,
    pub(super) lon: Option<f64>,
}

pub(super) async fn address(
    conn: &mut PgConnection,
    placer: &Placer,
    req: &OrderRequest,
) -> Result<Option<Address>, OrderError> {
    if req.fulfilment == Fulfilment::Takeaway {
        return Ok(None);
    }
    let input = match (req.address_id, &req.delivery_address, placer) {
        (Some(id), _, Placer::Customer { user_id }) => {
            let saved = addresses::find(conn, *user_id, id)
                .await
                .context("reading a saved address")?
                .ok_or(OrderError::UnknownItem {
                    what: "address",
                    id,
                })?;
            AddressInput {
                line: saved.line,
                postcode: saved.postcode,
                city: saved.city,
                instructions: saved.instructions,
                latitude: saved.latitude,
                longitude: saved.longitude,
            }
        }
        (Some(_), _, _) => {
            return Err(InvalidInput::new(
                "address_id",
                "saved addresses are for signed-in customers",
            )
            .into());
        }
        (None, Some(a), _) => a.clone(),
        (None, None, _) => {
            return Err(
                InvalidInput::new("delivery_address", "a delivery needs an address").into(),
            );
        }
    };
    let text = |field: &'static str,
                v: &str,
                max: usize,
                required: bool|
     -> Result<String, InvalidInput> {
        let sent = v.chars().count();
        let v = v.trim();
        if (required && v.is_empty()) || sent > max || v.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                field,
                format!("must have {} to {max} characters", u8::from(required)),
            ));
        }
        Ok(v.to_string())
    };
    if input.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
        || input
            .longitude
            .is_some_and(|l| !(-180.0..=180.0).contains(&l))
    {
        return Err(
            InvalidInput::new("delivery_address.latitude", "coordinates out of range").into(),
        );
    }
    Ok(Some(Address {
        line: text("delivery_address.line", &input.line, 200, true)?,
        postcode: parse_postcode(&input.postcode)?,
        city: text("delivery_address.city", &input.city, 100, true)?,
        instructions: text(
            "delivery_address.instructions",
            &input.instructions,
            280,
            false,
        )?,
        lat: input.latitude,
        lon: input.longitude,
    }))
}
