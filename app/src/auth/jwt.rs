//! Access tokens: HS256 only (the algorithm is pinned), signed with the audience's own key named
//! in `kid` (see `keys`); `iss`, `aud`, `sub`, `sid`, `iat`, `exp` required; `nbf` honoured when
//! present; a token issued in the future (past a 5-second leeway) is refused. `sid` is the
//! session, which the servers check on every request.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys::{KeyRing, Secrets};

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
    /// The session (`sessions.id`).
    pub sid: Uuid,
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
    #[error("token signed with no key of this server (no or unknown kid)")]
    UnknownKey,
}

/// Clock difference tolerated on `exp`, `nbf` and `iat`.
const LEEWAY_SECS: u64 = 5;

/// Keys and rules for one audience.
#[derive(Clone)]
pub struct JwtKeys {
    keys: KeyRing,
    validation: Validation,
    issuer: String,
    audience: Audience,
    ttl: Duration,
}

impl JwtKeys {
    pub fn new(secrets: &Secrets, issuer: &str, audience: Audience, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            keys: KeyRing::new(secrets, audience.db_value()),
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

    pub(crate) fn issue(&self, user_id: Uuid, session: Uuid) -> Result<String, JwtError> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.as_str().to_string(),
            sub: user_id,
            sid: session,
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2),
        };
        jsonwebtoken::encode(&self.keys.header(), &claims, self.keys.signing_key())
            .map_err(JwtError::Signing)
    }

    pub fn verify(&self, token: &str) -> Result<AccessClaims, JwtError> {
        let key = self.keys.verifying_key(token).ok_or(JwtError::UnknownKey)?;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)?.claims;
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
        let secrets = Secrets::new(secret, None);
        JwtKeys::new(&secrets, "ocpizza", audience, Duration::from_secs(900))
    }

    #[test]
    fn issued_tokens_verify_and_carry_the_user() {
        let keys = keys("k".repeat(32).as_str(), Audience::App);
        let (user, session) = (Uuid::new_v4(), Uuid::new_v4());
        let claims = keys.verify(&keys.issue(user, session).unwrap()).unwrap();
        assert_eq!(claims.sub, user);
        assert_eq!(claims.sid, session);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn another_audience_or_key_is_refused() {
        let secret = "k".repeat(32);
        let app = keys(&secret, Audience::App);
        let admin = keys(&secret, Audience::Admin);
        let token = app.issue(Uuid::new_v4(), Uuid::new_v4()).unwrap();
        assert!(matches!(admin.verify(&token), Err(JwtError::UnknownKey)));
        assert!(keys(&"x".repeat(32), Audience::App).verify(&token).is_err());
    }

    #[test]
    fn a_token_signed_with_the_shared_secret_itself_is_refused() {
        // Before per-audience keys, tokens were signed with the secret as it is: such a token
        // (or one forged with a leaked stream key) names no key of this server.
        let secret = "k".repeat(32);
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: "ocpizza".into(),
            aud: Audience::App.as_str().into(),
            sub: Uuid::new_v4(),
            sid: Uuid::new_v4(),
            iat: now,
            exp: now + 60,
        };
        let raw = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap();
        assert!(matches!(
            keys(&secret, Audience::App).verify(&raw),
            Err(JwtError::UnknownKey)
        ));
    }
}
