//! Writing the menu: used by the demo seed and the admin API, and by managers for sold-out
//! marks. Every function takes the tenant and runs in the caller's tenant transaction.

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::MenuError;
use crate::audit;
use crate::domain::{Cents, InvalidInput};

pub const KINDS: [&str; 3] = ["pizza", "drink", "dessert"];
pub const UNITS: [&str; 3] = ["g", "ml", "piece"];

pub struct NewSize<'a> {
    pub code: &'a str,
    pub label: &'a str,
    pub price_cents: i64,
    /// Ingredient id and quantity in its unit.
    pub recipe: Vec<(Uuid, i64)>,
}

pub struct NewProduct<'a> {
    pub category_id: Uuid,
    pub kind: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub allergens: Vec<String>,
    pub vat_class: &'a str,
    pub position: i32,
    pub sizes: Vec<NewSize<'a>>,
}

pub(crate) fn name_ok(field: &'static str, name: &str) -> Result<(), InvalidInput> {
    if name.trim().is_empty() || name.chars().count() > 80 {
        return Err(InvalidInput::new(field, "must have 1 to 80 characters"));
    }
    Ok(())
}

/// A size's short code: 1 to 20 lowercase letters, digits, `_` or `-` (`s`, `m`, `xl`, `unit`).
pub(crate) fn size_code_ok(code: &str) -> Result<(), InvalidInput> {
    let ok = (1..=20).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(InvalidInput::new(
            "code",
            "must be 1 to 20 lowercase letters, digits, _ or -",
        ))
    }
}

pub(crate) fn unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

pub(crate) fn foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_foreign_key_violation())
}

/// The category named `name`, created at `position` if missing.
pub async fn ensure_category(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    position: i32,
) -> Result<Uuid, MenuError> {
    name_ok("category", name)?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO categories (tenant_id, id, name, position) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant_id, name) DO UPDATE SET position = categories.position
           RETURNING id"#,
        tenant_id,
        Uuid::now_v7(),
        name.trim(),
        position
    )
    .fetch_one(conn)
    .await
    .context("inserting a category")?;
    Ok(id)
}

pub async fn create_product(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    new: &NewProduct<'_>,
) -> Result<Uuid, MenuError> {
    name_ok("name", new.name)?;
    if !KINDS.contains(&new.kind) {
        return Err(InvalidInput::new("kind", "must be pizza, drink or dessert").into());
    }
    if new.sizes.is_empty() {
        return Err(InvalidInput::new("sizes", "a product needs at least one size").into());
    }
    let id = Uuid::now_v7();
    let inserted = sqlx::query!(
        r#"INSERT INTO products (tenant_id, id, category_id, kind, name, description, allergens, vat_class, position)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        tenant_id,
        id,
        new.category_id,
        new.kind,
        new.name.trim(),
        new.description,
        &new.allergens,
        new.vat_class,
        new.position
    )
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if unique_violation(&e) => {
            return Err(MenuError::Duplicate(format!("product {:?}", new.name)));
        }
        Err(e) if foreign_key_violation(&e) => {
            return Err(InvalidInput::new("vat_class", "unknown category or VAT class").into());
        }
        Err(e) => return Err(anyhow::Error::new(e).context("inserting a product").into()),
    }
    for (position, size) in (0..).zip(&new.sizes) {
        add_size(conn, tenant_id, id, size, position).await?;
    }
    Ok(id)
}

pub(super) async fn add_size(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    product_id: Uuid,
    size: &NewSize<'_>,
    position: i32,
) -> Result<Uuid, MenuError> {
    size_code_ok(size.code)?;
    name_ok("label", size.label)?;
    let price = Cents::parse_price(size.price_cents)?;
    let price =
        i32::try_from(price.0).map_err(|_| InvalidInput::new("price_cents", "too large"))?;
    let size_id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO product_sizes (tenant_id, id, product_id, code, label, price_cents, position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        tenant_id,
        size_id,
        product_id,
        size.code,
        size.label,
        price,
        position
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| if unique_violation(&e) { MenuError::Duplicate(format!("size {:?}", size.code)) } else { anyhow::Error::new(e).context("inserting a size").into() })?;
    set_size_recipe(conn, tenant_id, size_id, &size.recipe).await?;
    Ok(size_id)
}

pub async fn create_extra(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    name: &str,
    price_cents: i64,
    recipe: &[(Uuid, i64)],
) -> Result<Uuid, MenuError> {
    name_ok("name", name)?;
    let price = i32::try_from(price_cents)
        .ok()
        .filter(|p| (0..=10_000).contains(p))
        .ok_or_else(|| InvalidInput::new("price_cents", "must be between 0 and 10000"))?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO extras (tenant_id, id, name, price_cents) VALUES ($1, $2, $3, $4)",
        tenant_id,
        id,
        name.trim(),
        price
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            MenuError::Duplicate(format!("extra {name:?}"))
        } else {
            anyhow::Error::new(e).context("inserting an extra").into()
        }
    })?;
    set_extra_recipe(conn, tenant_id, id, recipe).await?;
    Ok(id)
}

