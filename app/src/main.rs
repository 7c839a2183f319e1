//! `ocpizza-app`: the public ordering API.

use std::process::ExitCode;

use ocpizza::{Application, config, startup, telemetry};

const HELP: &str = "ocpizza-app: the OC Pizza ordering API

USAGE: ocpizza-app [--help | --version]

Configuration comes from ocpizza.toml (or the file named by OCPIZZA_CONFIG) and OCPIZZA_*
environment variables; see docs/CONFIGURATION.md.";

#[tokio::main]
async fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("--help" | "-h") => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Some("--version" | "-V") => {
            println!("ocpizza-app {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("ocpizza-app: unknown argument {other:?}\n\n{HELP}");
            return ExitCode::from(2);
        }
        None => {}
    }
    let config = match config::load() {
        Ok(c) => c,
        Err(err) => {
            eprintln!("ocpizza-app: {err}");
            return ExitCode::from(78);
        }
    };
    telemetry::init(&config);
    let _sentry = telemetry::init_sentry(&config, "ocpizza-app");
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(error = %err, "refusing to start");
            eprintln!("ocpizza-app: refusing to start: {err}");
            return ExitCode::from(78);
        }
    };
    match app.run_until(startup::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ocpizza-app: server error: {err}");
            ExitCode::FAILURE
        }
    }
}
