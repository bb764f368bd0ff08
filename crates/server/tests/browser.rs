//! The public pages in a real browser: headless Chromium, driven by
//! `browser/visit.mjs` (playwright-core), opens every page type in
//! bokmål and English, checks that the first Tab shows the skip link with
//! a focus ring and that axe finds no WCAG 2.0/2.1 A or AA violation,
//! takes a screenshot of each (into a folder it prints), and walks from
//! the front page to an item, its tag and the tag's Atom feed.
//!
//! It needs `npm ci` in `browser/` and Chromium (`/usr/bin/chromium`, from
//! Debian's `chromium` package, or `$CHROMIUM`). Without them the test is
//! skipped with a note, unless `CI` is set, where that is a failure
//! (`.ci/run` installs both).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "pages/support.rs"]
#[allow(dead_code)]
mod support;

use deling_testkit::free_port;
use reqwest::StatusCode;
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

/// The whole visit must be over by then.
const TOTAL: Duration = Duration::from_secs(180);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../browser")
        .canonicalize()
        .expect("the browser directory")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Why the browser cannot run here, if it cannot.
fn missing_prerequisite(dir: &Path) -> Option<String> {
    if !dir.join("node_modules/.bin/node").is_file() {
        return Some("no node_modules in browser/ (run npm ci there)".into());
    }
    if !dir.join("node_modules/playwright-core").is_dir() {
        return Some("playwright-core is not installed (run npm ci in browser/)".into());
    }
    if !chromium().is_file() {
        return Some(format!(
            "no Chromium at {} (apt-get install chromium, or set CHROMIUM)",
            chromium().display()
        ));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sees_accessible_pages_in_both_languages() {
    let dir = browser_dir();
    if let Some(reason) = missing_prerequisite(&dir) {
        if std::env::var_os("CI").is_some() {
            panic!("the browser test cannot run: {reason} (CI is set, so it may not be skipped)");
        }
        println!("skipping the browser test: {reason}");
        return;
    }
    // The browser follows the pages' absolute links, so the server's
    // domain must be where it listens.
    let port = free_port();
    let s = support::scene_with(|c| {
        c.bind = format!("127.0.0.1:{port}");
        c.domain = format!("localhost:{port}");
    })
    .await;
    let pin = format!("/api/v1/items/{}/pin", s.event);
    let resp = s
        .app
        .client
        .post(s.app.url(&pin))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let gone = s.app.delete_item(&s.token, s.software).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);

    let pages = serde_json::json!([
        ["/", 200],
        ["/?kind=dataset", 200],
        ["/agencies/oslo", 200],
        [format!("/items/{}", s.guide), 200],
        [format!("/items/{}", s.dataset), 200],
        [format!("/items/{}", s.event), 200],
        ["/tags/plan", 200],
        ["/search?q=bysykkel", 200],
        ["/search?q=%22open", 400],
        [format!("/items/{}", s.software), 410],
        ["/items/99999", 404],
    ]);
    let shots = tempfile::Builder::new()
        .prefix("deling-screenshots-")
        .tempdir()
        .unwrap()
        .keep();
    println!("screenshots: {}", shots.display());
    let base = format!("http://localhost:{port}");
    let child = tokio::process::Command::new(dir.join("node_modules/.bin/node"))
        .arg("visit.mjs")
        .arg(&base)
        .arg(&shots)
        .arg(pages.to_string())
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
        .expect("the visit to end in time")
        .expect("the visit's output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "the browser found problems:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("\"failures\":0"), "{stdout}");
}
