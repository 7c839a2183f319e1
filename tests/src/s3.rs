//! A real S3-compatible server for tests (moto's server, from PyPI, installed by
//! scripts/test.sh): each test starts its own on a free port with its own bucket, and reads the
//! bucket back over plain HTTP, independently of the code under test.

use std::process::Stdio;
use std::time::Duration;

use crate::mail::{free_port, wait_for_port};

pub struct S3Server {
    _child: tokio::process::Child,
    pub port: u16,
    pub bucket: String,
    pub prefix: String,
}

impl S3Server {
    pub async fn start() -> Self {
        let python = std::env::var("TEST_PYTHON")
            .expect("TEST_PYTHON is not set: run the tests through scripts/test.sh");
        let port = free_port();
        let child = tokio::process::Command::new(python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("moto's S3 server starts");
        wait_for_port(port, Duration::from_secs(30)).await;
        let server = Self {
            _child: child,
            port,
            bucket: "ocpizza-backups".into(),
            prefix: "nightly".into(),
        };
        let created = reqwest::Client::new()
            .put(server.bucket_url())
            .send()
            .await
            .expect("bucket request");
        assert!(created.status().is_success(), "creating the bucket");
        server
    }

    fn bucket_url(&self) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, self.bucket)
    }

    /// The `backup.s3.*` settings pointing at this server, as environment variables.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "OCPIZZA_BACKUP__S3__ENDPOINT",
                format!("http://127.0.0.1:{}", self.port),
            ),
            ("OCPIZZA_BACKUP__S3__REGION", "eu-west-3".into()),
            ("OCPIZZA_BACKUP__S3__BUCKET", self.bucket.clone()),
            ("OCPIZZA_BACKUP__S3__PREFIX", self.prefix.clone()),
            ("OCPIZZA_BACKUP__S3__ACCESS_KEY", "test-access".into()),
            ("OCPIZZA_BACKUP__S3__SECRET_KEY", "test-secret".into()),
            ("OCPIZZA_BACKUP__S3__PATH_STYLE", "true".into()),
        ]
    }

    /// The same server as an `S3Config` (for `images.s3`).
    pub fn config(&self) -> ocpizza::config::S3Config {
        ocpizza::config::S3Config {
            endpoint: format!("http://127.0.0.1:{}", self.port),
            region: "eu-west-3".into(),
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
            access_key: "test-access".into(),
            secret_key: "test-secret".to_string().into(),
            path_style: true,
        }
    }

    /// The object stored under the prefix as `name`, if any (an authenticated GET: objects are
    /// private).
    pub async fn object(&self, name: &str) -> Option<Vec<u8>> {
        let credentials =
            s3::creds::Credentials::new(Some("test-access"), Some("test-secret"), None, None, None)
                .expect("credentials");
        let region = s3::Region::Custom {
            region: "eu-west-3".into(),
            endpoint: format!("http://127.0.0.1:{}", self.port),
        };
        let bucket = s3::Bucket::new(&self.bucket, region, credentials)
            .expect("bucket")
            .with_path_style();
        match bucket.get_object(format!("{}/{name}", self.prefix)).await {
            Ok(resp) => Some(resp.bytes().to_vec()),
            Err(s3::error::S3Error::HttpFailWithBody(404, _)) => None,
            Err(e) => panic!("S3 GET {name}: {e}"),
        }
    }

    /// Names of the objects under the prefix, sorted.
    pub async fn names(&self) -> Vec<String> {
        let url = format!("{}?list-type=2&prefix={}/", self.bucket_url(), self.prefix);
        let xml = reqwest::get(url)
            .await
            .expect("S3 list")
            .text()
            .await
            .expect("body");
        let mut names: Vec<String> = xml
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(|k| {
                k.trim_start_matches(&format!("{}/", self.prefix))
                    .to_string()
            })
            .collect();
        names.sort();
        names
    }
}
