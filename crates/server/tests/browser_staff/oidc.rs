//! Single sign-on in the browser: the login page's button and the round
//! trip through a real OpenID Connect provider (oidc-provider, which the
//! script starts on loopback), and the refusal page; both languages.

use super::support::{base, browser_dir, can_run, run_script, screenshot_dir, server};
use deling_testkit::free_port;

const CLIENT_ID: &str = "deling-browser-test";
const CLIENT_SECRET: &str = "the browser test provider's client secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_sign_on_works_in_the_browser_and_its_pages_are_accessible() {
    if can_run().is_none() {
        return;
    }
    if !browser_dir().join("node_modules/oidc-provider").is_dir() {
        let why = "oidc-provider is not installed (run npm ci in browser/)";
        assert!(
            std::env::var_os("CI").is_none(),
            "the browser test cannot run: {why} (CI is set, so it may not be skipped)"
        );
        println!("skipping the browser test: {why}");
        return;
    }
    let provider_port = free_port();
    let app = server(|c| {
        c.auth.oidc.issuer = format!("http://127.0.0.1:{provider_port}");
        c.auth.oidc.client_id = CLIENT_ID.into();
        c.auth.oidc.client_secret = CLIENT_SECRET.into();
        c.auth.oidc.label = "Testporten".into();
    })
    .await;
    app.staff("kari", false).await;
    let shots = screenshot_dir("oidc");
    run_script(
        "staff-oidc.mjs",
        &[
            base(&app),
            shots.display().to_string(),
            provider_port.to_string(),
            CLIENT_ID.into(),
            CLIENT_SECRET.into(),
        ],
    )
    .await;
}
