//! `ocpizza-admin`: the operator CLI and the admin API server (`serve`).

mod backup;
mod cli;
mod demo;
mod jobs;
mod migrate;
mod secret;
mod tenant;
mod user;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ocpizza-admin: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Secrets need no configuration: they are how a first configuration gets its secret.
    match &cli.command {
        Command::Secret(secret::SecretCommand::Generate) => {
            println!("{}", secret::generate());
            return Ok(());
        }
        Command::Secret(secret::SecretCommand::Ensure { file }) => {
            match secret::ensure(file)? {
                secret::Ensured::Written => eprintln!("wrote a new secret to {}", file.display()),
                secret::Ensured::Kept => eprintln!("kept the secret of {}", file.display()),
            }
            return Ok(());
        }
        _ => {}
    }
    let config = ocpizza::config::load()?;
    if let Command::Serve = cli.command {
        ocpizza::telemetry::init(&config);
        let _sentry = ocpizza::telemetry::init_sentry(&config, "ocpizza-admin");
        let app = ocpizza::admin_api::AdminApplication::build(config).await?;
        app.run_until(ocpizza::startup::shutdown_signal()).await?;
        return Ok(());
    }
    if cli.verbose {
        let mut config = config.clone();
        config.log.level = "debug".into();
        ocpizza::telemetry::init(&config);
    }
    let pool = cli::admin_pool(&config)?;
    match cli.command {
        Command::Migrate(cmd) => migrate::run(&pool, &config, cmd).await,
        Command::Tenant(cmd) => tenant::run(&pool, cmd).await,
        Command::User(cmd) => user::run(&pool, cmd).await,
        Command::Demo(cmd) => demo::run(&pool, &config, cmd).await,
        Command::Jobs(cmd) => jobs::run(&pool, cmd).await,
        Command::Backup(cmd) => backup::run(&pool, &config, cmd).await,
        Command::Maintenance(cmd) => backup::maintenance_cmd(&pool, cmd).await,
        Command::Secret(_) | Command::Serve => Ok(()),
    }
}
