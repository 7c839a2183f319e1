//! A real SMTP server for tests (aiosmtpd from PyPI, installed by scripts/test.sh): each test
//! starts its own on a free port and reads what it received.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use mailparse::MailHeaderMap;

pub struct SmtpServer {
    child: tokio::process::Child,
    pub port: u16,
    dir: PathBuf,
}

/// A received message, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: String,
    pub subject: String,
    pub text: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until something accepts connections on the port.
pub async fn wait_for_port(port: u16, within: Duration) {
    let deadline = Instant::now() + within;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

impl SmtpServer {
    pub async fn start() -> Self {
        let python = std::env::var("TEST_PYTHON")
            .expect("TEST_PYTHON is not set: run the tests through scripts/test.sh");
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("ocpizza-smtp-{}", uuid::Uuid::new_v4()));
        let child = tokio::process::Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("aiosmtpd starts");
        wait_for_port(port, Duration::from_secs(20)).await;
        Self { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return vec![];
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .filter_map(|raw| {
                let mail = mailparse::parse_mail(&raw).ok()?;
                let text = mail
                    .subparts
                    .iter()
                    .find(|p| p.ctype.mimetype == "text/plain")
                    .and_then(|p| p.get_body().ok())
                    .or_else(|| mail.get_body().ok())
                    .unwrap_or_default();
                Some(Received {
                    to: mail.headers.get_first_value("To").unwrap_or_default(),
                    subject: mail.headers.get_first_value("Subject").unwrap_or_default(),
                    text,
                })
            })
            .collect()
    }

    /// Waits (polling) until `n` messages have arrived; fails the test after `within`.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} messages after {within:?}: {messages:?}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
