//! The admin API server (`ocpizza-admin serve`).

use serde::{Deserialize, Serialize};

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
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8081,
            offboard_grace_days: 30,
            export_dir: ".data/exports".into(),
        }
    }
}
