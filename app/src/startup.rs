//! `Application::build(config)`: the public API server of `ocpizza-app`, on the shared server
//! builder. The binary and the tests share it.

use std::future::Future;
use std::net::SocketAddr;

use crate::api;
use crate::auth::Audience;
use crate::config::{Config, Profile};
use crate::http::Server;
pub use crate::http::StartupError;
use crate::state::AppState;

pub struct Application {
    server: Server,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        if config.profile == Profile::Production && config.database.admin_url.is_some() {
            return Err(StartupError::AdminUrlGiven);
        }
        let images =
            crate::images::ImageStore::new(&config.images).map_err(StartupError::Images)?;
        let (host, port) = (config.http.host.clone(), config.http.port);
        let server = Server::prepare(config, Audience::App, &host, port).await?;
        let state = AppState::new(server.shared().clone(), server.secrets(), images);
        Ok(Self { server, state })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (10 s at most).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let listener = tokio::spawn(crate::realtime::listener::run(
            self.state.pool.clone(),
            self.state.hub.clone(),
        ));
        // Event streams never end by themselves: close them first so shutdown does not wait.
        let hub = self.state.hub.clone();
        let shutdown = async move {
            shutdown.await;
            hub.publish(crate::realtime::Notice::Closing);
        };
        let routes = api::routes(self.state);
        let result = self.server.run("ocpizza-app", routes, shutdown).await;
        listener.abort();
        result
    }
}

/// Completes on SIGINT or SIGTERM (the latter is how containers are stopped).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested");
}
