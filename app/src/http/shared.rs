//! What the handlers of every server share: configuration, the runtime role's pool, the token
//! keys of the server's audience and the login throttle. Each server's state holds one and
//! dereferences to it.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use crate::accounts::Sessions;
use crate::auth::{Audience, JwtKeys, LoginLimiter, Secrets};
use crate::backup::maintenance::MaintenanceWatch;
use crate::config::Config;

#[derive(Clone)]
pub struct Shared(Arc<SharedInner>);

pub struct SharedInner {
    pub config: Config,
    /// The runtime role: requests run under row-level security.
    pub pool: PgPool,
    /// Tokens of this server's audience (the other server's are refused).
    pub jwt: JwtKeys,
    pub login_limiter: LoginLimiter,
    /// Maintenance mode as this server sees it (watched by `Server::run`).
    pub maintenance: Arc<MaintenanceWatch>,
}

impl Shared {
    pub fn new(config: Config, pool: PgPool, secrets: &Secrets, audience: Audience) -> Self {
        let jwt = JwtKeys::new(
            secrets,
            &config.auth.issuer,
            audience,
            Duration::from_secs(config.auth.access_token_ttl_secs),
        );
        let login_limiter = LoginLimiter::new(
            config.auth.login_attempts_per_email_per_minute,
            config.auth.login_attempts_per_ip_per_minute,
        );
        let maintenance = MaintenanceWatch::new(match audience {
            Audience::App => "app",
            Audience::Admin => "admin",
        });
        Self(Arc::new(SharedInner {
            config,
            pool,
            jwt,
            login_limiter,
            maintenance,
        }))
    }

    /// How this server issues and refreshes sessions.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions {
            keys: &self.jwt,
            refresh_ttl_days: self.config.auth.refresh_token_ttl_days,
            max_days: self.config.auth.session_max_days,
        }
    }
}

impl std::ops::Deref for Shared {
    type Target = SharedInner;

    fn deref(&self) -> &SharedInner {
        &self.0
    }
}
