//! The item pages in a real browser: publishing a dataset with two
//! distributions (after the form's errors and a preview), finding it on
//! the agency page, editing, pinning and withdrawing it, in bokmål and
//! English with axe on every page; and the item form with the keyboard
//! alone.

use super::support::{base, can_run, run_script, screenshot_dir, server};
use deling_domain::auth::Role;
use deling_testkit::PASSWORD;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_item_pages_are_accessible_and_work_with_the_keyboard() {
    if can_run().is_none() {
        return;
    }
    let app = server(|_| {}).await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .unwrap();
    // Another agency's item, to share.
    let bergen = app.agency("bergen", "Bergen kommune").await;
    let token = app.editor_of("berit", &bergen).await;
    app.create_item(
        &token,
        "bergen",
        &serde_json::json!({"kind": "guide", "title": "Digital byggesak", "language": "nb"}),
    )
    .await;
    let shots = screenshot_dir("items");
    let out = run_script(
        "staff-items.mjs",
        &[
            base(&app),
            shots.display().to_string(),
            "kari".into(),
            PASSWORD.into(),
            "oslo".into(),
        ],
    )
    .await;
    assert!(out.contains("\"keyboard\""), "{out}");
}
