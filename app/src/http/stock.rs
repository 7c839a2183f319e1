//! Stock as both APIs show it: the staff's `/stock/ingredients` of the public API and the
//! managers' `/ingredients` of the admin API are one resource, with one shape (names, paging,
//! bodies and answers) and one implementation; each API only authorises and routes.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use sqlx::PgPool;
use uuid::Uuid;

use super::Problem;
use super::paging::Paging;
use super::strict::{Nullable, Text};
use super::tx::in_tenant;
use crate::stock::{self, IngredientRow, MovementRow, Operation};

#[derive(Object)]
pub(crate) struct Ingredient {
    id: Uuid,
    name: String,
    /// `g`, `ml` or `piece`.
    unit: String,
    quantity_on_hand: i64,
    alert_threshold: i64,
    /// At or below the alert threshold.
    low: bool,
}

impl From<IngredientRow> for Ingredient {
    fn from(r: IngredientRow) -> Self {
        Self {
            low: r.quantity_on_hand <= r.alert_threshold,
            id: r.id,
            name: r.name,
            unit: r.unit,
            quantity_on_hand: r.quantity_on_hand,
            alert_threshold: r.alert_threshold,
        }
    }
}

/// Ingredients by name, a page of them.
#[derive(Object)]
pub(crate) struct IngredientPage {
    items: Vec<Ingredient>,
    page: u32,
    per_page: u32,
    total: i64,
}

#[derive(Object)]
pub(crate) struct Movement {
    id: i64,
    /// Positive: in; negative: out.
    delta: i64,
    /// `order`, `cancellation`, `modification`, `restock`, `waste` or `inventory`.
    reason: String,
    actor_user_id: Nullable<Uuid>,
    actor_name: Nullable<String>,
    order_id: Nullable<Uuid>,
    note: String,
    at: DateTime<Utc>,
}

impl From<MovementRow> for Movement {
    fn from(r: MovementRow) -> Self {
        Self {
            id: r.id,
            delta: r.delta,
            reason: r.reason,
            actor_user_id: Nullable(r.actor_user_id),
            actor_name: Nullable(r.actor_name),
            order_id: Nullable(r.order_id),
            note: r.note,
            at: r.at,
        }
    }
}

/// A restock or a waste.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub(crate) struct QuantityIn {
    /// Received or thrown away, in the ingredient's unit; positive.
    pub(crate) quantity: i64,
    /// Why (required for waste).
    #[oai(default)]
    pub(crate) note: Text<280>,
}

/// An inventory count.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub(crate) struct CountIn {
    /// What was counted, in the ingredient's unit: the stock becomes this.
    pub(crate) counted: i64,
    #[oai(default)]
    pub(crate) note: Text<280>,
}

/// What a restock, waste or count did.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub(crate) struct Applied {
    ingredient: Ingredient,
    /// The recorded change; absent when the count matched the stock.
    delta: Option<i64>,
}

/// A page of the pizzeria's ingredients; `low`: only those at (or not at) their threshold.
pub(crate) async fn page(
    pool: &PgPool,
    tenant: Uuid,
    low: Option<bool>,
    paging: Paging,
) -> Result<IngredientPage, Problem> {
    let all = in_tenant(pool, tenant, async |tx| {
        Ok(stock::store::list(tx, tenant).await?)
    })
    .await?;
    let all: Vec<Ingredient> = all
        .into_iter()
        .map(Ingredient::from)
        .filter(|i| low.is_none_or(|l| i.low == l))
        .collect();
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let items = all
        .into_iter()
        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
        .take(paging.per_page as usize)
        .collect();
    Ok(IngredientPage {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    })
}

/// An ingredient's movements, newest first, before the movement `before` (404 for an
/// ingredient the pizzeria does not have; an archived one's history stays readable).
pub(crate) async fn movements(
    pool: &PgPool,
    tenant: Uuid,
    ingredient: Uuid,
    before: Option<i64>,
    paging: Paging,
) -> Result<Vec<Movement>, Problem> {
    let rows = in_tenant(pool, tenant, async |tx| {
        if !stock::store::exists(tx, tenant, ingredient).await? {
            return Err(Problem::not_found("ingredient"));
        }
        Ok(stock::store::movements(tx, tenant, ingredient, before, paging.limit()).await?)
    })
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Records a restock, waste or count by `actor`, in the pizzeria's transaction.
pub(crate) async fn apply(
    pool: &PgPool,
    tenant: Uuid,
    actor: Uuid,
    ingredient: Uuid,
    op: Operation,
    note: &str,
) -> Result<Applied, Problem> {
    let applied = in_tenant(pool, tenant, async |tx| {
        Ok(stock::operate(tx, tenant, ingredient, actor, op, note).await?)
    })
    .await?;
    Ok(Applied {
        ingredient: applied.ingredient.into(),
        delta: applied.delta,
    })
}
