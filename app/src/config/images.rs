//! Where product images are stored: read by the app (to serve or presign them) and written by the
//! admin API.

use serde::{Deserialize, Serialize};

use super::S3Config;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagesConfig {
    /// Local store of product images when `s3` is unset (development).
    pub dir: String,
    /// Largest accepted upload.
    pub max_bytes: usize,
    /// Lifetime of the presigned URLs given to customers.
    pub url_ttl_secs: u32,
    /// The image bucket (production).
    pub s3: Option<S3Config>,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        Self {
            dir: ".data/images".into(),
            max_bytes: 2 * 1024 * 1024,
            url_ttl_secs: 600,
            s3: None,
        }
    }
}
