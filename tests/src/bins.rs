//! The real binaries, built by scripts/test.sh (`cargo build --workspace --bins`) into the same
//! target directory as the tests.

use std::path::PathBuf;
use std::process::Output;

/// Path of a workspace binary next to the test executable's directory.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target directory");
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} not found: build it first (cargo build --workspace --bins)",
        path.display()
    );
    path
}

/// Runs a binary to completion with only the given environment (plus PATH).
pub async fn run(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(bin(name));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.kill_on_drop(true);
    tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("{name} {args:?} did not finish within 60 s"))
        .expect("binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
