//! The public menu document of a pizzeria, kept serialised in memory with its `ETag`.
//!
//! Each read waits for a single-flight check ([`Fresh`]) that reads the pizzeria (its status),
//! the menu version and the stock on hand; when none of them moved (and no sold-out mark has
//! expired since), the same bytes and `ETag` are answered again. See docs/DESIGN.md, "Menu and
//! availability".

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use poem_openapi::Object;
use poem_openapi::types::ToJSON;
use uuid::Uuid;

use super::menu::{ProductView, product_view};
use crate::http::Problem;
use crate::http::fresh::Fresh;
use crate::http::tx::in_tenant;
use crate::menu::{self, MenuData};
use crate::state::AppState;
use crate::stock;
use crate::storage::sha256_hex;
use crate::tenancy::{self, TenancyError, Tenant};

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

/// A menu document as answered, and what it was built from.
pub(super) struct MenuDoc {
    tenant: Uuid,
    version: i64,
    on_hand: HashMap<Uuid, i64>,
    /// The earliest end of a sold-out mark still in force: the document changes then.
    until: Option<DateTime<Utc>>,
    /// A strong validator of `body`.
    pub(super) etag: String,
    /// `MenuView` as JSON.
    pub(super) body: Bytes,
}

/// The menu documents of the pizzeria this instance has served, by slug.
#[derive(Default)]
pub struct MenuDocs {
    by_slug: RwLock<HashMap<String, Arc<Fresh<MenuDoc, Problem>>>>,
}

impl MenuDocs {
    fn slot(&self, slug: &str) -> Arc<Fresh<MenuDoc, Problem>> {
        if let Some(slot) = self.read().get(slug) {
            return Arc::clone(slot);
        }
        let mut all = self.by_slug.write().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(all.entry(slug.to_string()).or_default())
    }

    fn read(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Fresh<MenuDoc, Problem>>>> {
        self.by_slug.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets a slug that named no pizzeria (the map only keeps real ones).
    fn forget(&self, slug: &str) {
        let mut all = self.by_slug.write().unwrap_or_else(PoisonError::into_inner);
        all.remove(slug);
    }
}

/// The current menu document of the pizzeria `slug`.
pub(super) async fn current(state: &AppState, slug: &str) -> Result<Arc<MenuDoc>, Problem> {
    let slot = state.menu_docs.slot(slug);
    slot.get(async |kept| check(state, slug, kept).await).await
}

/// Reads what the document depends on; keeps `kept` when none of it moved.
async fn check(
    state: &AppState,
    slug: &str,
    kept: Option<Arc<MenuDoc>>,
) -> Result<Arc<MenuDoc>, Problem> {
    let tenant = match tenancy::resolve(&state.pool, slug).await {
        Ok(tenant) => tenant,
        Err(unknown @ TenancyError::UnknownPizzeria(_)) => {
            state.menu_docs.forget(slug);
            return Err(unknown.into());
        }
        Err(other) => return Err(other.into()),
    };
    let (menu, on_hand) = in_tenant(&state.pool, tenant.id, async |tx| {
        let menu = menu::current(&state.menus, tx, tenant.id).await?;
        let on_hand = stock::store::on_hand(tx, tenant.id).await?;
        Ok((menu, on_hand))
    })
    .await?;
    let now = Utc::now();
    if let Some(kept) = kept
        && kept.tenant == tenant.id
        && kept.version == menu.version
        && kept.on_hand == on_hand
        && kept.until.is_none_or(|until| now < until)
    {
        return Ok(kept);
    }
    Ok(Arc::new(build(&tenant, &menu, on_hand, now)?))
}

fn build(
    tenant: &Tenant,
    menu: &MenuData,
    on_hand: HashMap<Uuid, i64>,
    now: DateTime<Utc>,
) -> Result<MenuDoc, Problem> {
    let view = MenuView {
        pizzeria: tenant.slug.clone(),
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
                    .map(|p| product_view(&tenant.slug, p, menu, &[], &on_hand, now))
                    .collect(),
            })
            .filter(|c| !c.products.is_empty())
            .collect(),
        extras: menu
            .extras
            .iter()
            .filter(|e| e.active)
            .map(|e| {
                let remaining = e.remaining(&on_hand);
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
    Ok(MenuDoc {
        tenant: tenant.id,
        version: menu.version,
        on_hand,
        until,
        etag: format!("\"{}\"", &sha256_hex(&body)[..32]),
        body: Bytes::from(body),
    })
}

/// Whether an `If-None-Match` header names `etag` (`*` names any).
pub(super) fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_the_wildcard() {
        let etag = "\"abc\"";
        assert!(matches("\"abc\"", etag));
        assert!(matches("\"x\", \"abc\"", etag));
        assert!(matches("W/\"abc\"", etag));
        assert!(matches("*", etag));
        assert!(!matches("\"abcd\"", etag));
        assert!(!matches("abc", etag));
        assert!(!matches("", etag));
    }
}
