//! Running one browser script against a server, and what it needs.

use deling_testkit::{TestApp, free_port};
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

/// A script must be over by then.
const TOTAL: Duration = Duration::from_secs(240);

/// `browser/`, where the scripts and their npm packages are.
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../browser")
        .canonicalize()
        .expect("the browser directory")
}

/// The Chromium to drive.
pub fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// `Some(())` when the browser can run here; otherwise a note and `None`,
/// or a panic when `CI` is set (CI must not skip it).
pub fn can_run() -> Option<()> {
    let dir = browser_dir();
    let reason = if !dir.join("node_modules/.bin/node").is_file() {
        Some("no node_modules in browser/ (run npm ci there)".to_owned())
    } else if !dir.join("node_modules/playwright-core").is_dir() {
        Some("playwright-core is not installed (run npm ci in browser/)".to_owned())
    } else if !chromium().is_file() {
        Some(format!(
            "no Chromium at {} (apt-get install chromium, or set CHROMIUM)",
            chromium().display()
        ))
    } else {
        None
    };
    match reason {
        None => Some(()),
        Some(r) if std::env::var_os("CI").is_some() => {
            panic!("the browser test cannot run: {r} (CI is set, so it may not be skipped)")
        }
        Some(r) => {
            println!("skipping the browser test: {r}");
            None
        }
    }
}

/// A server whose public address is where it listens (the browser follows
/// the pages' absolute links), with `tweak` applied to its configuration.
pub async fn server(tweak: impl FnOnce(&mut deling::config::Config)) -> TestApp {
    let port = free_port();
    TestApp::spawn_with(|c| {
        c.bind = format!("127.0.0.1:{port}");
        c.domain = format!("localhost:{port}");
        tweak(c);
    })
    .await
}

/// The base URL a browser uses for `app`.
pub fn base(app: &TestApp) -> String {
    app.base.replace("127.0.0.1", "localhost")
}

/// A new folder for screenshots, kept after the test and printed.
pub fn screenshot_dir(area: &str) -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix(&format!("deling-screenshots-{area}-"))
        .tempdir()
        .unwrap()
        .keep();
    println!("screenshots: {}", dir.display());
    dir
}

/// Runs `node browser/SCRIPT args...`, prints what it printed, and fails
/// the test unless it exits 0 and reports no failures.
pub async fn run_script(script: &str, args: &[String]) -> String {
    let dir = browser_dir();
    let child = tokio::process::Command::new(dir.join("node_modules/.bin/node"))
        .arg(script)
        .args(args)
        .env("CHROMIUM", chromium())
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start node");
    let out = tokio::time::timeout(TOTAL, child.wait_with_output())
        .await
        .expect("the script to end in time")
        .expect("the script's output");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the browser found problems:\n{stdout}\n{stderr}"
    );
    assert!(!stdout.contains("\"failure\""), "{stdout}");
    stdout
}
