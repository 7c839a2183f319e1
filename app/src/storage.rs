//! Object storage: a local directory and an S3 bucket (rust-s3). Used for the two copies of the
//! backups and for product images. Each write is verified by reading it back and comparing its
//! SHA-256.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use s3::creds::Credentials;
use s3::{Bucket, Region};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::config::S3Config;

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) async fn sha256_of_file(path: &Path) -> anyhow::Result<String> {
    let bytes = tokio::fs::read(path)
        .await
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(sha256_hex(&bytes))
}

pub struct Local {
    pub dir: PathBuf,
}

impl Local {
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Writes `bytes` to `file` (via a temporary name, so a half-written file is never taken
    /// for a backup) and checks what is on disk.
    pub async fn put(&self, file: &str, bytes: &[u8], sha256: &str) -> anyhow::Result<PathBuf> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let path = self.path(file);
        let partial = self.path(&format!("{file}.partial"));
        tokio::fs::write(&partial, bytes)
            .await
            .with_context(|| format!("writing {}", partial.display()))?;
        tokio::fs::rename(&partial, &path)
            .await
            .context("renaming the finished file")?;
        let written = sha256_of_file(&path).await?;
        if written != sha256 {
            bail!(
                "the local copy {} does not match what was written",
                path.display()
            );
        }
        Ok(path)
    }

    pub async fn get(&self, file: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(file)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {file}")),
        }
    }

    pub async fn delete(&self, file: &str) -> anyhow::Result<bool> {
        match tokio::fs::remove_file(self.path(file)).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).with_context(|| format!("deleting {file}")),
        }
    }
}

pub struct Remote {
    bucket: Box<Bucket>,
    prefix: String,
}

impl Remote {
    pub fn new(config: &S3Config) -> anyhow::Result<Self> {
        let region = Region::Custom {
            region: config.region.clone(),
            endpoint: config.endpoint.clone(),
        };
        let credentials = Credentials::new(
            Some(&config.access_key),
            Some(config.secret_key.expose_secret()),
            None,
            None,
            None,
        )
        .context("backup.s3 credentials")?;
        let mut bucket =
            Bucket::new(&config.bucket, region, credentials).context("backup.s3 bucket")?;
        if config.path_style {
            bucket = bucket.with_path_style();
        }
        Ok(Self {
            bucket,
            prefix: config.prefix.trim_matches('/').to_string(),
        })
    }

    pub fn key(&self, file: &str) -> String {
        if self.prefix.is_empty() {
            file.to_string()
        } else {
            format!("{}/{file}", self.prefix)
        }
    }

    /// Uploads and reads back to compare checksums.
    pub async fn put(&self, file: &str, bytes: &[u8], sha256: &str) -> anyhow::Result<String> {
        self.put_typed(file, bytes, sha256, "application/octet-stream")
            .await
    }

    /// [`Remote::put`] with the `Content-Type` the object is served with.
    pub(crate) async fn put_typed(
        &self,
        file: &str,
        bytes: &[u8],
        sha256: &str,
        content_type: &str,
    ) -> anyhow::Result<String> {
        let key = self.key(file);
        self.bucket
            .put_object_with_content_type(&key, bytes, content_type)
            .await
            .with_context(|| format!("uploading {key}"))?;
        let back = self
            .get(file)
            .await?
            .with_context(|| format!("{key} is missing right after its upload"))?;
        if sha256_hex(&back) != sha256 {
            bail!("the S3 copy {key} does not match what was uploaded");
        }
        Ok(key)
    }

    pub async fn get(&self, file: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let key = self.key(file);
        match self.bucket.get_object(&key).await {
            Ok(response) => Ok(Some(response.bytes().to_vec())),
            Err(s3::error::S3Error::HttpFailWithBody(404, _)) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("downloading {key}")),
        }
    }

    /// A URL that reads the object without credentials for `secs` seconds.
    pub(crate) async fn presign_get(&self, file: &str, secs: u32) -> anyhow::Result<String> {
        let key = self.key(file);
        self.bucket
            .presign_get(&key, secs, None)
            .await
            .with_context(|| format!("presigning {key}"))
    }

    pub async fn delete(&self, file: &str) -> anyhow::Result<()> {
        let key = self.key(file);
        self.bucket
            .delete_object(&key)
            .await
            .with_context(|| format!("deleting {key}"))?;
        Ok(())
    }

    /// Names of the files under the prefix.
    pub async fn list(&self) -> anyhow::Result<Vec<String>> {
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let pages = self
            .bucket
            .list(prefix.clone(), None)
            .await
            .context("listing the bucket")?;
        Ok(pages
            .into_iter()
            .flat_map(|p| p.contents)
            .map(|o| o.key.trim_start_matches(&prefix).to_string())
            .collect())
    }
}
