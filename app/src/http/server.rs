//! The server builder every HTTP server shares: start-up checks, the runtime pool, a bound
//! listener, the routes every server has (OpenAPI document, docs, probes) and the middleware
//! stack, then serving until shutdown. `Application` (the app) and `AdminApplication` (the admin
//! API) each add their own state and routes around it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::{Endpoint, EndpointExt, IntoEndpoint, Route, get};
use poem_openapi::{OpenApi, OpenApiService};

use super::conn_guard::GuardedAcceptor;
use super::{Shared, headers, health, middleware, text};
use crate::auth::{Audience, Secrets};
use crate::config::{Config, ProductionCheckError, Profile, check_production_secrets};
use crate::db::{self, RoleCheckError};

/// Why a server did not start.
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
    #[error(
        "database.admin_url is not set: platform-wide reads use the owner role (set OCPIZZA_DATABASE__ADMIN_URL)"
    )]
    MissingAdminUrl,
    #[error("a database URL is not a valid PostgreSQL URL")]
    BadDatabaseUrl(#[source] sqlx::Error),
    #[error(transparent)]
    Role(#[from] RoleCheckError),
    #[error("images: {0:#}")]
    Images(anyhow::Error),
    #[error(
        "images.s3 is not set: in production the app and every admin replica must see the same images (set OCPIZZA_IMAGES__S3__ENDPOINT and the other images.s3 keys)"
    )]
    MissingImageBucket,
    #[error("could not listen on {addr}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

/// A server that passed its start-up checks and holds its port.
pub struct Server {
    acceptor: TcpAcceptor,
    addr: SocketAddr,
    shared: Shared,
    secrets: Secrets,
}

impl Server {
    /// Checks the secrets and the runtime role (refused in production when it could bypass
    /// row-level security), opens the runtime pool, and binds `host:port` now, so that a taken
    /// port fails the start (port 0 picks a free one).
    pub async fn prepare(
        config: Config,
        audience: Audience,
        host: &str,
        port: u16,
    ) -> Result<Self, StartupError> {
        crate::metrics::install();
        check_production_secrets(&config)?;
        let url = config
            .database
            .url
            .as_ref()
            .ok_or(StartupError::MissingDatabaseUrl)?;
        let pool = db::server_pool(url, &config.database).map_err(StartupError::BadDatabaseUrl)?;
        match db::check_runtime_role(&pool).await {
            Ok(role) => {
                tracing::info!(role = %role.name, "database role checked: row-level security applies")
            }
            Err(err) if config.profile == Profile::Production => return Err(err.into()),
            Err(err) => {
                tracing::warn!(error = %err, "database role check failed (development: continuing)")
            }
        }
        let addr = format!("{host}:{port}");
        let (acceptor, addr) = bind(&addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        let secrets = Secrets::new(
            config
                .jwt_secret()
                .ok_or(ProductionCheckError::MissingJwtSecret)?,
            config.jwt_previous_secret(),
        );
        let shared = Shared::new(config, pool, &secrets, audience);
        Ok(Self {
            acceptor,
            addr,
            shared,
            secrets,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The secrets the signing keys of tokens derive from.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// Serves `routes` until `shutdown` completes, then lets requests in flight finish (10 s at
    /// most). Maintenance mode is watched meanwhile.
    pub async fn run(
        self,
        name: &str,
        routes: impl IntoEndpoint<Endpoint: 'static>,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        // Maintenance mode is known before the first request, then watched.
        let watch = self.shared.maintenance.clone();
        watch.refresh(&self.shared.pool).await;
        let watcher = tokio::spawn(
            Arc::clone(&watch).run(self.shared.pool.clone(), Duration::from_millis(500)),
        );
        tracing::info!(addr = %self.addr, "{name} listening");
        let idle = Duration::from_secs(self.shared.config.http.idle_timeout_secs.max(1));
        let head = Duration::from_secs(self.shared.config.http.header_read_timeout_secs.max(1));
        let result = poem::Server::new_with_acceptor(GuardedAcceptor::new(self.acceptor, head))
            .idle_timeout(idle)
            .run_with_graceful_shutdown(routes, shutdown, Some(Duration::from_secs(10)))
            .await;
        watcher.abort();
        watch.leave(&self.shared.pool).await;
        result
    }
}

/// Binds `addr` and returns the acceptor with the address actually bound.
async fn bind(addr: &str) -> std::io::Result<(TcpAcceptor, SocketAddr)> {
    let acceptor = TcpListener::bind(addr.to_string()).into_acceptor().await?;
    let bound = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| std::io::Error::other("no local address"))?;
    Ok((acceptor, bound))
}

/// The routes every server has beside its API: the OpenAPI document, the interactive docs and
/// the probes.
pub(crate) fn standard_routes<T: OpenApi + 'static>(api: &OpenApiService<T, ()>) -> Route {
    Route::new()
        .at("/openapi.json", api.spec_endpoint())
        .nest("/docs", api.swagger_ui())
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
}

/// The middleware every server runs, outermost last: the shared state, the request body limit,
/// then the request log, request id, timeout and problem answers.
pub(crate) fn with_middleware(routes: impl Endpoint + 'static, shared: Shared) -> impl Endpoint {
    let timeout = Duration::from_secs(shared.config.http.request_timeout_secs);
    let max_body = shared.config.http.max_body_bytes;
    let production = shared.config.profile == Profile::Production;
    routes
        .data(shared)
        .around(text::refuse_nul)
        .around(move |ep, req| middleware::limit_body(ep, req, max_body))
        .around(move |ep, req| middleware::observe(ep, req, timeout))
        .around(move |ep, req| headers::security_headers(ep, req, production))
}
