//! What every request handler shares: configuration, database pool, token keys, throttles.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::auth::stream_token::StreamTokens;
use crate::auth::{Audience, JwtKeys, LoginLimiter};
use crate::backup::maintenance::MaintenanceCache;
use crate::config::Config;
use crate::images::ImageStore;
use crate::menu::MenuCache;
use crate::realtime::Hub;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub pool: PgPool,
    pub jwt: JwtKeys,
    pub login_limiter: LoginLimiter,
    pub menus: MenuCache,
    pub hub: Arc<Hub>,
    pub stream_tokens: StreamTokens,
    /// One position per delivery per `delivery.min_position_interval_ms`.
    pub position_limiter: DefaultKeyedRateLimiter<Uuid>,
    /// Maintenance mode, re-read at most every 2 seconds.
    pub maintenance: MaintenanceCache,
    /// Product images (read only here).
    pub images: ImageStore,
}

impl AppState {
    pub fn new(config: Config, pool: PgPool, jwt_secret: &str, images: ImageStore) -> Self {
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
        let hub = Hub::new(config.realtime.buffer);
        let stream_tokens = StreamTokens::new(
            jwt_secret,
            &config.auth.issuer,
            config.realtime.stream_token_ttl_secs,
        );
        let interval = Duration::from_millis(config.delivery.min_position_interval_ms.max(1));
        let position_limiter = RateLimiter::keyed(
            Quota::with_period(interval)
                .unwrap_or_else(|| Quota::per_second(std::num::NonZeroU32::MIN)),
        );
        Self(Arc::new(Inner {
            config,
            pool,
            jwt,
            login_limiter,
            menus: MenuCache::default(),
            hub,
            stream_tokens,
            position_limiter,
            maintenance: MaintenanceCache::new(Duration::from_secs(2)),
            images,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
