//! The dashboard, following, moderation and thread pages in Chromium:
//! both languages with zero axe violations (the following page also with
//! its form error shown), and a reply to a comment through the browser.

use super::support::{base, can_run, run_script, screenshot_dir, server};
use deling_domain::auth::Role;
use deling_store::{
    queries::{
        comment::PublicVisibility, comment::RemoteCommentData, remote_actor::RemoteActorData,
    },
    records::now,
};
use deling_testkit::{PASSWORD, id_of};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manage_pages_are_accessible_and_a_reply_works() {
    if can_run().is_none() {
        return;
    }
    let app = server(|_| {}).await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    // An instance admin on oslo's staff: the moderation page shows the
    // reports queue and the domain form too.
    let kari = app.staff("kari", true).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .unwrap();
    let token = app.token(&kari).await;
    let item = id_of(
        &app.create_item(
            &token,
            "oslo",
            &json!({"kind": "guide", "title": "Byggesak <b>steg for steg</b>", "summary": "Slik søker du",
                    "body": "Tekst", "language": "nb", "tags": [], "links": []}),
        )
        .await,
    );
    let eve = app
        .store
        .put_remote_actor(RemoteActorData {
            ap_id: "https://social.example/users/eve".into(),
            actor_type: "Person".into(),
            domain: "social.example".into(),
            preferred_username: Some("eve".into()),
            name: Some("Eve <i>Example</i>".into()),
            inbox: "https://social.example/users/eve/inbox".into(),
            shared_inbox: None,
            url: Some("https://social.example/@eve".into()),
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: false,
        })
        .await
        .unwrap();
    app.store
        .put_follower(oslo.id, eve.id, "https://social.example/follows/1")
        .await
        .unwrap();
    app.store
        .put_remote_comment(RemoteCommentData {
            ap_id: "https://social.example/notes/1".into(),
            item_id: item,
            in_reply_to_id: None,
            author_remote_actor_id: eve.id,
            content_html: "<p>Når kommer neste steg?</p>".into(),
            language: Some("nb".into()),
            published_at: now(),
            hidden: false,
            visibility: PublicVisibility::Public,
            content_warning: None,
            sensitive: false,
        })
        .await
        .unwrap();
    app.store
        .put_report(
            "https://social.example/flags/1",
            "https://social.example/users/moderator",
            "Spam",
            vec!["https://social.example/notes/2".into()],
        )
        .await
        .unwrap();
    let shots = screenshot_dir("manage");
    run_script(
        "staff-manage.mjs",
        &[
            base(&app),
            shots.display().to_string(),
            "kari".into(),
            PASSWORD.into(),
            item.to_string(),
        ],
    )
    .await;
}
