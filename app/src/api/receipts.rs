//! Receipts of an order: printable HTML and plain text (ticket printers).

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::{Html, PlainText};
use uuid::Uuid;

use super::ApiTags;
use super::order_access::{seller, tracked_order, visible_order};
use super::security::BearerAuth;
use crate::http::Problem;
use crate::orders::receipt;
use crate::state::AppState;
use crate::tenancy;

#[derive(Default)]
pub struct ReceiptsApi;

#[OpenApi(tag = "ApiTags::Orders")]
impl ReceiptsApi {
    /// The receipt, printable HTML.
    #[oai(path = "/pizzerias/:slug/orders/:id/receipt.html", method = "get")]
    async fn receipt_html(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Html<String>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let details = visible_order(&state, &tenant, auth.0, *id).await?;
        Ok(Html(receipt::html(
            &details,
            &seller(&state, &tenant).await?,
        )))
    }

    /// The receipt, plain text (for a ticket printer).
    #[oai(path = "/pizzerias/:slug/orders/:id/receipt.txt", method = "get")]
    async fn receipt_text(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        slug: Path<String>,
        id: Path<Uuid>,
    ) -> Result<PlainText<String>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let details = visible_order(&state, &tenant, auth.0, *id).await?;
        Ok(PlainText(receipt::text(
            &details,
            &seller(&state, &tenant).await?,
        )))
    }

    /// The receipt through the tracking link, printable HTML.
    #[oai(path = "/pizzerias/:slug/track/:token/receipt.html", method = "get")]
    async fn tracked_receipt(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        token: Path<String>,
    ) -> Result<Html<String>, Problem> {
        let tenant = tenancy::resolve(&state.pool, &slug).await?;
        let details = tracked_order(&state, &tenant, &token).await?;
        Ok(Html(receipt::html(
            &details,
            &seller(&state, &tenant).await?,
        )))
    }
}
