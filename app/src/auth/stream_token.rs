//! Stream tokens: a browser's EventSource cannot send an Authorization header, so a signed-in
//! client first asks for a token valid one minute for one stream, and puts it in the URL.

use chrono::Utc;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys::{KeyRing, Secrets};

pub const AUDIENCE: &str = "ocpizza-stream";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamClaims {
    pub iss: String,
    pub aud: String,
    pub sub: Uuid,
    /// The session of the access token the stream token was asked with: checked again when
    /// the stream opens.
    pub sid: Uuid,
    pub exp: i64,
    /// The pizzeria.
    pub tenant: Uuid,
    /// `order`, `kitchen` or `driver`.
    pub stream: String,
    /// For an order stream: which order.
    pub order: Option<Uuid>,
}

#[derive(Clone)]
pub struct StreamTokens {
    keys: KeyRing,
    validation: Validation,
    issuer: String,
    ttl_secs: i64,
}

impl StreamTokens {
    pub fn new(secrets: &Secrets, issuer: &str, ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 2;
        Self {
            keys: KeyRing::new(secrets, "stream"),
            validation,
            issuer: issuer.to_string(),
            ttl_secs: i64::try_from(ttl_secs).unwrap_or(60),
        }
    }

    pub(crate) fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub(crate) fn issue(
        &self,
        user: Uuid,
        session: Uuid,
        tenant: Uuid,
        stream: &str,
        order: Option<Uuid>,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = StreamClaims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            sub: user,
            sid: session,
            exp: Utc::now().timestamp() + self.ttl_secs,
            tenant,
            stream: stream.into(),
            order,
        };
        jsonwebtoken::encode(&self.keys.header(), &claims, self.keys.signing_key())
    }

    pub fn verify(&self, token: &str) -> Result<StreamClaims, jsonwebtoken::errors::Error> {
        let key = self.keys.verifying_key(token).ok_or_else(|| {
            jsonwebtoken::errors::Error::from(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat)
        })?;
        Ok(jsonwebtoken::decode::<StreamClaims>(token, key, &self.validation)?.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_token_is_for_its_stream_only_and_not_an_access_token() {
        let secret = Secrets::new(&"s".repeat(32), None);
        let tokens = StreamTokens::new(&secret, "ocpizza", 60);
        let (user, tenant, order) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let session = Uuid::new_v4();
        let token = tokens
            .issue(user, session, tenant, "order", Some(order))
            .unwrap();
        let claims = tokens.verify(&token).unwrap();
        assert_eq!(
            (
                claims.sub,
                claims.sid,
                claims.tenant,
                claims.stream.as_str(),
                claims.order
            ),
            (user, session, tenant, "order", Some(order))
        );
        let app = crate::auth::JwtKeys::new(
            &secret,
            "ocpizza",
            crate::auth::Audience::App,
            std::time::Duration::from_secs(60),
        );
        assert!(
            app.verify(&token).is_err(),
            "a stream token is not an access token"
        );
        assert!(
            tokens.verify(&app.issue(user, session).unwrap()).is_err(),
            "nor the reverse"
        );
    }
}
