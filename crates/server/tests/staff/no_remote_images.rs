//! What staff pages must not give away or allow, checked as a browser
//! sees them: no picture from another server on the staff pages or the
//! public item page (loading one tells that server who reads the page,
//! when, and from where), an instance admin from outside an agency cannot
//! make themselves its staff through the pages, and a session's form
//! posts are rate limited as a token's requests are.

use deling_domain::{audience::Visibility, auth::Role};
use deling_store::{
    Store,
    queries::{
        comment::{PublicVisibility, RemoteCommentData},
        message::{Addressed, MessageCopy, RemoteMessageData},
        remote_actor::RemoteActorData,
    },
    records::{RemoteActor, now},
};
use deling_testkit::{TestApp, id_of};
use reqwest::StatusCode;
use serde_json::json;

const ICON: &str = "https://social.example/eve.png";

/// A store write beside the running server, tried again while SQLite is
/// busy with the server's own writes.
async fn retried<T, Fut>(mut write: impl FnMut() -> Fut) -> T
where
    Fut: std::future::Future<Output = Result<T, deling_store::StoreError>>,
{
    let start = std::time::Instant::now();
    loop {
        match write().await {
            Ok(v) => return v,
            Err(e) if start.elapsed() > deling_testkit::WAIT => panic!("{e}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

/// Eve on social.example, with a picture there.
async fn eve(store: &Store) -> RemoteActor {
    let data = RemoteActorData {
        ap_id: "https://social.example/users/eve".into(),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some("eve".into()),
        name: Some("eve".into()),
        inbox: "https://social.example/users/eve/inbox".into(),
        shared_inbox: None,
        url: Some("https://social.example/@eve".into()),
        icon_url: Some(ICON.into()),
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    };
    retried(|| store.put_remote_actor(data.clone())).await
}

/// Every `<img …>` tag of `html`.
fn images(html: &str) -> Vec<&str> {
    html.split("<img")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect()
}

fn assert_no_remote_image(html: &str, what: &str) {
    for img in images(html) {
        assert!(
            !img.contains("social.example"),
            "{what} loads a picture from another server: <img{img}>"
        );
    }
    assert!(!html.contains(ICON), "{what} names the picture: {html}");
    // In its place, her initial.
    assert!(
        html.contains("class=\"avatar\" aria-hidden=\"true\"") && html.contains(">E</span>"),
        "{what}: no placeholder: {html}"
    );
}

#[tokio::test]
async fn no_page_loads_a_picture_from_another_server() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Editor)
        .await
        .unwrap();
    let token = app.token(&kari).await;
    let item = id_of(
        &app.create_item(
            &token,
            "oslo",
            &json!({"kind": "guide", "title": "Byggesak", "summary": "Sammendrag",
                    "body": "Tekst", "language": "nb", "tags": [], "links": []}),
        )
        .await,
    );
    let store = &app.store;
    let eve = eve(store).await;
    let comment = RemoteCommentData {
        ap_id: "https://social.example/notes/1".into(),
        item_id: item,
        in_reply_to_id: None,
        author_remote_actor_id: eve.id,
        content_html: "<p>Offentlig innspill fra Eve</p>".into(),
        language: Some("nb".into()),
        published_at: now(),
        hidden: false,
        visibility: PublicVisibility::Public,
        content_warning: None,
        sensitive: false,
    };
    retried(|| store.put_remote_comment(comment.clone())).await;
    let message = RemoteMessageData {
        ap_id: "https://social.example/notes/dm1".into(),
        author_remote_actor_id: eve.id,
        in_reply_to: None,
        visibility: Visibility::Direct,
        content_warning: None,
        sensitive: false,
        content_html: "<p>Privat spørsmål fra Eve</p>".into(),
        language: Some("nb".into()),
        addressed: Addressed {
            to: vec![app.url("/agencies/oslo")],
            cc: vec![],
        },
        published_at: now(),
        held: false,
    };
    let to = [MessageCopy::unthreaded(oslo.id)];
    retried(|| store.put_remote_message(&to, message.clone())).await;

    let mut b = app.logged_in("kari").await;
    let inbox = b.page("/staff/agencies/oslo/messages").await;
    assert!(inbox.contains("Privat spørsmål fra Eve"), "{inbox}");
    assert_no_remote_image(&inbox, "the staff inbox");
    for path in [
        "/staff".to_owned(),
        format!("/staff/moderation/items/{item}"),
    ] {
        let html = b.page(&path).await;
        assert!(
            html.contains("Offentlig innspill fra Eve"),
            "{path}: {html}"
        );
        assert_no_remote_image(&html, &path);
    }

    let resp = app
        .client
        .get(app.url(&format!("/items/{item}")))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Offentlig innspill fra Eve"), "{html}");
    assert_no_remote_image(&html, "the public item page");
}

#[tokio::test]
async fn an_instance_admin_cannot_make_themselves_staff_through_the_pages() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let root = app.staff("root", true).await;
    let ola = app.staff_without_password("ola", false).await;
    let mut b = app.logged_in("root").await;
    let path = "/staff/admin/agencies/oslo/staff";

    for (action, role) in [("add", "admin"), ("role", "editor")] {
        let resp = b
            .post_form(
                path,
                path,
                &[("action", action), ("username", "root"), ("role", role)],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{action}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("kan ikke gi seg selv en rolle"),
            "{action}: {html}"
        );
    }
    assert_eq!(app.store.get_role(root.id, oslo.id).await.unwrap(), None);
    let resp = b.get("/staff/agencies/oslo/messages").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // Someone else, yes.
    let resp = b
        .post_form(
            path,
            path,
            &[("action", "add"), ("username", "ola"), ("role", "admin")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.get_role(ola.id, oslo.id).await.unwrap(),
        Some(Role::Admin)
    );
}

#[tokio::test]
async fn a_sessions_form_posts_are_rate_limited() {
    let app = TestApp::spawn_with(|c| c.limits.api_per_token_per_minute = 3).await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let kari = app.staff("kari", false).await;
    app.store
        .put_membership(kari.id, oslo.id, Role::Admin)
        .await
        .unwrap();
    let ola = app.staff_without_password("ola", false).await;
    let mut b = app.logged_in("kari").await;
    let path = "/staff/admin/agencies/oslo/staff";

    for role in ["editor", "admin", "editor"] {
        let resp = b
            .post_form(
                path,
                path,
                &[("action", "add"), ("username", "ola"), ("role", role)],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{role}");
    }
    let resp = b
        .post_form(
            path,
            path,
            &[("action", "role"), ("username", "ola"), ("role", "admin")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    assert!(resp.text().await.unwrap().contains("<html"));
    assert_eq!(
        app.store.get_role(ola.id, oslo.id).await.unwrap(),
        Some(Role::Editor),
        "the refused post changed nothing"
    );
    // Reading is not limited; another session has its own budget.
    b.page(path).await;
    let mut other = app.logged_in("kari").await;
    let resp = other
        .post_form(
            path,
            path,
            &[("action", "role"), ("username", "ola"), ("role", "admin")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}
