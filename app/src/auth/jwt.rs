//! Access tokens: HS256 only (the algorithm is pinned), `iss`, `aud`, `sub`, `iat`, `exp`
//! required; `nbf` honoured when present; a token issued in the future (past a 5-second leeway)
//! is refused.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who a token is for: the app API or the admin API; each refuses the other's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    App,
    Admin,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::App => "ocpizza-app",
            Audience::Admin => "ocpizza-admin",
        }
    }

    /// The value stored with refresh tokens.
    pub(crate) fn db_value(self) -> &'static str {
        match self {
            Audience::App => "app",
            Audience::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("token rejected: {0}")]
    Rejected(#[from] jsonwebtoken::errors::Error),
    #[error("could not sign a token")]
    Signing(#[source] jsonwebtoken::errors::Error),
    #[error("token issued in the future")]
    IssuedInTheFuture,
}

/// Clock difference tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECS: u64 = 5;

/// Keys and rules for one audience.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: Audience,
    ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &str, issuer: &str, audience: Audience, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            issuer: issuer.to_string(),
            audience,
            ttl,
        }
    }

    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn audience(&self) -> Audience {
        self.audience
    }

    pub(crate) fn issue(&self, user_id: Uuid) -> Result<String, JwtError> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.as_str().to_string(),
            sub: user_id,
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(JwtError::Signing)
    }

    pub fn verify(&self, token: &str) -> Result<AccessClaims, JwtError> {
        let claims =
            jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)?.claims;
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        if claims.iat > Utc::now().timestamp() + leeway {
            return Err(JwtError::IssuedInTheFuture);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str, audience: Audience) -> JwtKeys {
        JwtKeys::new(secret, "ocpizza", audience, Duration::from_secs(900))
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_user() {
        let keys = keys("k".repeat(32).as_str(), Audience::App);
        let user = Uuid::new_v4();
        let claims = keys.verify(&keys.issue(user).unwrap()).unwrap();
        assert_eq!(claims.sub, user);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn another_audience_or_key_is_refused() {
        let secret = "k".repeat(32);
        let app = keys(&secret, Audience::App);
        let admin = keys(&secret, Audience::Admin);
        let token = app.issue(Uuid::new_v4()).unwrap();
        assert!(admin.verify(&token).is_err());
        assert!(keys(&"x".repeat(32), Audience::App).verify(&token).is_err());
    }
}
