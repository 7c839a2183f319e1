//! The real `ocpizza-worker` process against a test database.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::bins::bin;
use crate::db::TestDb;

/// A cron expression whose next tick is decades away.
pub const NEVER: &str = "0 0 0 1 1 * 2099";

pub struct WorkerProcess {
    child: tokio::process::Child,
    pub log: PathBuf,
}

/// Starts a worker sending mail to `smtp_url`; returns once it runs. `extra` adds or overrides
/// environment variables (schedules, for instance).
pub async fn spawn_worker(db: &TestDb, smtp_url: &str, extra: &[(&str, &str)]) -> WorkerProcess {
    let log = std::env::temp_dir().join(format!("ocpizza-worker-{}.log", uuid::Uuid::new_v4()));
    let file = std::fs::File::create(&log).expect("log file");
    let mut cmd = tokio::process::Command::new(bin("ocpizza-worker"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("OCPIZZA_DATABASE__ADMIN_URL", &db.owner_url)
        .env("OCPIZZA_EMAIL__SMTP_URL", smtp_url)
        .env("OCPIZZA_WORKER__HTTP_PORT", "0")
        .env("OCPIZZA_WORKER__HEARTBEAT_SECS", "1")
        .env("OCPIZZA_WORKER__RETRY_BACKOFF_MS", "20")
        .env("OCPIZZA_WORKER__SHUTDOWN_TIMEOUT_SECS", "2")
        .env("OCPIZZA_LOG__LEVEL", "info,apalis_core=warn")
        .env("OCPIZZA_LOG__FORMAT", "json");
    // No schedule fires by accident (an hourly check caught up at 10 past, a backup at 03:00):
    // a test that wants one sets it in `extra`.
    for schedule in ["BACKUP", "DRILL", "STOCK_CHECK", "PRUNE"] {
        cmd.env(format!("OCPIZZA_WORKER__SCHEDULES__{schedule}"), NEVER);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::from(file.try_clone().expect("log file")))
        .stderr(Stdio::from(file))
        .kill_on_drop(true)
        .spawn()
        .expect("ocpizza-worker starts");
    let worker = WorkerProcess { child, log };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !worker.log_text().contains("worker started") {
        assert!(
            Instant::now() < deadline,
            "the worker did not start:\n{}",
            worker.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker
}

impl WorkerProcess {
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no chance to finish or release anything.
    pub async fn kill_hard(mut self) {
        self.child.kill().await.expect("kill -9");
    }

    /// The base URL of its health and metrics server (it prints `healthz on ADDR` at start).
    pub fn http_base(&self) -> String {
        let log = self.log_text();
        let addr = log
            .lines()
            .find_map(|l| l.strip_prefix("healthz on "))
            .expect("the worker printed its health address");
        format!("http://{}", addr.trim().trim_start_matches("socket://"))
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_file(&self.log);
    }
}
