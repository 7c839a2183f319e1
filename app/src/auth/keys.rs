//! Signing keys of signed tokens. Each kind of token (the app's access tokens, the admin API's,
//! stream tokens) has its own HMAC key, derived from the configured secret with HKDF-SHA256 and
//! the kind's name, so a key of one kind can never sign or verify another kind. Every token
//! names its key in the header (`kid`). During a rollover the previous secret's keys still
//! verify, and only the current one signs (docs/DESIGN.md, "Sessions").

use hkdf::Hkdf;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// The configured secrets: the one that signs, and the one being retired (still verifying).
#[derive(Clone)]
pub struct Secrets {
    current: SecretString,
    previous: Option<SecretString>,
}

impl Secrets {
    pub fn new(current: &str, previous: Option<&str>) -> Self {
        Self {
            current: current.to_string().into(),
            previous: previous.map(|p| p.to_string().into()),
        }
    }
}

/// The keys of one kind of token.
#[derive(Clone)]
pub struct KeyRing {
    kid: String,
    signing: EncodingKey,
    /// `kid` → key; the current key first.
    verifying: Vec<(String, DecodingKey)>,
}

/// The key of the kind `purpose` derived from `secret`, and its id: the purpose and the first
/// 48 bits of the key's SHA-256, which identify the key without revealing it.
fn derive(secret: &SecretString, purpose: &str) -> (String, [u8; 32]) {
    let hk = Hkdf::<Sha256>::new(
        Some(b"ocpizza signing keys v1"),
        secret.expose_secret().as_bytes(),
    );
    let mut key = [0u8; 32];
    hk.expand(purpose.as_bytes(), &mut key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    let digest = Sha256::digest(key);
    let id: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    (format!("{purpose}-{id}"), key)
}

impl KeyRing {
    pub fn new(secrets: &Secrets, purpose: &str) -> Self {
        let (kid, key) = derive(&secrets.current, purpose);
        let mut verifying = vec![(kid.clone(), DecodingKey::from_secret(&key))];
        if let Some(previous) = &secrets.previous {
            let (old_kid, old) = derive(previous, purpose);
            if old_kid != kid {
                verifying.push((old_kid, DecodingKey::from_secret(&old)));
            }
        }
        Self {
            kid,
            signing: EncodingKey::from_secret(&key),
            verifying,
        }
    }

    /// The header of a new token: HS256 and the current key's id.
    pub fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        header
    }

    pub fn signing_key(&self) -> &EncodingKey {
        &self.signing
    }

    /// The key a token names; none for a token without `kid` or with an unknown one.
    pub(crate) fn verifying_key(&self, token: &str) -> Option<&DecodingKey> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        self.verifying
            .iter()
            .find(|(id, _)| *id == kid)
            .map(|(_, key)| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_and_secret_has_its_own_key() {
        let a = Secrets::new(&"a".repeat(32), None);
        let b = Secrets::new(&"b".repeat(32), None);
        let app = KeyRing::new(&a, "app");
        assert_ne!(app.kid, KeyRing::new(&a, "admin").kid);
        assert_ne!(app.kid, KeyRing::new(&b, "app").kid);
        assert_eq!(app.kid, KeyRing::new(&a, "app").kid, "derivation is stable");
        assert!(app.kid.starts_with("app-"));
    }

    #[test]
    fn during_a_rollover_both_keys_verify_and_the_new_one_signs() {
        let (old, new) = ("o".repeat(32), "n".repeat(32));
        let before = KeyRing::new(&Secrets::new(&old, None), "app");
        let during = KeyRing::new(&Secrets::new(&new, Some(&old)), "app");
        let after = KeyRing::new(&Secrets::new(&new, None), "app");
        assert_eq!(during.verifying.len(), 2);
        assert_eq!(during.kid, after.kid);
        let old_token = format!("{}.e30.x", jwt_header(&before));
        assert!(during.verifying_key(&old_token).is_some());
        assert!(after.verifying_key(&old_token).is_none());
    }

    fn jwt_header(ring: &KeyRing) -> String {
        use base64::Engine;
        let json = serde_json::to_vec(&ring.header()).unwrap();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }
}
