//! The login page: both languages, the error after a wrong password, and a
//! keyboard-only login.

use super::support::{base, can_run, run_script, screenshot_dir, server};
use deling_testkit::PASSWORD;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_is_accessible_and_works_with_the_keyboard() {
    if can_run().is_none() {
        return;
    }
    let app = server(|_| {}).await;
    app.staff("kari", false).await;
    let shots = screenshot_dir("login");
    run_script(
        "staff-login.mjs",
        &[
            base(&app),
            shots.display().to_string(),
            "kari".into(),
            PASSWORD.into(),
        ],
    )
    .await;
}
