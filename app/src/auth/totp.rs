//! Time-based one-time passwords (RFC 6238 with the parameters every authenticator app uses:
//! HMAC-SHA1, 30-second steps, 6 digits): the second factor at login, required of platform
//! administrators and open to everyone else (docs/DESIGN.md, "Sessions").

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per code.
pub const STEP_SECS: i64 = 30;

/// A shared secret (20 random bytes, as RFC 4226 recommends).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

/// The 30-second step of a Unix time.
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// A secret as authenticator apps show it (base32, spaces and case ignored).
    pub fn from_base32(text: &str) -> Option<Self> {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        BASE32_NOPAD.decode(clean.as_bytes()).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret to type into an authenticator app.
    pub fn base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://` URI of a QR code for `account` at `issuer`.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let issuer = escape(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period={STEP_SECS}",
            escape(account),
            self.base32()
        )
    }

    /// The code of a step.
    pub fn code_at(&self, step: i64) -> String {
        let mut mac =
            Hmac::<Sha1>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let value = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        format!("{:06}", value % 1_000_000)
    }

    /// The step whose code `code` is at `now` (one step of clock drift allowed either way),
    /// if it is later than `after` (a code is used once).
    pub fn verify(&self, code: &str, now_unix: i64, after: Option<i64>) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let now = step_of(now_unix);
        (now - 1..=now + 1)
            .filter(|step| after.is_none_or(|used| *step > used))
            .find(|step| same(self.code_at(*step).as_bytes(), code.as_bytes()))
    }
}

/// Equal, in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Percent-encodes what an otpauth label or parameter may not hold as it is.
fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1), the last six digits of each.
    #[test]
    fn the_rfc_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(secret.code_at(step_of(time)), code, "at {time}");
        }
    }

    #[test]
    fn a_code_is_good_for_its_step_and_the_neighbours_once() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let code = secret.code_at(step_of(now));
        assert_eq!(secret.verify(&code, now, None), Some(step_of(now)));
        assert_eq!(
            secret.verify(&code, now + STEP_SECS, None),
            Some(step_of(now)),
            "a late phone"
        );
        assert_eq!(
            secret.verify(&code, now + 3 * STEP_SECS, None),
            None,
            "too old"
        );
        assert_eq!(
            secret.verify(&code, now, Some(step_of(now))),
            None,
            "used already"
        );
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(secret.verify(&spaced, now, None).is_some());
        assert_eq!(secret.verify("12345", now, None), None);
        assert_eq!(secret.verify("abcdef", now, None), None);
    }

    #[test]
    fn secrets_read_back_as_apps_show_them() {
        let secret = TotpSecret::generate();
        let shown = secret.base32().to_lowercase();
        assert_eq!(TotpSecret::from_base32(&shown), Some(secret.clone()));
        let uri = secret.uri("OC Pizza", "ops@example.fr");
        assert!(
            uri.starts_with("otpauth://totp/OC%20Pizza:ops@example.fr?secret="),
            "{uri}"
        );
        assert!(uri.contains(&secret.base32()));
    }
}
