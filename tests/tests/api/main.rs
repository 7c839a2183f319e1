//! Black-box tests of the foundation: HTTP against a real PostgreSQL, and the real binaries.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod account_links;
mod accounts;
mod admin_access;
mod admin_dashboard;
mod admin_group_menu;
mod admin_images;
mod admin_pizzeria;
mod admin_tenants;
mod backups;
mod cli;
mod contract;
mod devices;
mod health;
mod jwt;
mod kitchen;
mod lifecycle;
mod limits;
mod live;
mod lock_order;
mod menu;
mod methods;
mod metrics;
mod opening;
mod order_races;
mod orders;
mod reorder;
mod restore;
mod rls;
mod second_factor;
mod sessions;
mod startup;
mod stock;
mod tenancy;
mod worker;
