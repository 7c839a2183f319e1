//! Test harness (docs/DESIGN.md, "Tests"): one template database migrated once per run by the
//! owner role, a fresh copy per test, the app built in-process with `Application::build` on
//! port 0 and connected as the runtime role, so row-level security is real. Helpers for the
//! real binaries.
//!
//! Environment (set by scripts/test.sh):
//! - `TEST_PG_OWNER_URL`: the owner role (CREATEDB, BYPASSRLS), any database of the cluster
//! - `TEST_PG_APP_URL`: the runtime role, any database of the cluster
//! - `TEST_PG_SUPERUSER_URL`: a superuser (only for the "refuses a superuser" tests)

pub mod admin;
pub mod app;
pub mod backup;
pub mod bins;
pub mod db;
pub mod fixtures;
pub mod mail;
pub mod s3;
pub mod sse;
pub mod worker;

pub use app::{TestApp, spawn_app, spawn_app_with};
pub use db::TestDb;
