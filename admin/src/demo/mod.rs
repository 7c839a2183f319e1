//! `demo seed`: the 8 OC Pizza pizzerias with menus, stock, hours and delivery zones, five
//! staff accounts each and a demo customer.
//! Idempotent: running it again changes nothing. Refused in production.

use anyhow::Context;
use clap::Subcommand;
use ocpizza::accounts::store as users;
use ocpizza::config::{Config, Profile};
use ocpizza::domain::{Email, Role};
use ocpizza::tenancy::{memberships, store as tenants};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

mod catalogue;
mod menu;

/// Every demo account's password (demo data only; `demo seed` refuses to run in production).
pub const DEMO_PASSWORD: &str = "pizza-demo-2026";
pub const DEMO_CUSTOMER: &str = "client@demo.ocpizza.fr";
/// A platform administrator of the group, for the admin API.
pub const DEMO_PLATFORM_ADMIN: &str = "admin@demo.ocpizza.fr";
/// The demo platform administrator's second factor (platform administrators must have one):
/// add it to an authenticator app, or compute its codes (RFC 6238, SHA-1, 30 s, 6 digits).
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Create (or complete) the demo pizzerias, staff and customer.
    Seed,
}

pub struct DemoPizzeria {
    pub slug: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub postcode: &'static str,
    pub city: &'static str,
    pub phone: &'static str,
    pub lat: f64,
    pub lon: f64,
}

pub const PIZZERIAS: [DemoPizzeria; 8] = [
    DemoPizzeria {
        slug: "paris-bastille",
        name: "OC Pizza Bastille",
        address: "12 rue de la Roquette",
        postcode: "75011",
        city: "Paris",
        phone: "+33143550101",
        lat: 48.8546,
        lon: 2.3724,
    },
    DemoPizzeria {
        slug: "paris-montmartre",
        name: "OC Pizza Montmartre",
        address: "8 rue des Abbesses",
        postcode: "75018",
        city: "Paris",
        phone: "+33142640202",
        lat: 48.8844,
        lon: 2.3376,
    },
    DemoPizzeria {
        slug: "paris-batignolles",
        name: "OC Pizza Batignolles",
        address: "41 rue des Dames",
        postcode: "75017",
        city: "Paris",
        phone: "+33145220303",
        lat: 48.8838,
        lon: 2.3210,
    },
    DemoPizzeria {
        slug: "boulogne",
        name: "OC Pizza Boulogne",
        address: "95 route de la Reine",
        postcode: "92100",
        city: "Boulogne-Billancourt",
        phone: "+33146050404",
        lat: 48.8397,
        lon: 2.2399,
    },
    DemoPizzeria {
        slug: "vincennes",
        name: "OC Pizza Vincennes",
        address: "20 rue du Midi",
        postcode: "94300",
        city: "Vincennes",
        phone: "+33143280505",
        lat: 48.8474,
        lon: 2.4370,
    },
    DemoPizzeria {
        slug: "saint-denis",
        name: "OC Pizza Saint-Denis",
        address: "5 rue de la République",
        postcode: "93200",
        city: "Saint-Denis",
        phone: "+33148200606",
        lat: 48.9362,
        lon: 2.3574,
    },
    DemoPizzeria {
        slug: "levallois",
        name: "OC Pizza Levallois",
        address: "60 rue Voltaire",
        postcode: "92300",
        city: "Levallois-Perret",
        phone: "+33147570707",
        lat: 48.8950,
        lon: 2.2870,
    },
    DemoPizzeria {
        slug: "issy",
        name: "OC Pizza Issy",
        address: "3 boulevard Gallieni",
        postcode: "92130",
        city: "Issy-les-Moulineaux",
        phone: "+33146420808",
        lat: 48.8245,
        lon: 2.2736,
    },
];

/// The demo staff account of `role` in pizzeria `slug`, e.g. `pizzaiolo.paris-bastille@demo.ocpizza.fr`.
pub fn staff_email(role: Role, slug: &str) -> String {
    format!("{}.{slug}@demo.ocpizza.fr", role.as_str())
}

