//! `GET /api/v1/pizzerias/{slug}/products/{id}/image`: a product's picture for customers. With
//! an image bucket, a redirect to a presigned URL that expires after `images.url_ttl_secs`;
//! in development (local directory), the image itself. A plain route (binary answer), listed
//! in docs/API.md.

use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{IntoResponse, Response, handler};
use uuid::Uuid;

use crate::http::Problem;
use crate::http::tx::in_tenant;
use crate::images::Served;
use crate::state::AppState;
use crate::{menu, tenancy};

#[handler]
pub(crate) async fn product_image(
    state: Data<&AppState>,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    match serve(&state, &slug, &id).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

async fn serve(state: &AppState, slug: &str, id: &str) -> Result<Response, Problem> {
    let id: Uuid = id.parse().map_err(|_| Problem::not_found("product"))?;
    let tenant = tenancy::resolve(&state.pool, slug).await?;
    let menu = in_tenant(&state.pool, tenant.id, async |tx| {
        Ok(menu::current(&state.menus, tx, tenant.id).await?)
    })
    .await?;
    let key = menu
        .product(id)
        .filter(|p| p.active)
        .and_then(|p| p.image_key.clone())
        .ok_or_else(|| Problem::not_found("image"))?;
    match state.images.serve(&key).await? {
        Some(Served::Redirect(url)) => Ok(Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, url)
            .header(header::CACHE_CONTROL, "private, max-age=60")
            .finish()),
        Some(Served::Bytes(bytes, content_type)) => Ok(Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CACHE_CONTROL, "public, max-age=300")
            .body(bytes)),
        None => Err(Problem::not_found("image")),
    }
}
