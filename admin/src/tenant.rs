//! `tenant create|list`.

use anyhow::Context;
use clap::{Args, Subcommand};
use ocpizza::tenancy::provision::{self, NewPizzeria, OwnerSetup, ProvisionError};
use ocpizza::tenancy::store;
use sqlx::PgPool;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a pizzeria with its owner (an existing account is reused; a new one gets a
    /// temporary password, printed once).
    Create(Box<CreateArgs>),
    /// List every pizzeria.
    List,
}

#[derive(Args)]
pub struct CreateArgs {
    /// URL name, e.g. paris-bastille.
    #[arg(long)]
    slug: String,
    #[arg(long)]
    name: String,
    #[arg(long)]
    owner_email: String,
    #[arg(long, default_value = "")]
    address: String,
    #[arg(long, default_value = "")]
    postcode: String,
    #[arg(long, default_value = "")]
    city: String,
    #[arg(long, default_value = "")]
    phone: String,
    #[arg(long, allow_hyphen_values = true)]
    latitude: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    longitude: Option<f64>,
    #[arg(long, default_value = "Europe/Paris")]
    timezone: String,
}

pub async fn run(pool: &PgPool, cmd: TenantCommand) -> anyhow::Result<()> {
    match cmd {
        TenantCommand::Create(a) => {
            let a = *a;
            let input = NewPizzeria {
                slug: a.slug,
                name: a.name,
                address_line: a.address,
                postcode: a.postcode,
                city: a.city,
                phone: a.phone,
                latitude: a.latitude,
                longitude: a.longitude,
                timezone: a.timezone,
                owner_email: a.owner_email,
            };
            let mut tx = pool
                .begin()
                .await
                .context("connecting to the database (database.admin_url)")?;
            let created = match provision::create_pizzeria(&mut tx, &input, None).await {
                Ok(c) => c,
                Err(ProvisionError::Unexpected(e)) => return Err(e),
                Err(e) => anyhow::bail!("{e}"),
            };
            tx.commit().await.context("committing")?;
            println!("created pizzeria {} ({})", input.slug, created.tenant_id);
            match created.owner {
                OwnerSetup::Existing(_) => println!(
                    "owner {} (existing account) is now owner",
                    input.owner_email
                ),
                OwnerSetup::Invited { expires_at, .. } => println!(
                    "owner invitation sent to {} (valid until {}): the worker delivers it",
                    input.owner_email,
                    expires_at.format("%Y-%m-%d %H:%M UTC")
                ),
            }
        }
        TenantCommand::List => {
            let mut conn = pool
                .acquire()
                .await
                .context("connecting to the database (database.admin_url)")?;
            let rows = store::list(&mut conn).await.context("listing pizzerias")?;
            println!(
                "{:<24} {:<32} {:<10} {:<22} CREATED",
                "SLUG", "NAME", "STATUS", "CITY"
            );
            for t in &rows {
                println!(
                    "{:<24} {:<32} {:<10} {:<22} {}",
                    t.slug,
                    t.name,
                    t.status,
                    t.city,
                    t.created_at.format("%Y-%m-%d")
                );
            }
            println!("{} pizzeria(s)", rows.len());
        }
    }
    Ok(())
}
