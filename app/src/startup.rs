//! `Application::build(config)`: checks, pool, bound listener. The binary and the tests share it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use poem::Server;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};

use crate::api;
use crate::config::{Config, ProductionCheckError, Profile, check_production_secrets};
use crate::db::{self, RoleCheckError};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Secrets(#[from] ProductionCheckError),
    #[error(
        "database.url is not set: set OCPIZZA_DATABASE__URL or DATABASE_URL to the runtime role's URL"
    )]
    MissingDatabaseUrl,
    #[error(
        "database.admin_url is set, but ocpizza-app only ever uses the runtime role: remove OCPIZZA_DATABASE__ADMIN_URL from its environment"
    )]
    AdminUrlGiven,
    #[error("database.url is not a valid PostgreSQL URL")]
    BadDatabaseUrl(#[source] sqlx::Error),
    #[error(transparent)]
    Role(#[from] RoleCheckError),
    #[error("admin.images: {0:#}")]
    Images(anyhow::Error),
    #[error("could not listen on {addr}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// Binds `addr` now, so that a taken port fails the start, and returns the acceptor with the
/// address actually bound (port 0 picks a free one). Used by the app and the admin API.
pub async fn bind(addr: &str) -> std::io::Result<(TcpAcceptor, SocketAddr)> {
    let acceptor = TcpListener::bind(addr.to_string()).into_acceptor().await?;
    let bound = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| std::io::Error::other("no local address"))?;
    Ok((acceptor, bound))
}

pub struct Application {
    acceptor: TcpAcceptor,
    addr: SocketAddr,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        crate::metrics::install();
        let production = config.profile == Profile::Production;
        check_production_secrets(&config)?;
        if production && config.database.admin_url.is_some() {
            return Err(StartupError::AdminUrlGiven);
        }
        let url = config
            .database
            .url
            .as_ref()
            .ok_or(StartupError::MissingDatabaseUrl)?;
        let pool = db::pool(url, &config.database).map_err(StartupError::BadDatabaseUrl)?;
        match db::check_runtime_role(&pool).await {
            Ok(role) => {
                tracing::info!(role = %role.name, "database role checked: row-level security applies")
            }
            Err(err) if production => return Err(err.into()),
            Err(err) => {
                tracing::warn!(error = %err, "database role check failed (development: continuing)")
            }
        }
        let addr = format!("{}:{}", config.http.host, config.http.port);
        let (acceptor, addr) = bind(&addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let secret = config
            .jwt_secret()
            .ok_or(ProductionCheckError::MissingJwtSecret)?
            .to_string();
        let images =
            crate::images::ImageStore::new(&config.admin.images).map_err(StartupError::Images)?;
        let state = AppState::new(config, pool, &secret, images);
        Ok(Self {
            acceptor,
            addr,
            state,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (10 s at most).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let limiter_state = self.state.clone();
        let pruner = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter_state.login_limiter.prune();
            }
        });
        let listener = tokio::spawn(crate::realtime::listener::run(
            self.state.pool.clone(),
            self.state.hub.clone(),
        ));
        tracing::info!(addr = %self.addr, "ocpizza-app listening");
        // Event streams never end by themselves: close them first so shutdown does not wait.
        let hub = self.state.hub.clone();
        let shutdown = async move {
            shutdown.await;
            hub.publish(crate::realtime::Notice::Closing);
        };
        let result = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                api::routes(self.state),
                shutdown,
                Some(Duration::from_secs(10)),
            )
            .await;
        pruner.abort();
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
