//! The public menu document of a pizzeria, kept serialised in memory with its `ETag`.
//!
//! Each read waits for a single-flight check (`http::fresh`) that reads the pizzeria (its status),
//! the menu version and the stock on hand; when none of them moved (and no sold-out mark has
//! expired since), the same bytes and `ETag` are answered again. See docs/DESIGN.md, "Menu and
//! availability".

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use poem_openapi::types::ToJSON;
use uuid::Uuid;

use super::menu::{ProductView, product_view};
use crate::domain::Slug;
use crate::http::Problem;
use crate::http::fresh::Document;
use crate::http::tx::in_tenant;
use crate::menu::{self, MenuData};
use crate::state::AppState;
use crate::tenancy::{self, TenancyError, TenantStatus};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(super) struct ExtraView {
    id: Uuid,
    name: String,
    price_cents: i64,
    available: bool,
    remaining: Option<i64>,
}

#[derive(Object)]
pub(super) struct CategoryView {
    id: Uuid,
    name: String,
    products: Vec<ProductView>,
}

#[derive(Object)]
pub(super) struct MenuView {
    pizzeria: String,
    menu_version: i64,
    categories: Vec<CategoryView>,
    /// Extras a pizza may take.
    extras: Vec<ExtraView>,
}

/// The current menu document of the pizzeria `slug`.
pub(super) async fn current(state: &AppState, slug: &str) -> Result<Arc<Document>, Problem> {
    let slot = state.menu_docs.slot(slug);
    slot.get(async |kept| check(state, slug, kept).await).await
}

/// Reads what the document depends on, in one statement (`menu_state`; the menu's structure
/// comes from the cache when its version is kept); keeps `kept` when none of it moved.
async fn check(
    state: &AppState,
    slug: &str,
    kept: Option<Arc<Document>>,
) -> Result<Arc<Document>, Problem> {
    let unknown = || TenancyError::UnknownPizzeria(slug.to_string());
    let found = match Slug::parse(slug) {
        Ok(_) => menu::store::state(&state.pool, slug).await?,
        Err(_) => None,
    };
    let Some(st) = found else {
        state.menu_docs.forget(slug);
        return Err(unknown().into());
    };
    let status: TenantStatus = st
        .status
        .parse()
        .map_err(|_| anyhow::anyhow!("pizzeria {slug} has an unknown status {:?}", st.status))?;
    tenancy::open_to_public(slug, status)?;
    let menu = match state.menus.get(st.tenant_id, st.menu_version) {
        Some(menu) => menu,
        None => {
            in_tenant(&state.pool, st.tenant_id, async |tx| {
                Ok(menu::current(&state.menus, tx, st.tenant_id).await?)
            })
            .await?
        }
    };
    let on_hand = st.on_hand;
    let now = Utc::now();
    let basis = basis(st.tenant_id, &menu, &on_hand);
    if let Some(kept) = kept
        && kept.holds(&basis, now)
    {
        return Ok(kept);
    }
    Ok(Arc::new(build(slug, &menu, &on_hand, basis, now)?))
}

/// What the document shows depends on: the pizzeria, the menu version and the stock on hand.
fn basis(tenant: Uuid, menu: &MenuData, on_hand: &HashMap<Uuid, i64>) -> String {
    let mut stock: Vec<_> = on_hand.iter().collect();
    stock.sort_unstable();
    let stock: Vec<String> = stock.iter().map(|(id, q)| format!("{id}={q}")).collect();
    format!("{tenant}/{}/{}", menu.version, stock.join(","))
}

fn build(
    slug: &str,
    menu: &MenuData,
    on_hand: &HashMap<Uuid, i64>,
    basis: String,
    now: DateTime<Utc>,
) -> Result<Document, Problem> {
    let view = MenuView {
        pizzeria: slug.to_string(),
        menu_version: menu.version,
        categories: menu
            .categories
            .iter()
            .map(|c| CategoryView {
                id: c.id,
                name: c.name.clone(),
                products: c
                    .products
                    .iter()
                    .filter(|p| p.active)
                    .map(|p| product_view(slug, p, menu, &[], on_hand, now))
                    .collect(),
            })
            .filter(|c| !c.products.is_empty())
            .collect(),
        extras: menu
            .extras
            .iter()
            .filter(|e| e.active)
            .map(|e| {
                let remaining = e.remaining(on_hand);
                ExtraView {
                    id: e.id,
                    name: e.name.clone(),
                    price_cents: e.price_cents,
                    available: remaining != Some(0),
                    remaining,
                }
            })
            .collect(),
    };
    let body = serde_json::to_vec(&view.to_json())
        .map_err(|e| anyhow::Error::new(e).context("serialising the menu"))?;
    let until = menu
        .categories
        .iter()
        .flat_map(|c| &c.products)
        .filter_map(|p| p.sold_out_until)
        .filter(|until| *until > now)
        .min();
    Ok(Document::new(basis, until, body))
}
