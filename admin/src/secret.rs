use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Subcommand;
use rand::RngCore;

#[derive(Subcommand)]
pub enum SecretCommand {
    /// Print a new random secret (64 bytes, base64url), e.g. for auth.jwt_secret.
    Generate,
}

pub fn generate() -> String {
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_long_and_fresh() {
        let (a, b) = (super::generate(), super::generate());
        assert_eq!(a.len(), 86);
        assert_ne!(a, b);
    }
}
