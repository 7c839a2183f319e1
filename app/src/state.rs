//! What every request handler shares: configuration, database pool, token keys, throttles.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use crate::auth::{Audience, JwtKeys, LoginLimiter};
use crate::config::Config;
use crate::menu::MenuCache;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub pool: PgPool,
    pub jwt: JwtKeys,
    pub login_limiter: LoginLimiter,
    pub menus: MenuCache,
}

impl AppState {
    pub fn new(config: Config, pool: PgPool, jwt_secret: &str) -> Self {
        let jwt = JwtKeys::new(
            jwt_secret,
            &config.auth.issuer,
            Audience::App,
            Duration::from_secs(config.auth.access_token_ttl_secs),
        );
        let login_limiter = LoginLimiter::new(
            config.auth.login_attempts_per_email_per_minute,
            config.auth.login_attempts_per_ip_per_minute,
        );
        Self(Arc::new(Inner {
            config,
            pool,
            jwt,
            login_limiter,
            menus: MenuCache::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