pub async fn run(pool: &PgPool, config: &Config, cmd: DemoCommand) -> anyhow::Result<()> {
    let DemoCommand::Seed = cmd;
    if config.profile == Profile::Production {
        anyhow::bail!("demo seed refuses to run in production (OCPIZZA_PROFILE=production)");
    }
    let hash = ocpizza::auth::password_hash::hash(DEMO_PASSWORD.to_string()).await?;
    let mut tx = pool
        .begin()
        .await
        .context("connecting to the database (database.admin_url)")?;
    let mut created = 0;
    let mut menus = 0;
    for p in &PIZZERIAS {
        let (tenant_id, new) = ensure_pizzeria(&mut tx, p).await?;
        created += usize::from(new);
        // Bastille is the late-night one: open until 02:00 every evening.
        let late_night = p.slug == "paris-bastille";
        let legal = format!("{} SARL", p.name);
        menus += usize::from(menu::seed(&mut tx, tenant_id, p.postcode, late_night, &legal).await?);
        for role in Role::ALL {
            let email = staff_email(role, p.slug);
            let name = format!(
                "{} {}",
                capitalise(role.as_str()),
                p.name.trim_start_matches("OC Pizza ")
            );
            let user_id = ensure_account(&mut tx, &email, &name, &hash).await?;
            memberships::grant(&mut tx, tenant_id, user_id, role)
                .await
                .context("granting a role")?;
        }
    }
    ensure_account(&mut tx, DEMO_CUSTOMER, "Camille Client", &hash).await?;
    let admin = ensure_account(&mut tx, DEMO_PLATFORM_ADMIN, "Dominique Groupe", &hash).await?;
    let totp = ocpizza::auth::totp::TotpSecret::from_base32(DEMO_TOTP_SECRET)
        .context("the demo TOTP secret is base32")?;
    ocpizza::accounts::second_factor::install(&mut tx, admin, &totp)
        .await
        .context("installing the demo administrator's second factor")?;
    ocpizza::accounts::admins::create_platform_admin(
        &mut tx,
        &Email::parse(DEMO_PLATFORM_ADMIN)?,
        "Dominique Groupe",
    )
    .await?;
    tx.commit().await.context("committing the demo data")?;
    println!(
        "demo data ready: {} pizzerias ({} new, {} menus seeded), 5 staff each, 1 customer, 1 platform admin",
        PIZZERIAS.len(),
        created,
        menus
    );
    println!("every demo account's password: {DEMO_PASSWORD}");
    println!("  customer: {DEMO_CUSTOMER}");
    println!(
        "  platform admin (admin API): {DEMO_PLATFORM_ADMIN}, second factor (TOTP) secret {DEMO_TOTP_SECRET}"
    );
    println!(
        "  staff:    <role>.<pizzeria>@demo.ocpizza.fr, e.g. {}",
        staff_email(Role::Pizzaiolo, PIZZERIAS[0].slug)
    );
    Ok(())
}

async fn ensure_pizzeria(
    conn: &mut PgConnection,
    p: &DemoPizzeria,
) -> anyhow::Result<(Uuid, bool)> {
    let slug = ocpizza::domain::Slug::parse(p.slug)?;
    let new = tenants::NewTenant {
        slug: &slug,
        name: p.name,
        address_line: p.address,
        postcode: p.postcode,
        city: p.city,
        phone: p.phone,
        latitude: Some(p.lat),
        longitude: Some(p.lon),
        timezone: "Europe/Paris",
    };
    if let Some(id) = tenants::insert(conn, &new)
        .await
        .context("inserting a pizzeria")?
    {
        return Ok((id, true));
    }
    let row = tenants::find_by_slug(conn, &slug)
        .await?
        .context("pizzeria vanished")?;
    Ok((row.id, false))
}

async fn ensure_account(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    hash: &str,
) -> anyhow::Result<Uuid> {
    let email = Email::parse(email)?;
    if let Some(user) = users::find_by_email(conn, &email).await? {
        return Ok(user.id);
    }
    let new = users::NewUser {
        email: &email,
        password_hash: Some(hash),
        name,
        phone: "",
        locale: "fr",
    };
    users::insert(conn, &new)
        .await?
        .context("account appeared concurrently")
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
