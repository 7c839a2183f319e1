//! What every admin request handler shares: what every server shares ([`Shared`]), the owner
//! role's pool and the image store.

use std::sync::Arc;

use sqlx::PgPool;

use crate::http::Shared;
use crate::http::shared::SharedInner;
use crate::images::ImageStore;

#[derive(Clone)]
pub struct AdminState(Arc<Inner>);

pub struct Inner {
    pub shared: Shared,
    /// The owner role (`database.admin_url`): platform-wide reads and writes only.
    pub owner_pool: PgPool,
    pub images: ImageStore,
}

impl AdminState {
    pub fn new(shared: Shared, owner_pool: PgPool, images: ImageStore) -> Self {
        Self(Arc::new(Inner {
            shared,
            owner_pool,
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

impl std::ops::Deref for Inner {
    type Target = SharedInner;

    fn deref(&self) -> &SharedInner {
        &self.shared
    }
}
