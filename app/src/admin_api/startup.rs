//! `AdminApplication::build(config)`: the admin API server of `ocpizza-admin serve`, shared with
//! the tests.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use poem::Server;
use poem::listener::TcpAcceptor;

use super::state::AdminState;
use crate::config::{Config, ProductionCheckError, Profile, check_production_secrets};
use crate::db::{self, RoleCheckError};
use crate::images::ImageStore;

#[derive(Debug, thiserror::Error)]
pub enum AdminStartupError {
    #[error(transparent)]
    Secrets(#[from] ProductionCheckError),
    #[error(
        "database.url is not set: the admin API serves a pizzeria's requests as the runtime role (set OCPIZZA_DATABASE__URL)"
    )]
    MissingDatabaseUrl,
    #[error(
        "database.admin_url is not set: platform-wide reads use the owner role (set OCPIZZA_DATABASE__ADMIN_URL)"
    )]
    MissingAdminUrl,
    #[error("a database URL is not a valid PostgreSQL URL")]
    BadDatabaseUrl(#[source] sqlx::Error),
    #[error(transparent)]
    Role(#[from] RoleCheckError),
    #[error("admin.images: {0:#}")]
    Images(anyhow::Error),
    #[error(
        "admin.images.s3 is not set: in production the app and every admin replica must see the same images (set OCPIZZA_ADMIN__IMAGES__S3__ENDPOINT and the other admin.images.s3 keys)"
    )]
    MissingImageBucket,
    #[error("could not listen on {addr}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

pub struct AdminApplication {
    acceptor: TcpAcceptor,
    addr: SocketAddr,
    state: AdminState,
}

impl AdminApplication {
    pub async fn build(config: Config) -> Result<Self, AdminStartupError> {
        crate::metrics::install();
        check_production_secrets(&config)?;
        let url = config
            .database
            .url
            .as_ref()
            .ok_or(AdminStartupError::MissingDatabaseUrl)?;
        let admin_url = config
            .database
            .admin_url
            .as_ref()
            .ok_or(AdminStartupError::MissingAdminUrl)?;
        let pool = db::pool(url, &config.database).map_err(AdminStartupError::BadDatabaseUrl)?;
        let owner_pool =
            db::pool(admin_url, &config.database).map_err(AdminStartupError::BadDatabaseUrl)?;
        match db::check_runtime_role(&pool).await {
            Ok(role) => tracing::info!(role = %role.name, "admin API: runtime role checked"),
            Err(err) if config.profile == Profile::Production => return Err(err.into()),
            Err(err) => tracing::warn!(error = %err, "runtime role check failed (development)"),
        }
        if config.profile == Profile::Production && config.admin.images.s3.is_none() {
            return Err(AdminStartupError::MissingImageBucket);
        }
        let images = ImageStore::new(&config.admin.images).map_err(AdminStartupError::Images)?;
        let addr = format!("{}:{}", config.admin.host, config.admin.port);
        let (acceptor, addr) = crate::startup::bind(&addr)
            .await
            .map_err(|source| AdminStartupError::Bind { addr, source })?;
        let secret = config
            .jwt_secret()
            .ok_or(ProductionCheckError::MissingJwtSecret)?
            .to_string();
        let state = AdminState::new(config, pool, owner_pool, &secret, images);
        Ok(Self {
            acceptor,
            addr,
            state,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
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
        tracing::info!(addr = %self.addr, "ocpizza-admin API listening");
        let result = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                super::routes(self.state),
                shutdown,
                Some(Duration::from_secs(10)),
            )
            .await;
        pruner.abort();
        result
    }
}
