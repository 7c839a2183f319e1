//! Authentication: access tokens (JWT) and their keys, password hashing, refresh tokens, login throttling.

pub mod jwt;
pub mod keys;
pub mod password_hash;
pub mod rate_limit;
pub mod refresh;
pub mod stream_token;
pub mod totp;

pub use jwt::{AccessClaims, Audience, JwtError, JwtKeys};
pub use keys::Secrets;
pub use rate_limit::{LoginLimiter, RateLimited};
