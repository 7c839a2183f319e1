//! Black-box tests of the foundation: HTTP against a real PostgreSQL, and the real binaries.

mod accounts;
mod cli;
mod health;
mod jwt;
mod rls;
mod startup;
mod tenancy;
