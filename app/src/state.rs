//! What every request handler of `ocpizza-app` shares: what every server shares ([`Shared`]:
//! configuration, pool, token keys, login throttle), the menu cache, the event hub, stream
//! tokens, throttles and the image store.

use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::auth::Secrets;
use crate::auth::stream_token::StreamTokens;
use crate::http::Shared;
use crate::http::fresh::Documents;
use crate::http::shared::SharedInner;
use crate::images::ImageStore;
use crate::menu::MenuCache;
use crate::realtime::Hub;
use crate::realtime::limits::StreamLimits;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub shared: Shared,
    pub menus: MenuCache,
    /// The public menu documents, serialised (`api::menu_doc`).
    pub menu_docs: Documents,
    pub hub: Arc<Hub>,
    pub stream_tokens: StreamTokens,
    /// Open streams per subscriber and per address.
    pub stream_limits: Arc<StreamLimits>,
    /// One position per (pizzeria, order, driver) per `delivery.min_position_interval_ms`.
    pub position_limiter: DefaultKeyedRateLimiter<(Uuid, Uuid, Uuid)>,
    /// Product images (read only here).
    pub images: ImageStore,
}

impl AppState {
    pub fn new(shared: Shared, secrets: &Secrets, images: ImageStore) -> Self {
        let config = &shared.config;
        let hub = Hub::new(config.realtime.buffer);
        let stream_tokens = StreamTokens::new(
            secrets,
            &config.auth.issuer,
            config.realtime.stream_token_ttl_secs,
        );
        let interval = Duration::from_millis(config.delivery.min_position_interval_ms.max(1));
        let position_limiter = RateLimiter::keyed(
            Quota::with_period(interval)
                .unwrap_or_else(|| Quota::per_second(std::num::NonZeroU32::MIN)),
        );
        let stream_limits = StreamLimits::new(
            config.realtime.max_streams_per_subscriber,
            config.realtime.max_streams_per_address,
        );
        // Event streams end when maintenance switches on: their clients reconnect, and get 503
        // until it is off (a restore must not find streams reading the tables it replaces).
        let closing = Arc::clone(&hub);
        shared
            .maintenance
            .when_switched_on(move || closing.publish(crate::realtime::Notice::Closing));
        Self(Arc::new(Inner {
            shared,
            menus: MenuCache::default(),
            menu_docs: Documents::default(),
            hub,
            stream_tokens,
            stream_limits,
            position_limiter,
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

impl std::ops::Deref for Inner {
    type Target = SharedInner;

    fn deref(&self) -> &SharedInner {
        &self.shared
    }
}
