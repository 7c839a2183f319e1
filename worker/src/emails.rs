//! The email queue: gathers what a message needs (with the owner role: every pizzeria), renders
//! it in the recipient's language and sends it. A send that fails is retried with backoff.

use std::sync::Arc;

use anyhow::Context;
use apalis::prelude::{BoxDynError, Data};
use ocpizza::domain::Locale;
use ocpizza::email::{self, Message, OrderFacts};
use ocpizza::jobs::EmailJob;
use ocpizza::orders::receipt::{self, Seller};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::Context as WorkerContext;

pub async fn handle(job: EmailJob, ctx: Data<Arc<WorkerContext>>) -> Result<(), BoxDynError> {
    let result = send(&job, &ctx).await;
    crate::observe::finished("emails", &result);
    result
}

async fn send(job: &EmailJob, ctx: &WorkerContext) -> Result<(), BoxDynError> {
    let mut conn = ctx.pool.acquire().await?;
    match render(&mut conn, ctx, job).await? {
        Some(message) => {
            ctx.mailer.send(&message).await?;
            tracing::info!(to = %message.to, subject = %message.subject, "email sent");
        }
        None => tracing::warn!(?job, "email skipped: its subject no longer exists"),
    }
    Ok(())
}

struct Recipient {
    email: String,
    name: String,
    locale: Locale,
}

async fn user(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<Option<Recipient>> {
    let row = sqlx::query!("SELECT email, name, locale FROM users WHERE id = $1", id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| Recipient {
        email: r.email,
        name: r.name,
        locale: r.locale.parse().unwrap_or_default(),
    }))
}

fn link(ctx: &WorkerContext, path: &str) -> String {
    format!("{}{path}", ctx.config.http.public_url.trim_end_matches('/'))
}

async fn render(
    conn: &mut PgConnection,
    ctx: &WorkerContext,
    job: &EmailJob,
) -> anyhow::Result<Option<Message>> {
    Ok(match job {
        EmailJob::OrderConfirmation { tenant, order }
        | EmailJob::OrderStatus { tenant, order, .. } => {
            let Some(details) = ocpizza::orders::load(conn, *tenant, *order).await? else {
                return Ok(None);
            };
            let o = &details.order;
            let Some(to) = o.contact_email.clone() else {
                return Ok(None);
            };
            let locale = match o.customer_id {
                Some(c) => user(conn, c).await?.map_or(Locale::Fr, |u| u.locale),
                None => Locale::Fr,
            };
            let t = sqlx::query!("SELECT slug, name, address_line, postcode, city, phone, timezone FROM tenants WHERE id = $1", tenant)
                .fetch_one(&mut *conn)
                .await?;
            let tracking = link(
                ctx,
                &format!("/api/v1/pizzerias/{}/track/{}", t.slug, o.tracking_token),
            );
            match job {
                EmailJob::OrderStatus { status, .. } => Some(email::order_status(
                    &to, locale, &t.name, o.number, *status, &tracking,
                )),
                _ => {
                    let settings = ocpizza::settings::load(conn, *tenant).await?;
                    let timezone = t.timezone.parse().unwrap_or(chrono_tz::Europe::Paris);
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
                        delivery: o.fulfilment == ocpizza::domain::order::Fulfilment::Delivery,
                        tracking_url: &tracking,
                        timezone,
                        receipt: &text,
                    };
                    Some(email::order_confirmation(&to, locale, &facts))
                }
            }
        }
        EmailJob::VerifyEmail { user: id, token } => user(conn, *id).await?.map(|u| {
            email::verify_email(
                &u.email,
                u.locale,
                &u.name,
                &link(ctx, &format!("/account/verify-email?token={token}")),
                token,
            )
        }),
        EmailJob::PasswordReset { user: id, token } => user(conn, *id).await?.map(|u| {
            email::password_reset(
                &u.email,
                u.locale,
                &link(ctx, &format!("/account/reset-password?token={token}")),
                token,
            )
        }),
        EmailJob::Invitation {
            tenant,
            invitation,
            token,
        } => {
            let row = sqlx::query!(
                r#"SELECT i.email, i.role, i.expires_at, t.slug, t.name FROM invitations i JOIN tenants t ON t.id = i.tenant_id
                   WHERE i.tenant_id = $1 AND i.id = $2"#,
                tenant,
                invitation
            )
            .fetch_optional(&mut *conn)
            .await?;
            row.map(|r| {
                let url = link(ctx, &format!("/pizzerias/{}/join?token={token}", r.slug));
                email::invitation(
                    &r.email,
                    Locale::Fr,
                    &r.name,
                    &r.role,
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
            let row = sqlx::query!(
                r#"SELECT a.quantity, a.threshold, i.name AS ingredient, i.unit, t.name AS pizzeria
                   FROM stock_alerts a JOIN ingredients i ON i.tenant_id = a.tenant_id AND i.id = a.ingredient_id
                   JOIN tenants t ON t.id = a.tenant_id WHERE a.tenant_id = $1 AND a.id = $2"#,
                tenant,
                alert
            )
            .fetch_optional(&mut *conn)
            .await
            .context("reading a stock alert")?;
            row.map(|r| {
                email::low_stock(
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
            .map(|u| email::backup_failed(&u.email, u.locale, error, *at)),
    })
}
