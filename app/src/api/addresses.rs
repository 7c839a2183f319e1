//! `/me/addresses`: a signed-in customer's saved delivery addresses.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::security::BearerAuth;
use crate::accounts::addresses::{self, AddressRow, MAX_ADDRESSES, NewAddress};
use crate::domain::InvalidInput;
use crate::domain::order::parse_postcode;
use crate::http::Problem;
use crate::http::responses::Done;
use crate::http::strict::Text;
use crate::http::tx::as_user;
use crate::state::AppState;

#[derive(Default)]
pub struct AddressesApi;

#[derive(Object)]
#[oai(rename = "SavedAddressInput")]
#[oai(skip_serializing_if_is_none)]
struct AddressBody {
    /// e.g. "Maison", "Bureau".
    #[oai(default)]
    label: Text<40>,
    line: Text<200>,
    postcode: Text,
    city: Text<100>,
    #[oai(default)]
    instructions: Text<280>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SavedAddress {
    id: Uuid,
    label: String,
    line: String,
    postcode: String,
    city: String,
    instructions: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl From<AddressRow> for SavedAddress {
    fn from(a: AddressRow) -> Self {
        Self {
            id: a.id,
            label: a.label,
            line: a.line,
            postcode: a.postcode,
            city: a.city,
            instructions: a.instructions,
            latitude: a.latitude,
            longitude: a.longitude,
        }
    }
}

#[derive(ApiResponse)]
enum AddressSaved {
    #[oai(status = 201)]
    Ok(Json<SavedAddress>),
}

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<String, InvalidInput> {
    let sent = v.chars().count();
    let v = v.trim();
    if (required && v.is_empty()) || sent > max || v.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            field,
            format!("must have {} to {max} characters", u8::from(required)),
        ));
    }
    Ok(v.to_string())
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl AddressesApi {
    /// Saved delivery addresses of the signed-in customer.
    #[oai(path = "/me/addresses", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<Vec<SavedAddress>>, Problem> {
        let rows = as_user(&state.pool, auth.0.user_id, async |tx| {
            Ok(addresses::list(tx, auth.0.user_id).await?)
        })
        .await?;
        Ok(Json(rows.into_iter().map(Into::into).collect()))
    }

    /// Save a delivery address (use its id as `address_id` when ordering).
    #[oai(path = "/me/addresses", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<AddressBody>,
    ) -> Result<AddressSaved, Problem> {
        let label = text("label", &body.label, 40, false)?;
        let line = text("line", &body.line, 200, true)?;
        let postcode =
            parse_postcode(&body.postcode).map_err(|e| InvalidInput::new("postcode", e.reason))?;
        let city = text("city", &body.city, 100, true)?;
        let instructions = text("instructions", &body.instructions, 280, false)?;
        if body.latitude.is_some_and(|l| !(-90.0..=90.0).contains(&l))
            || body
                .longitude
                .is_some_and(|l| !(-180.0..=180.0).contains(&l))
        {
            return Err(InvalidInput::new("latitude", "coordinates out of range").into());
        }
        let user = auth.0.user_id;
        let row = as_user(&state.pool, user, async |tx| {
            if addresses::count(tx, user).await? >= MAX_ADDRESSES {
                return Err(InvalidInput::new(
                    "addresses",
                    format!("at most {MAX_ADDRESSES} saved addresses"),
                )
                .into());
            }
            let new = NewAddress {
                label: &label,
                line: &line,
                postcode: &postcode,
                city: &city,
                instructions: &instructions,
                latitude: body.latitude,
                longitude: body.longitude,
            };
            let id = addresses::insert(tx, user, &new).await?;
            addresses::find(tx, user, id)
                .await?
                .ok_or_else(|| Problem::not_found("address"))
        })
        .await?;
        Ok(AddressSaved::Ok(Json(row.into())))
    }

    /// Forget a saved address.
    #[oai(path = "/me/addresses/:id", method = "delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Done, Problem> {
        let deleted = as_user(&state.pool, auth.0.user_id, async |tx| {
            Ok(addresses::delete(tx, auth.0.user_id, *id).await?)
        })
        .await?;
        if deleted {
            Ok(Done::NoContent)
        } else {
            Err(Problem::not_found("address"))
        }
    }
}
