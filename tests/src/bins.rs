//! The real binaries, built by scripts/test.sh (`cargo build --workspace --bins`) into the same
//! target directory as the tests.

use std::path::PathBuf;
use std::process::Output;

/// Path of a workspace binary next to the test executable's directory.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // Tests run from target/<profile>/deps, tools (benchmarks) from target/<profile>.
    let dirs: Vec<PathBuf> = exe.ancestors().skip(1).take(2).map(PathBuf::from).collect();
    let found = dirs.iter().map(|d| d.join(name)).find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "{name} not found next to {}: build it first (cargo build --workspace --bins)",
            exe.display()
        )
    })
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
