//! `user create-admin`.

use std::io::Read;

use anyhow::Context;
use clap::Subcommand;
use ocpizza::accounts::admins;
use ocpizza::domain::{Email, Password};
use sqlx::PgPool;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Make an account a platform administrator (created if missing).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Platform admin")]
        name: String,
        /// Read the password of a new account from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(pool: &PgPool, cmd: UserCommand) -> anyhow::Result<()> {
    let UserCommand::CreateAdmin {
        email,
        name,
        password_stdin,
    } = cmd;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let chosen = if password_stdin {
        let mut raw = String::new();
        std::io::stdin()
            .read_to_string(&mut raw)
            .context("reading the password from stdin")?;
        let password =
            Password::parse(raw.trim_end_matches(['\n', '\r']), &[email.as_str(), &name])
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        Some(ocpizza::auth::password_hash::hash(password.expose().to_string()).await?)
    } else {
        None
    };
    let mut tx = pool
        .begin()
        .await
        .context("connecting to the database (database.admin_url)")?;
    let created = admins::create_platform_admin(&mut tx, &email, &name).await?;
    if let (Some(hash), Some(_)) = (&chosen, &created.temporary_password) {
        ocpizza::accounts::store::set_password_hash(&mut tx, created.user_id, hash).await?;
    }
    tx.commit().await.context("committing")?;
    match (created.already_admin, created.temporary_password, chosen) {
        (true, _, _) => println!("{email} is already a platform admin"),
        (false, Some(_), Some(_)) => {
            println!("platform admin {email} created with the given password")
        }
        (false, Some(pw), None) => {
            println!("platform admin {email} created with temporary password: {pw}")
        }
        (false, None, _) => println!("existing account {email} is now a platform admin"),
    }
    if !created.already_admin {
        eprintln!(
            "before using their rights, {email} must set up a second factor (log in to the admin \
             API, POST /admin/v1/me/second-factor, then confirm it with a code; docs/API.md)"
        );
    }
    Ok(())
}