/// Replaces the recipe of a size: positive quantities of the pizzeria's own ingredients, not
/// archived (another pizzeria's is unknown here), each once.
pub(super) async fn set_size_recipe(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    size_id: Uuid,
    recipe: &[(Uuid, i64)],
) -> Result<(), MenuError> {
    sqlx::query!(
        "DELETE FROM recipe_items WHERE tenant_id = $1 AND size_id = $2",
        tenant_id,
        size_id
    )
    .execute(&mut *conn)
    .await
    .context("clearing a recipe")?;
    for (ingredient_id, quantity) in recipe {
        if *quantity <= 0 {
            return Err(InvalidInput::new("recipe", "quantities must be positive").into());
        }
        let inserted = sqlx::query!(
            r#"INSERT INTO recipe_items (tenant_id, size_id, ingredient_id, quantity)
               SELECT $1, $2, $3, $4 WHERE EXISTS
                   (SELECT FROM ingredients WHERE tenant_id = $1 AND id = $3 AND archived_at IS NULL)"#,
            tenant_id,
            size_id,
            ingredient_id,
            quantity
        )
        .execute(&mut *conn)
        .await
        .map_err(|e| recipe_error(e, "inserting a recipe item"))?;
        if inserted.rows_affected() == 0 {
            return Err(InvalidInput::new("recipe", "unknown ingredient").into());
        }
    }
    Ok(())
}

/// Replaces an extra's recipe (the rules of [`set_size_recipe`]).
pub(super) async fn set_extra_recipe(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    extra_id: Uuid,
    recipe: &[(Uuid, i64)],
) -> Result<(), MenuError> {
    sqlx::query!(
        "DELETE FROM extra_recipe_items WHERE tenant_id = $1 AND extra_id = $2",
        tenant_id,
        extra_id
    )
    .execute(&mut *conn)
    .await
    .context("clearing an extra's recipe")?;
    for (ingredient_id, quantity) in recipe {
        if *quantity <= 0 {
            return Err(InvalidInput::new("recipe", "quantities must be positive").into());
        }
        let inserted = sqlx::query!(
            r#"INSERT INTO extra_recipe_items (tenant_id, extra_id, ingredient_id, quantity)
               SELECT $1, $2, $3, $4 WHERE EXISTS
                   (SELECT FROM ingredients WHERE tenant_id = $1 AND id = $3 AND archived_at IS NULL)"#,
            tenant_id,
            extra_id,
            ingredient_id,
            quantity
        )
        .execute(&mut *conn)
        .await
        .map_err(|e| recipe_error(e, "inserting an extra's recipe item"))?;
        if inserted.rows_affected() == 0 {
            return Err(InvalidInput::new("recipe", "unknown ingredient").into());
        }
    }
    Ok(())
}

pub async fn set_size_price(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    size_id: Uuid,
    price_cents: i64,
) -> Result<(), MenuError> {
    let price = Cents::parse_price(price_cents)?;
    let price =
        i32::try_from(price.0).map_err(|_| InvalidInput::new("price_cents", "too large"))?;
    let done = sqlx::query!(
        "UPDATE product_sizes SET price_cents = $3 WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        size_id,
        price
    )
    .execute(conn)
    .await
    .context("updating a price")?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("size"));
    }
    Ok(())
}

/// Marks a product sold out by hand until `until` (or until further notice), or clears the
/// mark (`sold_out = false`). Recorded in the audit log with who and why.
pub(crate) async fn set_sold_out(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    product_id: Uuid,
    actor: Uuid,
    sold_out: bool,
    until: Option<DateTime<Utc>>,
    note: &str,
) -> Result<(), MenuError> {
    if until.is_some_and(|u| u <= Utc::now()) {
        return Err(InvalidInput::new("until", "must be in the future").into());
    }
    let until = until.filter(|_| sold_out);
    let done = sqlx::query!(
        "UPDATE products SET sold_out = $3, sold_out_until = $4 WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        product_id,
        sold_out,
        until
    )
    .execute(&mut *conn)
    .await
    .context("marking sold out")?;
    if done.rows_affected() == 0 {
        return Err(MenuError::NotFound("product"));
    }
    let action = if sold_out {
        "product.sold_out"
    } else {
        "product.back_on_sale"
    };
    audit::record(
        conn,
        tenant_id,
        Some(actor),
        action,
        &product_id.to_string(),
        serde_json::json!({ "until": until, "note": note }),
    )
    .await
    .context("auditing")?;
    Ok(())
}

/// A recipe row refused by the database: an ingredient listed twice is the client's mistake.
fn recipe_error(e: sqlx::Error, doing: &'static str) -> MenuError {
    if unique_violation(&e) {
        InvalidInput::new("recipe", "an ingredient is listed twice").into()
    } else {
        MenuError::from(anyhow::Error::new(e).context(doing))
    }
}

#[cfg(test)]
mod tests {
    use super::size_code_ok;

    #[test]
    fn size_codes_are_short_lowercase_words() {
        for ok in ["m", "xl", "unit", "33cl", "demi-l", "x_2"] {
            assert!(size_code_ok(ok).is_ok(), "{ok}");
        }
        for bad in ["", "XL", "XL pizza", "m\u{0}", "très", &"a".repeat(21)] {
            assert!(size_code_ok(bad).is_err(), "{bad:?}");
        }
    }
}
