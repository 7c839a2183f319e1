//! Product images: checked (declared type matches the bytes, size within the limit), stored in
//! the image bucket (a local directory in development), and served through a short-lived
//! presigned URL (S3) or read back for the proxy route (local).

use uuid::Uuid;

use crate::config::ImagesConfig;
use crate::domain::InvalidInput;
use crate::storage::{self, Local, Remote};

/// The image formats accepted, by the bytes they start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Webp => "image/webp",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Webp => "webp",
        }
    }

    pub(crate) fn from_extension(key: &str) -> Option<Self> {
        match key.rsplit('.').next()? {
            "png" => Some(ImageKind::Png),
            "jpg" => Some(ImageKind::Jpeg),
            "webp" => Some(ImageKind::Webp),
            _ => None,
        }
    }

    fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(ImageKind::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::Webp)
        } else {
            None
        }
    }
}

/// Why an upload is refused: the type (415) or the size (413).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{0}")]
    UnsupportedType(String),
    #[error("the image has {size} bytes, more than the {max} allowed")]
    TooLarge { size: usize, max: usize },
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Checks an upload: PNG, JPEG or WebP, declared as what its bytes are, not empty, not too large.
pub fn check(declared: &str, bytes: &[u8], max: usize) -> Result<ImageKind, ImageError> {
    if bytes.is_empty() {
        return Err(InvalidInput::new("file", "the file is empty").into());
    }
    if bytes.len() > max {
        return Err(ImageError::TooLarge {
            size: bytes.len(),
            max,
        });
    }
    let declared = declared.split(';').next().unwrap_or("").trim();
    let kind = ImageKind::sniff(bytes).ok_or_else(|| {
        ImageError::UnsupportedType("the file is not a PNG, JPEG or WebP image".into())
    })?;
    if declared != kind.content_type() {
        return Err(ImageError::UnsupportedType(format!(
            "the file is declared as {declared:?} but is {}",
            kind.content_type()
        )));
    }
    Ok(kind)
}

pub enum ImageStore {
    Local(Local),
    S3 { remote: Remote, url_ttl_secs: u32 },
}

/// Where to find an image: a URL to redirect to, or its bytes.
pub enum Served {
    Redirect(String),
    Bytes(Vec<u8>, &'static str),
}

impl ImageStore {
    pub fn new(config: &ImagesConfig) -> anyhow::Result<Self> {
        Ok(match &config.s3 {
            Some(s3) => ImageStore::S3 {
                remote: Remote::new(s3)?,
                url_ttl_secs: config.url_ttl_secs.max(1),
            },
            None => ImageStore::Local(Local {
                dir: config.dir.clone().into(),
            }),
        })
    }

    /// Stores a checked image and returns its key.
    pub async fn put(
        &self,
        tenant_id: Uuid,
        product_id: Uuid,
        kind: ImageKind,
        bytes: &[u8],
    ) -> anyhow::Result<String> {
        let key = format!(
            "{}_{}_{}.{}",
            tenant_id.simple(),
            product_id.simple(),
            Uuid::now_v7().simple(),
            kind.extension()
        );
        let sha = storage::sha256_hex(bytes);
        match self {
            ImageStore::Local(local) => {
                local.put(&key, bytes, &sha).await?;
            }
            ImageStore::S3 { remote, .. } => {
                remote
                    .put_typed(&key, bytes, &sha, kind.content_type())
                    .await?;
            }
        }
        Ok(key)
    }

    pub async fn serve(&self, key: &str) -> anyhow::Result<Option<Served>> {
        let kind = ImageKind::from_extension(key).unwrap_or(ImageKind::Png);
        match self {
            ImageStore::Local(local) => Ok(local
                .get(key)
                .await?
                .map(|bytes| Served::Bytes(bytes, kind.content_type()))),
            ImageStore::S3 {
                remote,
                url_ttl_secs,
            } => Ok(Some(Served::Redirect(
                remote.presign_get(key, *url_ttl_secs).await?,
            ))),
        }
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self {
            ImageStore::Local(local) => local.delete(key).await.map(|_| ()),
            ImageStore::S3 { remote, .. } => remote.delete(key).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_declared_type_must_be_what_the_bytes_are() {
        assert_eq!(check("image/png", PNG, 100).unwrap(), ImageKind::Png);
        assert!(matches!(
            check("image/jpeg", PNG, 100),
            Err(ImageError::UnsupportedType(_))
        ));
        assert!(matches!(
            check("image/png", b"GIF89a......", 100),
            Err(ImageError::UnsupportedType(_))
        ));
        assert_eq!(
            check("image/jpeg", &[0xff, 0xd8, 0xff, 0xe0, 0, 0], 100).unwrap(),
            ImageKind::Jpeg
        );
        assert_eq!(
            check("image/webp", b"RIFF\0\0\0\0WEBPVP8 ", 100).unwrap(),
            ImageKind::Webp
        );
    }

    #[test]
    fn size_limits() {
        assert!(matches!(
            check("image/png", PNG, 4),
            Err(ImageError::TooLarge { .. })
        ));
        assert!(matches!(
            check("image/png", b"", 4),
            Err(ImageError::Invalid(_))
        ));
    }
}
