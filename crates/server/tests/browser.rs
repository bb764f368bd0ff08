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

#[path = "browser_staff/support.rs"]
#[allow(dead_code)]
mod browser_support;

use browser_support::{can_run, run_script, screenshot_dir};
use deling_testkit::free_port;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sees_accessible_pages_in_both_languages() {
    if can_run().is_none() {
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
    // Every kind has a live page to check: the scene's software item is
    // withdrawn below, so a second one, a service and a question join it.
    let mut more = vec![];
    for body in [
        serde_json::json!({
            "kind": "software", "title": "Skjemamotor 3", "summary": "Skjemaer for innbyggere.",
            "body": "", "language": "nb", "tags": [], "license": "EUPL-1.2", "links": [],
            "metadata": {"repository_url": "https://github.com/oslokommune/skjema",
                "development_status": "beta", "software_version": "3.0.0"}
        }),
        serde_json::json!({
            "kind": "service", "title": "Søk om byggetillatelse", "summary": "Søk digitalt.",
            "body": "Slik søker du.", "language": "nb", "tags": ["byggesak"], "links": [],
            "metadata": {"service_url": "https://www.oslo.kommune.no/sok", "audience": "innbyggere"}
        }),
        serde_json::json!({
            "kind": "question", "title": "Har noen løst digital nabovarsling?",
            "summary": "Vi ser etter erfaringer.", "body": "", "language": "nb",
            "tags": ["byggesak"], "links": [], "metadata": {}
        }),
    ] {
        let item = s.app.create_item(&s.token, "oslo", &body).await;
        more.push(item["id"].as_i64().unwrap());
    }
    let gone = s.app.delete_item(&s.token, s.software).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);

    let pages = serde_json::json!([
        ["/", 200],
        ["/?kind=dataset", 200],
        ["/agencies/oslo", 200],
        [format!("/items/{}", s.guide), 200],
        [format!("/items/{}", s.dataset), 200],
        [format!("/items/{}", s.event), 200],
        [format!("/items/{}", more[0]), 200],
        [format!("/items/{}", more[1]), 200],
        [format!("/items/{}", more[2]), 200],
        ["/tags/plan", 200],
        ["/search?q=bysykkel", 200],
        ["/search?q=%22open", 400],
        [format!("/items/{}", s.software), 410],
        ["/items/99999", 404],
    ]);
    let shots = screenshot_dir("public");
    let base = format!("http://localhost:{port}");
    let stdout = run_script(
        "visit.mjs",
        &[base, shots.display().to_string(), pages.to_string()],
    )
    .await;
    assert!(stdout.contains("\"failures\":0"), "{stdout}");
}
