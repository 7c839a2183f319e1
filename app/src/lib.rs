//! OC Pizza: the library every binary shares (domain, persistence, auth, tenancy, config) and
//! the public API served by `ocpizza-app`. See docs/ARCHITECTURE.md for the map.

pub mod accounts;
pub mod admin_api;
pub mod api;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod delivery;
pub mod devices;
pub mod domain;
pub mod email;
pub mod export;
pub mod http;
pub mod images;
pub mod jobs;
pub mod menu;
pub mod metrics;
pub mod orders;
pub mod provisioning;
pub mod realtime;
pub mod settings;
pub mod startup;
pub mod state;
pub mod stock;
pub mod storage;
pub mod telemetry;
pub mod tenancy;

pub use startup::Application;
