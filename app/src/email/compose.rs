//! What each email job says: gathers what a message needs (on the owner role's connection: every
//! pizzeria) with the modules' store functions, in the recipient's language. The worker sends
//! what this returns; `None` when the job's subject no longer exists.

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Message, OrderFacts};
use crate::accounts;
use crate::domain::Locale;
use crate::jobs::EmailJob;
use crate::orders::receipt::{self, Seller};
use crate::stock::alerts;
use crate::tenancy::{invitations, store as tenants};

struct Recipient {
    email: String,
    name: String,
    locale: Locale,
}

async fn user(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<Option<Recipient>> {
    let Some(u) = accounts::store::find(conn, id).await? else {
        return Ok(None);
    };
    let locale = u
        .locale
        .parse()
        .with_context(|| format!("user {id} has locale {:?}", u.locale))?;
    Ok(Some(Recipient {
        email: u.email,
        name: u.name,
        locale,
    }))
}

/// The message of `job`; links start with `public_url` (`http.public_url`).
pub async fn compose(
    conn: &mut PgConnection,
    public_url: &str,
    job: &EmailJob,
) -> anyhow::Result<Option<Message>> {
    let link = |path: &str| format!("{}{path}", public_url.trim_end_matches('/'));
    Ok(match job {
        EmailJob::OrderConfirmation { tenant, order }
        | EmailJob::OrderModified { tenant, order }
        | EmailJob::OrderStatus { tenant, order, .. } => {
            let Some(details) = crate::orders::load(conn, *tenant, *order).await? else {
                return Ok(None);
            };
            let o = &details.order;
            let Some(to) = o.contact_email.clone() else {
                return Ok(None);
            };
            // The order's own language first (docs/DESIGN.md, "Emails").
            let locale = match (o.locale.as_deref(), o.customer_id) {
                (Some(l), _) => l
                    .parse()
                    .with_context(|| format!("order {order} has locale {l:?}"))?,
                (None, Some(c)) => user(conn, c).await?.map_or(Locale::Fr, |u| u.locale),
                (None, None) => Locale::Fr,
            };
            let t = tenants::find_by_id(conn, *tenant)
                .await?
                .with_context(|| format!("the pizzeria {tenant} of an order vanished"))?;
            let tracking = link(&format!(
                "/api/v1/pizzerias/{}/track/{}",
                t.slug, o.tracking_token
            ));
            match job {
                EmailJob::OrderStatus { status, .. } => Some(super::order_status(
                    &to, locale, &t.name, o.number, *status, &tracking,
                )),
                _ => {
                    let settings = crate::settings::load(conn, *tenant).await?;
                    let timezone = t.timezone.parse().map_err(|_| {
                        anyhow::anyhow!("pizzeria {} has timezone {:?}", t.slug, t.timezone)
                    })?;
                    let seller = Seller {
                        name: t.name.clone(),
                        legal_name: settings.legal_name,
                        address: format!("{}, {} {}", t.address_line, t.postcode, t.city),
                        phone: t.phone,
                        siret: settings.siret,
                        vat_number: settings.vat_number,
                        timezone,
                    };
                    let text = receipt::text(&details, &seller);
                    let facts = OrderFacts {
                        pizzeria: &t.name,
                        number: o.number,
                        lines: details
                            .lines
                            .iter()
                            .map(|l| {
                                (
                                    l.quantity,
                                    format!("{} ({})", l.product_name, l.size_label),
                                    l.line_total_cents,
                                )
                            })
                            .collect(),
                        total_cents: o.total_cents,
                        estimated_at: o.estimated_at,
                        delivery: o.fulfilment == crate::domain::order::Fulfilment::Delivery,
                        tracking_url: &tracking,
                        timezone,
                        receipt: &text,
                        modified: matches!(job, EmailJob::OrderModified { .. }),
                    };
                    Some(super::order_confirmation(&to, locale, &facts))
                }
            }
        }
        EmailJob::VerifyEmail { user: id, token } => user(conn, *id).await?.map(|u| {
            super::verify_email(
                &u.email,
                u.locale,
                &u.name,
                &link(&format!("/account/verify-email?token={token}")),
                token,
            )
        }),
        EmailJob::PasswordReset { user: id, token } => user(conn, *id).await?.map(|u| {
            super::password_reset(
                &u.email,
                u.locale,
                &link(&format!("/account/reset-password?token={token}")),
                token,
            )
        }),
        EmailJob::Invitation {
            tenant,
            invitation,
            token,
        } => {
            let row = invitations::for_email(conn, *tenant, *invitation).await?;
            row.map(|r| {
                let url = link(&format!("/pizzerias/{}/join?token={token}", r.slug));
                super::invitation(
                    &r.email,
                    Locale::Fr,
                    &r.pizzeria,
                    r.role.as_str(),
                    &url,
                    token,
                    r.expires_at,
                )
            })
        }
        EmailJob::LowStock {
            tenant,
            alert,
            recipient,
        } => {
            let Some(to) = user(conn, *recipient).await? else {
                return Ok(None);
            };
            let row = alerts::for_email(conn, *tenant, *alert)
                .await
                .context("reading a stock alert")?;
            row.map(|r| {
                super::low_stock(
                    &to.email,
                    to.locale,
                    &r.pizzeria,
                    &r.ingredient,
                    r.quantity,
                    r.threshold,
                    &r.unit,
                )
            })
        }
        EmailJob::BackupFailed {
            recipient,
            error,
            at,
        } => user(conn, *recipient)
            .await?
            .map(|u| super::backup_failed(&u.email, u.locale, error, *at)),
    })
}
