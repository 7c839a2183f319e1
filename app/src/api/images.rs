//! `GET /api/v1/pizzerias/{slug}/products/{id}/image`: a product's picture for customers. With
//! an image bucket, a redirect to a presigned URL that expires after `images.url_ttl_secs`;
//! in development (local directory), the image itself.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use crate::http::Problem;
use crate::http::streamed::Image;
use crate::http::tx::in_tenant;
use crate::images::Served;
use crate::state::AppState;
use crate::{menu, tenancy};

#[derive(Default)]
pub struct ImagesApi;

#[derive(ApiResponse)]
enum Picture {
    /// The image (images kept in a local directory).
    #[oai(status = 200)]
    Image(Image, #[oai(header = "Cache-Control")] String),
    /// The image bucket's short-lived URL of the image.
    #[oai(status = 302)]
    Redirect(
        #[oai(header = "Location")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

#[OpenApi(tag = "ApiTags::Menu")]
impl ImagesApi {
    /// A product's picture: the image, or a redirect to a short-lived URL of it. 404 when the
    /// product is not on the menu or has no picture.
    #[oai(path = "/pizzerias/:slug/products/:id/image", method = "get")]
    async fn product_image(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Picture, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let menu = in_tenant(&state.pool, tenant.id, async |tx| {
            Ok(menu::current(&state.menus, tx, tenant.id).await?)
        })
        .await?;
        let key = menu
            .product(*id)
            .filter(|p| p.active)
            .and_then(|p| p.image_key.clone())
            .ok_or_else(|| Problem::not_found("image"))?;
        match state.images.serve(&key).await? {
            Some(Served::Redirect(url)) => Ok(Picture::Redirect(url, "private, max-age=60".into())),
            Some(Served::Bytes(bytes, content_type)) => Ok(Picture::Image(
                Image {
                    bytes,
                    content_type,
                },
                "public, max-age=300".into(),
            )),
            None => Err(Problem::not_found("image")),
        }
    }
}
