//! `ocpizza-admin secret`: new secrets, and the one a compose stack makes at its first start.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Subcommand;
use rand::RngCore;

#[derive(Subcommand)]
pub enum SecretCommand {
    /// Print a new random secret (64 bytes, base64url), e.g. for auth.jwt_secret.
    Generate,
    /// Write a new secret to FILE (mode 0600) unless it already holds one: how a stack gets its
    /// own secret at first start (then `auth.jwt_secret_file` = FILE).
    Ensure {
        /// The secret's file, e.g. on a volume every server mounts.
        file: PathBuf,
    },
}

/// Whether `ensure` wrote a new secret or found one.
#[derive(Debug, PartialEq, Eq)]
pub enum Ensured {
    Written,
    Kept,
}

pub fn ensure(file: &Path) -> anyhow::Result<Ensured> {
    match std::fs::read_to_string(file) {
        Ok(text) if text.trim().len() >= ocpizza::config::MIN_SECRET_BYTES => {
            return Ok(Ensured::Kept);
        }
        Ok(text) if !text.trim().is_empty() => bail!(
            "{} holds a secret shorter than {} bytes: replace it (or remove the file to get a new one)",
            file.display(),
            ocpizza::config::MIN_SECRET_BYTES
        ),
        Ok(_) => std::fs::remove_file(file)
            .with_context(|| format!("removing the empty {}", file.display()))?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err).with_context(|| format!("reading {}", file.display())),
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // create_new: two starts at once cannot both write (the loser fails and is restarted).
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("creating {}", file.display()))?;
    writeln!(out, "{}", generate()).with_context(|| format!("writing {}", file.display()))?;
    out.sync_all()
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(Ensured::Written)
}

pub fn generate() -> String {
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn ensure_writes_a_private_secret_once_and_keeps_it() {
        let dir = std::env::temp_dir().join(format!("ocpizza-ensure-{}", uuid::Uuid::new_v4()));
        let file = dir.join("secrets").join("jwt-secret");
        assert_eq!(ensure(&file).unwrap(), Ensured::Written);
        let first = std::fs::read_to_string(&file).unwrap();
        assert_eq!(first.trim().len(), 86);
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(ensure(&file).unwrap(), Ensured::Kept);
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            first,
            "kept as it was"
        );
        std::fs::write(&file, "short\n").unwrap();
        assert!(
            ensure(&file).is_err(),
            "a short secret is not silently replaced"
        );
        std::fs::write(&file, "\n").unwrap();
        assert_eq!(
            ensure(&file).unwrap(),
            Ensured::Written,
            "an empty file is replaced"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secrets_are_long_and_fresh() {
        let (a, b) = (super::generate(), super::generate());
        assert_eq!(a.len(), 86);
        assert_ne!(a, b);
    }
}
