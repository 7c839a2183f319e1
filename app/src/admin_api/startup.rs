//! `AdminApplication::build(config)`: the admin API server of `ocpizza-admin serve`, on the
//! shared server builder; shared with the tests.

use std::future::Future;
use std::net::SocketAddr;

use super::state::AdminState;
use crate::auth::Audience;
use crate::config::{Config, Profile};
use crate::db;
use crate::http::{Server, StartupError};
use crate::images::ImageStore;

pub struct AdminApplication {
    server: Server,
    state: AdminState,
}

impl AdminApplication {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let admin_url = config
            .database
            .admin_url
            .as_ref()
            .ok_or(StartupError::MissingAdminUrl)?;
        let owner_pool =
            db::server_pool(admin_url, &config.database).map_err(StartupError::BadDatabaseUrl)?;
        if config.profile == Profile::Production && config.images.s3.is_none() {
            return Err(StartupError::MissingImageBucket);
        }
        let images = ImageStore::new(&config.images).map_err(StartupError::Images)?;
        let (host, port) = (config.admin.host.clone(), config.admin.port);
        let server = Server::prepare(config, Audience::Admin, &host, port).await?;
        let state = AdminState::new(server.shared().clone(), owner_pool, images);
        Ok(Self { server, state })
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (10 s at most).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let routes = super::routes(self.state);
        self.server.run("ocpizza-admin API", routes, shutdown).await
    }
}
