//! `tenant create|list|suspend|resume|export`.

use anyhow::Context;
use clap::{Args, Subcommand};
use ocpizza::provisioning::{self, NewPizzeria, OwnerSetup, ProvisionError};
use ocpizza::tenancy::platform::{self, PlatformError};
use ocpizza::tenancy::store;
use sqlx::PgPool;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a pizzeria with its owner (an existing account becomes owner at once; anyone else
    /// is emailed an invitation to join).
    Create(Box<CreateArgs>),
    /// List every pizzeria.
    List,
    /// Close a pizzeria to customers and staff (its data and staff stay).
    Suspend {
        slug: String,
        /// Why (kept in the platform audit log).
        #[arg(long)]
        reason: String,
    },
    /// Open a suspended pizzeria again, or call off an offboarding.
    Resume { slug: String },
    /// Write everything a pizzeria owns as one JSON document.
    Export {
        slug: String,
        /// The file to write (`-`: standard output).
        #[arg(long, short)]
        output: String,
    },
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
            let created = match provisioning::create_pizzeria(&mut tx, &input, None).await {
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
        TenantCommand::Suspend { slug, reason } => {
            let mut tx = begin(pool).await?;
            let row = platform::suspend(&mut tx, None, &slug, &reason)
                .await
                .map_err(refused)?;
            tx.commit().await.context("committing")?;
            println!(
                "{} is {}: customers and staff get 403 pizzeria-closed",
                row.slug, row.status
            );
        }
        TenantCommand::Resume { slug } => {
            let mut tx = begin(pool).await?;
            let row = platform::resume(&mut tx, None, &slug)
                .await
                .map_err(refused)?;
            tx.commit().await.context("committing")?;
            println!("{} is {} again", row.slug, row.status);
        }
        TenantCommand::Export { slug, output } => export(pool, &slug, &output).await?,
    }
    Ok(())
}

async fn begin(pool: &PgPool) -> anyhow::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    pool.begin()
        .await
        .context("connecting to the database (database.admin_url)")
}

/// Our faults keep their cause chain; refusals (unknown pizzeria, wrong status) are one line.
fn refused(err: PlatformError) -> anyhow::Error {
    match err {
        PlatformError::Unexpected(e) => e,
        e => anyhow::anyhow!("{e}"),
    }
}

/// Streams the export to a file (written under a temporary name, then renamed) or stdout.
async fn export(pool: &PgPool, slug: &str, output: &str) -> anyhow::Result<()> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let mut conn = pool
        .acquire()
        .await
        .context("connecting to the database (database.admin_url)")?;
    let row = platform::find(&mut conn, slug).await.map_err(refused)?;
    drop(conn);
    if output == "-" {
        let mut out = tokio::io::stdout();
        let mut chunks = Box::pin(ocpizza::export::stream(pool.clone(), row.id));
        while let Some(chunk) = chunks.next().await {
            out.write_all(&chunk.context("reading the pizzeria's data")?)
                .await?;
        }
        out.flush().await?;
    } else {
        let path = std::path::Path::new(output);
        let bytes = ocpizza::export::to_file(pool.clone(), row.id, path).await?;
        eprintln!(
            "exported {} to {} ({bytes} bytes)",
            row.slug,
            path.display()
        );
    }
    Ok(())
}
