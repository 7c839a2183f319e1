//! `/pizzerias/{slug}/extras` and product images.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{Multipart, Object, OpenApi};
use uuid::Uuid;

use super::AdminTags;
use super::menu::{RecipeIn, recipe};
use super::security::franchise;
use super::state::AdminState;
use crate::http::Problem;
use crate::http::responses::{Created, Done};
use crate::http::strict::Text;
use crate::images::{self, ImageError};
use crate::menu::edit::{self, ExtraChange};

#[derive(Default)]
pub struct ExtrasAdminApi;

/// Room for the multipart envelope around the image (boundaries, part headers).
const MULTIPART_ENVELOPE: usize = 64 * 1024;

/// Refuses an upload from its `Content-Length`, before reading it, when it cannot fit
/// `images.max_bytes` (413), or when it has no length (411): the body is never buffered
/// beyond the limit. The image's own size and type are checked afterwards on its bytes.
fn upload_limit(ep: impl poem::Endpoint + 'static) -> impl poem::Endpoint {
    use poem::EndpointExt;
    ep.around(|ep, req| async move {
        let max = req
            .data::<AdminState>()
            .map_or(0, |s| s.config.images.max_bytes)
            .saturating_add(MULTIPART_ENVELOPE);
        let length = req
            .headers()
            .get(poem::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        match length {
            None => Err(Problem::new(
                poem::http::StatusCode::LENGTH_REQUIRED,
                "length-required",
                "Length required",
            )
            .detail("Send the upload with a Content-Length.")
            .into()),
            Some(n) if n > max => Err(Problem::from(ImageError::TooLarge {
                size: n,
                max: max - MULTIPART_ENVELOPE,
            })
            .into()),
            Some(_) => ep.call(req).await,
        }
    })
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
struct ExtraIn {
    name: Text<80>,
    /// 0 to 10 000.
    price_cents: i64,
    recipe: Vec<RecipeIn>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
#[oai(skip_serializing_if_is_none)]
struct ExtraPatch {
    name: Option<Text<80>>,
    price_cents: Option<i64>,
    active: Option<bool>,
    /// Replaces the whole recipe.
    recipe: Option<Vec<RecipeIn>>,
}

/// `multipart/form-data` with one part `file`: a PNG, JPEG or WebP image.
#[derive(Multipart)]
struct ImageUpload {
    file: Upload,
}

#[derive(Object)]
struct ImageView {
    /// Where customers get it (the app API redirects to a short-lived URL of the bucket).
    url: String,
    content_type: String,
    bytes: u64,
}

#[OpenApi(tag = "AdminTags::Pizzeria")]
impl ExtrasAdminApi {
    #[oai(path = "/pizzerias/:slug/extras", method = "post")]
    async fn create(&self, slug: franchise::Path, body: Json<ExtraIn>) -> Result<Created, Problem> {
        let id = slug
            .run(async |tx, t, by| {
                let id = edit::create_extra(
                    tx,
                    t,
                    by,
                    (&body.name, body.price_cents),
                    &recipe(&body.recipe),
                )
                .await?;
                Ok(id)
            })
            .await?;
        Ok(Created::id(id))
    }

    #[oai(path = "/pizzerias/:slug/extras/:id", method = "patch")]
    async fn update(
        &self,
        slug: franchise::Path,
        id: Path<Uuid>,
        body: Json<ExtraPatch>,
    ) -> Result<Done, Problem> {
        let r = body.recipe.as_deref().map(recipe);
        slug.run(async |tx, t, by| {
            Ok(edit::update_extra(
                tx,
                t,
                by,
                id.0,
                &ExtraChange {
                    name: body.name.as_deref(),
                    price_cents: body.price_cents,
                    active: body.active,
                    recipe: r.as_deref(),
                },
            )
            .await?)
        })
        .await?;
        Ok(Done::NoContent)
    }

    #[oai(path = "/pizzerias/:slug/extras/:id", method = "delete")]
    async fn delete(&self, slug: franchise::Path, id: Path<Uuid>) -> Result<Done, Problem> {
        slug.run(async |tx, t, by| Ok(edit::delete_extra(tx, t, by, id.0).await?))
            .await?;
        Ok(Done::NoContent)
    }

    /// Upload a product's image (replaces the previous one). Checked: PNG, JPEG or WebP as
    /// declared, at most `images.max_bytes`; a refused file stores nothing.
    #[oai(
        path = "/pizzerias/:slug/products/:id/image",
        method = "put",
        transform = "upload_limit"
    )]
    async fn put_image(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        id: Path<Uuid>,
        upload: ImageUpload,
    ) -> Result<Json<ImageView>, Problem> {
        let declared = upload.file.content_type().unwrap_or("").to_string();
        let bytes = upload.file.into_vec().await.map_err(|e| {
            Problem::from(ImageError::Unexpected(
                anyhow::Error::new(e).context("reading the upload"),
            ))
        })?;
        let kind = images::check(&declared, &bytes, state.config.images.max_bytes)?;
        // The product must exist before anything is stored.
        let exists = slug
            .run(async |tx, t, _| Ok(edit::product_exists(tx, t, id.0).await?))
            .await?;
        if !exists {
            return Err(Problem::not_found("product"));
        }
        let key = state.images.put(slug.tenant.id, id.0, kind, &bytes).await?;
        let old = slug
            .run(async |tx, t, by| {
                let old = match edit::set_image(tx, t, by, id.0, Some(&key)).await {
                    Ok(old) => old,
                    Err(err) => {
                        let _ = state.images.delete(&key).await;
                        return Err(err.into());
                    }
                };
                Ok(old)
            })
            .await?;
        if let Some(old) = old
            && let Err(err) = state.images.delete(&old).await
        {
            tracing::warn!(error = %format!("{err:#}"), key = %old, "deleting a replaced image failed");
        }
        Ok(Json(ImageView {
            url: format!(
                "{}/api/v1/pizzerias/{}/products/{}/image",
                state.config.http.public_url.trim_end_matches('/'),
                slug.tenant.slug,
                id.0
            ),
            content_type: kind.content_type().into(),
            bytes: bytes.len() as u64,
        }))
    }

    #[oai(path = "/pizzerias/:slug/products/:id/image", method = "delete")]
    async fn delete_image(
        &self,
        state: Data<&AdminState>,
        slug: franchise::Path,
        id: Path<Uuid>,
    ) -> Result<Done, Problem> {
        let old = slug
            .run(async |tx, t, by| Ok(edit::set_image(tx, t, by, id.0, None).await?))
            .await?;
        if let Some(old) = old {
            state.images.delete(&old).await?;
        }
        Ok(Done::NoContent)
    }
}
