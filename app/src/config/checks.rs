//! What production refuses to start with. Development only warns (see `startup`).

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
}

/// Checks the secrets of a production configuration; every other profile passes.
pub(crate) fn check_production_secrets(config: &Config) -> Result<(), ProductionCheckError> {
    use secrecy::ExposeSecret;
    if config.profile != super::Profile::Production {
        return Ok(());
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
    fn development_accepts_the_default() {
        assert_eq!(check_production_secrets(&Config::default()), Ok(()));
    }
}
