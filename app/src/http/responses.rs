//! Answers many operations share: `204 No Content` and `201 Created` with the new id.

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use uuid::Uuid;

#[derive(ApiResponse)]
pub(crate) enum Done {
    #[oai(status = 204)]
    NoContent,
}

#[derive(Object)]
pub(crate) struct CreatedId {
    pub(crate) id: Uuid,
}

#[derive(ApiResponse)]
pub(crate) enum Created {
    #[oai(status = 201)]
    Ok(Json<CreatedId>),
}

impl Created {
    pub(crate) fn id(id: Uuid) -> Self {
        Self::Ok(Json(CreatedId { id }))
    }
}
