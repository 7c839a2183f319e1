//! The HTTP layer every server shares: problem+json answers, middleware, probes, paging, the
//! common responses, the session endpoints and the server builder. The public API (`api`) and
//! the admin API (`admin_api`) are route sets on top of it (docs/ARCHITECTURE.md).

pub(crate) mod allow;
pub(crate) mod conn_guard;
#[cfg(test)]
pub(crate) mod contract;
pub mod fresh;
pub(crate) mod guard;
pub(crate) mod headers;
pub mod health;
pub(crate) mod maintenance;
pub mod middleware;
pub(crate) mod one_of;
pub(crate) mod optional_body;
pub mod paging;
pub mod problem;
pub(crate) mod responses;
pub mod server;
pub mod sessions;
pub mod shared;
pub(crate) mod stock;
pub(crate) mod streamed;
pub(crate) mod strict;
pub(crate) mod text;
pub(crate) mod tx;

pub use problem::Problem;
pub use server::{Server, StartupError};
pub use shared::Shared;
