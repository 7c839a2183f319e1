//! What production refuses to start with, and a development server reachable from other
//! machines too: the secrets. Development on loopback only warns (see `startup`).

use super::{Config, DEV_JWT_SECRET};

pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProductionCheckError {
    #[error(
        "auth.jwt_secret is not set: generate one with `ocpizza-admin secret generate` and set OCPIZZA_AUTH__JWT_SECRET"
    )]
    MissingJwtSecret,
    #[error(
        "auth.jwt_secret is the development default: generate one with `ocpizza-admin secret generate` and set OCPIZZA_AUTH__JWT_SECRET"
    )]
    DefaultJwtSecret,
    #[error(
        "auth.jwt_secret is too short ({0} bytes, at least {MIN_SECRET_BYTES}): generate one with `ocpizza-admin secret generate`"
    )]
    ShortJwtSecret(usize),
    #[error(
        "auth.jwt_previous_secret is too short or the development default: it must be the secret being retired"
    )]
    BadPreviousSecret,
}

/// Checks the secrets of a production configuration, or of one listening beyond loopback;
/// a development server on loopback passes.
pub(crate) fn check_production_secrets(config: &Config) -> Result<(), ProductionCheckError> {
    use secrecy::ExposeSecret;
    if config.profile != super::Profile::Production && !config.listens_beyond_loopback() {
        return Ok(());
    }
    if let Some(previous) = &config.auth.jwt_previous_secret {
        let previous = previous.expose_secret();
        if previous.len() < MIN_SECRET_BYTES || previous == DEV_JWT_SECRET {
            return Err(ProductionCheckError::BadPreviousSecret);
        }
    }
    let secret = config
        .auth
        .jwt_secret
        .as_ref()
        .ok_or(ProductionCheckError::MissingJwtSecret)?;
    let secret = secret.expose_secret();
    if secret.trim().is_empty() {
        return Err(ProductionCheckError::MissingJwtSecret);
    }
    if secret == DEV_JWT_SECRET {
        return Err(ProductionCheckError::DefaultJwtSecret);
    }
    if secret.len() < MIN_SECRET_BYTES {
        return Err(ProductionCheckError::ShortJwtSecret(secret.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;

    fn production(secret: Option<&str>) -> Config {
        let mut config = Config {
            profile: Profile::Production,
            ..Config::default()
        };
        config.auth.jwt_secret = secret.map(|s| s.to_string().into());
        config
    }

    #[test]
    fn production_refuses_missing_default_and_short_secrets() {
        assert_eq!(
            check_production_secrets(&production(None)),
            Err(ProductionCheckError::MissingJwtSecret)
        );
        assert_eq!(
            check_production_secrets(&production(Some("  "))),
            Err(ProductionCheckError::MissingJwtSecret)
        );
        assert_eq!(
            check_production_secrets(&production(Some(DEV_JWT_SECRET))),
            Err(ProductionCheckError::DefaultJwtSecret)
        );
        assert_eq!(
            check_production_secrets(&production(Some("short"))),
            Err(ProductionCheckError::ShortJwtSecret(5))
        );
        assert_eq!(
            check_production_secrets(&production(Some(&"k".repeat(48)))),
            Ok(())
        );
    }

    #[test]
    fn development_accepts_the_default_on_loopback_only() {
        assert_eq!(check_production_secrets(&Config::default()), Ok(()));
        let mut exposed = Config::default();
        exposed.http.host = "0.0.0.0".into();
        assert_eq!(exposed.jwt_secret(), None, "no fallback beyond loopback");
        assert_eq!(
            check_production_secrets(&exposed),
            Err(ProductionCheckError::MissingJwtSecret)
        );
        exposed.auth.jwt_secret = Some(DEV_JWT_SECRET.to_string().into());
        assert_eq!(
            check_production_secrets(&exposed),
            Err(ProductionCheckError::DefaultJwtSecret)
        );
        let mut admin = Config::default();
        admin.admin.host = "192.168.1.10".into();
        assert!(admin.listens_beyond_loopback());
        let mut local = Config::default();
        local.http.host = "::1".into();
        local.admin.host = "localhost".into();
        assert!(!local.listens_beyond_loopback());
    }

    #[test]
    fn a_previous_secret_must_be_a_real_one() {
        let mut config = production(Some(&"k".repeat(48)));
        config.auth.jwt_previous_secret = Some("short".to_string().into());
        assert_eq!(
            check_production_secrets(&config),
            Err(ProductionCheckError::BadPreviousSecret)
        );
        config.auth.jwt_previous_secret = Some("p".repeat(40).into());
        assert_eq!(check_production_secrets(&config), Ok(()));
    }
}
