//! Reading the layers and turning figment's errors into messages that name the key.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};

use super::Config;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist (named by OCPIZZA_CONFIG)")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Loads the configuration from the process environment and the optional file.
pub fn load() -> Result<Config, ConfigError> {
    load_from(figment()?)
}

/// The layered sources, in order of precedence (last wins).
pub(crate) fn figment() -> Result<Figment, ConfigError> {
    let file = match std::env::var_os("OCPIZZA_CONFIG") {
        Some(path) => {
            let path = PathBuf::from(path);
            if !path.is_file() {
                return Err(ConfigError::MissingFile(path));
            }
            Some(path)
        }
        None => Some(PathBuf::from("ocpizza.toml")).filter(|p| p.is_file()),
    };
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = file {
        figment = figment.merge(Toml::file_exact(path));
    }
    figment = figment
        .merge(Env::prefixed("OCPIZZA_").ignore(&["CONFIG"]).split("__"))
        .merge(
            Env::raw()
                .only(&["DATABASE_URL"])
                .map(|_| "database.url".into()),
        );
    Ok(figment)
}

/// Extracts a [`Config`]; errors name the key and where it came from (file or variable).
pub(crate) fn load_from(figment: Figment) -> Result<Config, ConfigError> {
    let mut config = figment.extract::<Config>().map_err(|err| {
        ConfigError::Invalid(err.into_iter().map(describe).collect::<Vec<_>>().join("; "))
    })?;
    read_secret_files(&mut config)?;
    Ok(config)
}

/// `auth.jwt_secret_file`, `http.metrics_token_file`: a secret's file, read when the secret
/// itself is not given.
fn read_secret_files(config: &mut Config) -> Result<(), ConfigError> {
    if config.auth.jwt_secret.is_none()
        && let Some(path) = &config.auth.jwt_secret_file
    {
        config.auth.jwt_secret = Some(read_secret("auth.jwt_secret_file", path)?.into());
    }
    if config.http.metrics_token.is_none()
        && let Some(path) = &config.http.metrics_token_file
    {
        config.http.metrics_token = Some(read_secret("http.metrics_token_file", path)?.into());
    }
    Ok(())
}

fn read_secret(key: &str, path: &str) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| ConfigError::Invalid(format!("{key} {path}: {err}")))?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err(ConfigError::Invalid(format!("{key} {path} is empty")));
    }
    Ok(secret.to_string())
}

/// figment names the key and its source; for a variable we add its exact name.
fn describe(err: figment::Error) -> String {
    let from_env = err
        .metadata
        .as_ref()
        .is_some_and(|m| m.name.contains("environment"));
    let mut text = err.to_string();
    if from_env && !err.path.is_empty() {
        let var = if err.path == ["database", "url"] && std::env::var_os("DATABASE_URL").is_some() {
            "DATABASE_URL".to_string()
        } else {
            format!("OCPIZZA_{}", err.path.join("__").to_uppercase())
        };
        text.push_str(&format!(" (variable {var})"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEV_JWT_SECRET, Profile};

    fn load_toml(toml: &str) -> Result<Config, ConfigError> {
        load_from(Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(toml)))
    }

    #[test]
    fn defaults_are_development_with_the_dev_secret() {
        let config = load_toml("").expect("defaults load");
        assert_eq!(config.profile, Profile::Development);
        assert_eq!(config.jwt_secret(), Some(DEV_JWT_SECRET));
        assert_eq!(config.auth.access_token_ttl_secs, 900);
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = load_toml("[http]\nprot = 80\n")
            .expect_err("typo must fail")
            .to_string();
        assert!(err.contains("prot"), "{err}");
        let err = load_toml("colour = 'red'\n")
            .expect_err("unknown top key")
            .to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn wrong_types_name_the_key() {
        let err = load_toml("[http]\nport = 'eighty'\n")
            .expect_err("bad type")
            .to_string();
        assert!(err.contains("port"), "{err}");
    }

    #[test]
    fn production_has_no_default_secret() {
        let config = load_toml("profile = 'production'\n").expect("loads");
        assert_eq!(config.jwt_secret(), None);
    }

    #[test]
    fn the_secret_can_come_from_a_file() {
        let dir = std::env::temp_dir().join(format!("ocpizza-secret-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("jwt-secret");
        std::fs::write(&path, format!("{}\n", "f".repeat(43))).unwrap();
        let toml = format!("[auth]\njwt_secret_file = '{}'\n", path.display());
        let config = load_toml(&toml).expect("loads");
        assert_eq!(config.jwt_secret(), Some("f".repeat(43).as_str()));
        // The secret itself wins over its file.
        let both = format!(
            "[auth]\njwt_secret = '{}'\njwt_secret_file = '{}'\n",
            "s".repeat(40),
            path.display()
        );
        assert_eq!(
            load_toml(&both).unwrap().jwt_secret(),
            Some("s".repeat(40).as_str())
        );
        std::fs::write(&path, "  \n").unwrap();
        let err = load_toml(&toml).expect_err("empty file").to_string();
        assert!(err.contains("jwt_secret_file"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        let err = load_toml(&toml).expect_err("missing file").to_string();
        assert!(err.contains("jwt_secret_file"), "{err}");
    }
}
