//! Running `pg_dump`, `pg_restore` and `psql` against the owner role's database. The password
//! goes through the environment, never the command line (visible to `ps`).

use std::path::PathBuf;
use std::process::Stdio;

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;

/// Where and as whom the tools connect.
#[derive(Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub database: String,
}

impl Target {
    pub fn from_url(url: &SecretString) -> anyhow::Result<Self> {
        let options: PgConnectOptions = url
            .expose_secret()
            .parse()
            .context("database.admin_url is not a PostgreSQL URL")?;
        let password = url::password_of(url.expose_secret());
        Ok(Self {
            host: options.get_host().to_string(),
            port: options.get_port(),
            user: options.get_username().to_string(),
            password,
            database: options.get_database().unwrap_or("postgres").to_string(),
        })
    }

    pub fn with_database(&self, database: &str) -> Self {
        Self {
            database: database.to_string(),
            ..self.clone()
        }
    }
}

mod url {
    /// The password of a `postgres://user:password@host/db` URL, percent-decoded.
    pub(crate) fn password_of(url: &str) -> Option<String> {
        let rest = url.split_once("://")?.1;
        let userinfo = rest.split_once('@')?.0;
        let raw = userinfo.split_once(':')?.1;
        let bytes = raw.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let Ok(b) =
                    u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?, 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8(out).ok()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn passwords_are_decoded() {
            assert_eq!(
                super::password_of("postgres://u:p%40ss%2Fw@h:5432/db").as_deref(),
                Some("p@ss/w")
            );
            assert_eq!(super::password_of("postgres://u@h/db"), None);
        }
    }
}

/// The PostgreSQL client tools.
#[derive(Clone)]
pub struct Tools {
    dir: Option<PathBuf>,
}

impl Tools {
    pub fn new(configured: Option<&str>) -> Self {
        let dir = configured.map(PathBuf::from).or_else(|| {
            let debian = PathBuf::from("/usr/lib/postgresql/15/bin");
            debian.join("pg_dump").is_file().then_some(debian)
        });
        Self { dir }
    }

    fn command(&self, tool: &str, target: &Target) -> tokio::process::Command {
        let program = self
            .dir
            .as_ref()
            .map_or_else(|| PathBuf::from(tool), |d| d.join(tool));
        let mut cmd = tokio::process::Command::new(program);
        cmd.env("PGHOST", &target.host)
            .env("PGPORT", target.port.to_string())
            .env("PGUSER", &target.user)
            .env("PGDATABASE", &target.database)
            .env("PGAPPNAME", "ocpizza-backup")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        match &target.password {
            Some(p) => cmd.env("PGPASSWORD", p),
            None => cmd.env_remove("PGPASSWORD"),
        };
        cmd
    }

    /// Runs a tool to completion; its stderr becomes the error.
    pub async fn run(&self, tool: &str, target: &Target, args: &[&str]) -> anyhow::Result<Vec<u8>> {
        let output = self
            .command(tool, target)
            .args(args)
            .output()
            .await
            .with_context(|| {
                format!("running {tool} (is PostgreSQL's client installed? backup.pg_bin_dir)")
            })?;
        if !output.status.success() {
            bail!(
                "{tool} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(output.stdout)
    }

    /// `psql` reading a script from stdin, all of it in one transaction.
    pub(crate) async fn psql_script(&self, target: &Target, script: &[u8]) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut child = self
            .command("psql", target)
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "-f",
                "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("running psql")?;
        let mut stdin = child.stdin.take().context("psql stdin")?;
        stdin.write_all(script).await.context("feeding psql")?;
        drop(stdin);
        let output = child.wait_with_output().await.context("waiting for psql")?;
        if !output.status.success() {
            bail!(
                "the restore failed and was rolled back: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }

    pub async fn version(&self, tool: &str) -> String {
        let target = Target {
            host: String::new(),
            port: 0,
            user: String::new(),
            password: None,
            database: String::new(),
        };
        self.run(tool, &target, &["--version"])
            .await
            .map(|o| String::from_utf8_lossy(&o).trim().to_string())
            .unwrap_or_default()
    }
}
