//! The administration pages in a real browser: both languages, the
//! profile form with errors tied to their fields, the staff, federation
//! policy and audit log pages, all with zero axe violations.

use super::support::{base, can_run, run_script, screenshot_dir, server};
use deling_domain::auth::Role;
use deling_testkit::PASSWORD;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administration_pages_are_accessible() {
    if can_run().is_none() {
        return;
    }
    let app = server(|_| {}).await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let root = app.staff("root", true).await;
    app.store
        .put_membership(root.id, oslo.id, Role::Admin)
        .await
        .unwrap();
    app.staff_without_password("ola", false).await;
    let shots = screenshot_dir("admin");
    run_script(
        "staff-admin.mjs",
        &[
            base(&app),
            shots.display().to_string(),
            "root".into(),
            PASSWORD.into(),
            "oslo".into(),
        ],
    )
    .await;
}
