//! What every admin request handler shares.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use crate::auth::{Audience, JwtKeys, LoginLimiter};
use crate::config::Config;
use crate::images::ImageStore;

#[derive(Clone)]
pub struct AdminState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    /// The runtime role: a pizzeria's own requests run under its row-level security.
    pub pool: PgPool,
    /// The owner role (`database.admin_url`): platform-wide reads and writes only.
    pub owner_pool: PgPool,
    /// Tokens of the admin audience (the app's are refused, and the reverse).
    pub jwt: JwtKeys,
    pub login_limiter: LoginLimiter,
    pub images: ImageStore,
}

impl AdminState {
    pub fn new(
        config: Config,
        pool: PgPool,
        owner_pool: PgPool,
        jwt_secret: &str,
        images: ImageStore,
    ) -> Self {
        let jwt = JwtKeys::new(
            jwt_secret,
            &config.auth.issuer,
            Audience::Admin,
            Duration::from_secs(config.auth.access_token_ttl_secs),
        );
        let login_limiter = LoginLimiter::new(
            config.auth.login_attempts_per_email_per_minute,
            config.auth.login_attempts_per_ip_per_minute,
        );
        Self(Arc::new(Inner {
            config,
            pool,
            owner_pool,
            jwt,
            login_limiter,
            images,
        }))
    }
}

impl std::ops::Deref for AdminState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
