//! The admin API server (`ocpizza-admin serve`) and where product images are stored.

use serde::{Deserialize, Serialize};

use super::S3Config;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Address of the admin API (`ocpizza-admin serve`).
    pub host: String,
    /// Its port (`0`: any free port).
    pub port: u16,
    /// Days between a pizzeria's offboarding (its export is taken then) and the deletion of its
    /// data by the worker.
    pub offboard_grace_days: u32,
    /// Where offboarding exports are written.
    pub export_dir: String,
    pub images: ImagesConfig,
}

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

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8081,
            offboard_grace_days: 30,
            export_dir: ".data/exports".into(),
            images: ImagesConfig {
                dir: ".data/images".into(),
                max_bytes: 2 * 1024 * 1024,
                url_ttl_secs: 600,
                s3: None,
            },
        }
    }
}
