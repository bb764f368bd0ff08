//! The dashboard, the following page and comment moderation, over real
//! HTTP as a browser uses them: each dashboard section with real data and
//! only the staff member's own agencies; following a real peer instance
//! by handle and unfollowing it; replying, editing, hiding, deleting,
//! blocking and reporting, each seen on the public item page; reports
//! resolved and domains blocked by instance administrators; refusals that
//! change nothing; markup from remote authors and typed text shown as
//! text on every page.

use deling_domain::{
    audience::Visibility,
    auth::{Password, Role, Username},
};
use deling_store::{
    Store,
    queries::{
        comment::{PublicVisibility, RemoteCommentData},
        delivery::NewDelivery,
        message::{Addressed, MessageCopy, RemoteMessageData},
        remote_actor::RemoteActorData,
        remote_item::RemoteItemData,
    },
    records::{Agency, RemoteActor, now},
};
use deling_testkit::{
    PASSWORD, TestApp, eventually, id_of, instance::Instance, web::Browser, web::input_value,
};
use reqwest::StatusCode;
use serde_json::json;

/// Markup typed or sent by someone else.
const MARKUP: &str = "<script>alert(1)</script>";
/// How it reads once escaped (after [`named`]).
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

/// `html` with askama's numeric references as named ones, so assertions
/// read plainly (neither is markup).
fn named(html: &str) -> String {
    html.replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#34;", "&quot;")
        .replace("&#38;", "&amp;")
        .replace("&#39;", "&apos;")
}

fn assert_escaped(html: &str, what: &str) {
    let html = named(html);
    assert!(
        !html.contains(MARKUP),
        "{what}: markup came through: {html}"
    );
    assert!(
        html.contains(ESCAPED),
        "{what}: the text is missing: {html}"
    );
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A staff account with the test password on `store`, on the staff of
/// `agency` (if any) as an editor.
async fn staff_on(store: &Store, name: &str, agency: Option<&Agency>, admin: bool) {
    let hash = tokio::task::spawn_blocking(|| Password::parse(PASSWORD).unwrap().hash())
        .await
        .unwrap();
    let staff = store
        .put_staff(&Username::parse(name).unwrap(), hash, admin)
        .await
        .unwrap();
    if let Some(a) = agency {
        store
            .put_membership(staff.id, a.id, Role::Editor)
            .await
            .unwrap();
    }
}

/// A remote person on social.example whose name carries markup.
async fn remote(store: &Store, name: &str) -> RemoteActor {
    let data = RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: Some(format!("{name} {MARKUP}")),
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: None,
        url: Some(format!("https://social.example/@{name}")),
        icon_url: Some(format!("https://social.example/{name}.png")),
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    };
    retried(|| store.put_remote_actor(data.clone())).await
}

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

/// A public comment by `author` on `item_id`.
async fn comment_by(store: &Store, item_id: i64, author: &RemoteActor, n: u32, html: &str) -> i64 {
    let data = RemoteCommentData {
        ap_id: format!("https://social.example/notes/{n}"),
        item_id,
        in_reply_to_id: None,
        author_remote_actor_id: author.id,
        content_html: html.into(),
        language: Some("nb".into()),
        published_at: now(),
        hidden: false,
        visibility: PublicVisibility::Public,
        content_warning: Some(format!("Advarsel {MARKUP}")),
        sensitive: false,
    };
    retried(|| store.put_remote_comment(data.clone())).await.id
}

/// A server with `oslo` (kari edits it; an item and Eve's comment on it)
/// and `bergen` (ola edits it; an item of its own).
struct Scene {
    app: TestApp,
    oslo: Agency,
    item: i64,
    bergen_item: i64,
    eve: RemoteActor,
    comment: i64,
}

async fn scene() -> Scene {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", &format!("Oslo {MARKUP}")).await;
    let bergen = app.agency("bergen", "Bergen kommune").await;
    staff_on(&app.store, "kari", Some(&oslo), false).await;
    staff_on(&app.store, "ola", Some(&bergen), false).await;
    let kari = app
        .store
        .get_staff_by_username("kari")
        .await
        .unwrap()
        .unwrap();
    let token = app.token(&kari).await;
    let body = |title: String| {
        json!({"kind": "guide", "title": title, "summary": "Sammendrag", "body": "Tekst",
               "language": "nb", "tags": [], "links": []})
    };
    let item = id_of(
        &app.create_item(&token, "oslo", &body(format!("Byggesak {MARKUP}")))
            .await,
    );
    let ola = app
        .store
        .get_staff_by_username("ola")
        .await
        .unwrap()
        .unwrap();
    let ola_token = app.token(&ola).await;
    let bergen_item = id_of(
        &app.create_item(&ola_token, "bergen", &body("Bergens hemmelige plan".into()))
            .await,
    );
    let eve = remote(&app.store, "eve").await;
    let comment = comment_by(&app.store, item, &eve, 1, "<p>Nyttig innspill fra Eve</p>").await;
    Scene {
        app,
        oslo,
        item,
        bergen_item,
        eve,
        comment,
    }
}

#[tokio::test]
async fn the_dashboard_shows_each_section_for_the_staff_members_own_agencies() {
    let s = scene().await;
    let store = &s.app.store;
    // A follower, an account oslo follows with an item of its own, a
    // delivery that failed, and a private message.
    let fan = remote(store, "fan").await;
    retried(|| store.put_follower(s.oslo.id, fan.id, "https://social.example/follows/1")).await;
    let nav = remote(store, "nav").await;
    retried(|| store.put_following(s.oslo.id, nav.id, "http://deling.test/activities/follow/x"))
        .await;
    retried(|| store.set_following_state(s.oslo.id, nav.id, None, "accepted")).await;
    let t = now();
    let followed = RemoteItemData {
        ap_id: "https://social.example/items/9".into(),
        remote_actor_id: nav.id,
        kind: "guide".into(),
        title: format!("Navs veileder {MARKUP}"),
        summary: "Om dagpenger".into(),
        body: String::new(),
        body_html: String::new(),
        language: "nb".into(),
        license: None,
        tags: vec![],
        links: vec![],
        metadata: json!({}),
        based_on: None,
        url: Some("https://social.example/items/9".into()),
        published_at: t,
        updated_at: t,
    };
    retried(|| store.put_remote_item(followed.clone())).await;
    retried(|| {
        store.put_deliveries(vec![NewDelivery {
            activity_id: "http://deling.test/activities/create/failing".into(),
            agency_id: Some(s.oslo.id),
            inbox: "https://down.example/inbox".into(),
            host: "down.example".into(),
            body: "{}".into(),
        }])
    })
    .await;
    // The server's worker may try it first; either way it fails (no such
    // host), else the test fails it here.
    eventually("the delivery to fail once", async || {
        let failing = store.list_failing_deliveries(s.oslo.id, 5).await.unwrap();
        if !failing.is_empty() {
            return Ok(());
        }
        let lease = now() + chrono::Duration::seconds(60);
        for d in store
            .claim_deliveries("test", 50, lease)
            .await
            .unwrap_or_default()
        {
            let next = now() + chrono::Duration::hours(1);
            store
                .retry_delivery(d.id, "HTTP 503 from down.example", next)
                .await
                .ok();
        }
        Err("not yet".to_owned())
    })
    .await;
    let message = RemoteMessageData {
        ap_id: "https://social.example/notes/dm1".into(),
        author_remote_actor_id: fan.id,
        in_reply_to: None,
        visibility: Visibility::Direct,
        content_warning: None,
        sensitive: false,
        content_html: "<p>Privat spørsmål fra Fan</p>".into(),
        language: Some("nb".into()),
        addressed: Addressed {
            to: vec![s.app.url("/agencies/oslo")],
            cc: vec![],
        },
        published_at: now(),
        held: false,
    };
    let to = [MessageCopy::unthreaded(s.oslo.id)];
    retried(|| store.put_remote_message(&to, message.clone())).await;

    let mut kari = s.app.logged_in("kari").await;
    let html = named(&kari.page("/staff").await);
    for expected in [
        "Oversikt",
        &format!("href=\"/staff/items/{}/edit\"", s.item),
        "href=\"/staff/agencies/oslo/items/new\"",
        "href=\"/staff/agencies/oslo/items\"",
        "href=\"/staff/agencies/oslo/following\"",
        "Nyttig innspill fra Eve",
        &format!("/staff/moderation/items/{}#comment-{}", s.item, s.comment),
        "@fan@social.example",
        "Navs veileder",
        "https://social.example/items/9",
        "down.example",
        "HTTP 503 from down.example",
        "Én privat melding",
        "href=\"/staff/agencies/oslo/messages\"",
        "aria-current=\"page\"",
    ] {
        assert!(html.contains(expected), "{expected} missing: {html}");
    }
    // Only kari's agency: nothing of bergen's.
    assert!(!html.contains("Bergen kommune"), "{html}");
    assert!(!html.contains("Bergens hemmelige plan"), "{html}");
    assert!(!html.contains(&format!("/staff/items/{}/edit", s.bergen_item)));
    for (what, html) in [
        ("dashboard", html.clone()),
        ("dashboard in English", kari.page("/staff?lang=en").await),
    ] {
        assert_escaped(&html, what);
        assert!(!named(&html).contains(&format!("Oslo {MARKUP}")), "{what}");
    }
    assert!(named(&kari.page("/staff?lang=en").await).contains("One private message"));

    // The messages are hers to read; not an instance admin's.
    let html = named(&kari.page("/staff/agencies/oslo/messages").await);
    assert!(html.contains("Privat spørsmål fra Fan"), "{html}");
    assert_escaped(&html, "messages");
    staff_on(store, "root", None, true).await;
    let mut root = s.app.logged_in("root").await;
    let resp = root.get("/staff/agencies/oslo/messages").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(!resp.text().await.unwrap().contains("Privat spørsmål"));
    // With no agency of their own, the admin is pointed to administration.
    let html = root.page("/staff").await;
    assert!(html.contains("href=\"/staff/admin\""), "{html}");
    assert!(!html.contains("Privat spørsmål"));

    // No session: to the login page, then back.
    let resp = s.app.browser().get("/staff").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), "/login?next=%2Fstaff");
}

/// The comment's text as the public item page shows it, if it does.
async fn public_page(app: &TestApp, item: i64) -> String {
    let resp = app
        .client
        .get(app.url(&format!("/items/{item}")))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    named(&resp.text().await.unwrap())
}

#[tokio::test]
async fn held_messages_wait_on_their_own_page_until_released() {
    let s = scene().await;
    let store = &s.app.store;
    let loud = remote(store, "loud").await;
    let note = |n: u32, text: &str, held: bool| RemoteMessageData {
        ap_id: format!("https://social.example/notes/held-{n}"),
        author_remote_actor_id: loud.id,
        in_reply_to: None,
        visibility: Visibility::Direct,
        content_warning: None,
        sensitive: false,
        content_html: format!("<p>{text}</p>"),
        language: Some("nb".into()),
        addressed: Addressed {
            to: vec![s.app.url("/agencies/oslo")],
            cc: vec![],
        },
        published_at: now(),
        held,
    };
    let to = [MessageCopy::unthreaded(s.oslo.id)];
    retried(|| store.put_remote_message(&to, note(1, "Vanlig melding", false))).await;
    let held = retried(|| store.put_remote_message(&to, note(2, "Tilbakeholdt reklame", true)))
        .await[0]
        .id;

    // The inbox and the dashboard leave it out, and point to it.
    let mut kari = s.app.logged_in("kari").await;
    let inbox = "/staff/agencies/oslo/messages";
    let held_page = "/staff/agencies/oslo/messages/held";
    let html = kari.page(inbox).await;
    assert!(html.contains("Vanlig melding"), "{html}");
    assert!(!html.contains("Tilbakeholdt reklame"), "{html}");
    assert!(html.contains(&format!("href=\"{held_page}\"")), "{html}");
    assert!(html.contains("Én melding fra en dempet tjener"), "{html}");
    let html = kari.page("/staff").await;
    assert!(html.contains("Én privat melding"), "{html}");

    // On the held page, with its buttons; not for an admin off oslo's staff.
    let html = kari.page(held_page).await;
    assert!(html.contains("Tilbakeholdt reklame"), "{html}");
    assert!(!html.contains("Vanlig melding"), "{html}");
    let release = format!("{inbox}/{held}/release");
    assert!(html.contains(&format!("action=\"{release}\"")), "{html}");
    staff_on(store, "root", None, true).await;
    let mut root = s.app.logged_in("root").await;
    let resp = root.get(held_page).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(!resp.text().await.unwrap().contains("Tilbakeholdt"));
    let csrf = root.csrf("/staff").await;
    let resp = root.post_raw(&release, &[("csrf", &csrf)]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // Released by kari: in the inbox, counted, and the held page is empty.
    let resp = kari.post_form(held_page, &release, &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("{held_page}?done=released"));
    let html = kari.page(&location(&resp)).await;
    assert!(html.contains("Meldingen er sluppet gjennom"), "{html}");
    assert!(!html.contains("Tilbakeholdt reklame"), "{html}");
    let html = kari.page(inbox).await;
    assert!(html.contains("Tilbakeholdt reklame"), "{html}");
    assert!(!html.contains(&format!("href=\"{held_page}\"")), "{html}");
    assert!(kari.page("/staff").await.contains("2 private meldinger"));

    // Another held one, deleted from the held page: gone from both.
    let gone = retried(|| store.put_remote_message(&to, note(3, "Slett meg", true))).await[0].id;
    let resp = kari
        .post_form(held_page, &format!("{inbox}/{gone}/delete"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let html = kari.page(&location(&resp)).await;
    assert!(html.contains("Meldingen er slettet"), "{html}");
    assert!(!html.contains("Slett meg"), "{html}");
    assert!(!kari.page(inbox).await.contains("Slett meg"));
}

#[tokio::test]
async fn replies_edits_and_moderation_show_on_the_public_page() {
    let s = scene().await;
    let store = &s.app.store;
    let thread = format!("/staff/moderation/items/{}", s.item);
    let mut kari = s.app.logged_in("kari").await;
    let html = kari.page(&thread).await;
    assert!(html.contains("Nyttig innspill fra Eve"), "{html}");
    assert!(html.contains("@eve@social.example"), "{html}");
    assert_escaped(&html, "thread");
    let html = kari.page("/staff/moderation").await;
    assert!(html.contains("Nyttig innspill fra Eve"), "{html}");
    assert!(!html.contains("Bergens hemmelige plan"));
    assert_escaped(&html, "moderation");

    // An empty reply: the form again, 422, with the error at the field.
    let reply = format!("{thread}/reply");
    let in_reply = s.comment.to_string();
    let resp = kari
        .post_form(
            &thread,
            &reply,
            &[("in_reply_to", &in_reply), ("body", "  ")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    let field = format!("reply-{}", s.comment);
    assert!(
        html.contains(&format!("aria-describedby=\"{field}-error\"")),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    assert!(html.contains(&format!("href=\"#{field}-text\"")), "{html}");

    // A reply as the agency, with markup typed into it.
    let typed = format!("Takk for innspillet, Eve! {MARKUP}");
    let resp = kari
        .post_form(
            &thread,
            &reply,
            &[("in_reply_to", &in_reply), ("body", &typed)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&resp).contains("done=replied"),
        "{}",
        location(&resp)
    );
    let public = public_page(&s.app, s.item).await;
    assert!(public.contains("Takk for innspillet, Eve!"), "{public}");
    assert!(!public.contains(MARKUP), "{public}");
    let html = kari.page(&location(&resp)).await;
    assert!(html.contains("Svaret er publisert"), "{html}");
    assert!(!named(&html).contains(MARKUP));

    // Edit it: the form holds its Markdown; the change is public.
    let own = store
        .list_comments(s.item)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.ap_id.is_none())
        .expect("the agency's reply")
        .id;
    let edit = format!("/staff/moderation/comments/{own}/edit");
    let html = named(&kari.page(&edit).await);
    assert!(html.contains("Takk for innspillet, Eve!"), "{html}");
    assert!(html.contains(ESCAPED), "{html}");
    let resp = kari
        .post_form(&edit, &edit, &[("body", "Oppdatert svar fra Oslo")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let public = public_page(&s.app, s.item).await;
    assert!(public.contains("Oppdatert svar fra Oslo"), "{public}");

    // Hide Eve's comment: gone from the public page, marked for staff;
    // shown again after.
    let back = ("back", thread.as_str());
    let hide = format!("/staff/moderation/comments/{}/hide", s.comment);
    let resp = kari.post_form(&thread, &hide, &[back]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with(&format!("{thread}?done=hidden")));
    assert!(
        !public_page(&s.app, s.item)
            .await
            .contains("Nyttig innspill fra Eve")
    );
    let html = kari.page(&thread).await;
    assert!(html.contains("Skjult"), "{html}");
    assert!(html.contains("Nyttig innspill fra Eve"));
    let unhide = format!("/staff/moderation/comments/{}/unhide", s.comment);
    let resp = kari.post_form(&thread, &unhide, &[back]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        public_page(&s.app, s.item)
            .await
            .contains("Nyttig innspill fra Eve")
    );

    // Report it to Eve's server: an empty reason is refused at the field.
    let report = format!("/staff/moderation/comments/{}/report", s.comment);
    let resp = kari
        .post_form(&thread, &report, &[back, ("reason", "")])
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains(&format!("report-{}-error", s.comment)),
        "{html}"
    );
    let resp = kari
        .post_form(&thread, &report, &[back, ("reason", "Spam")])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let audit = store.list_audit(20, 0).await.unwrap();
    assert!(
        audit.iter().any(|a| a.action == "comment.report"),
        "{audit:?}"
    );

    // Delete the agency's own comment.
    let delete = format!("/staff/moderation/comments/{own}/delete");
    let resp = kari.post_form(&thread, &delete, &[back]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        !public_page(&s.app, s.item)
            .await
            .contains("Oppdatert svar fra Oslo")
    );

    // Block Eve: blocked for oslo alone (an editor's block is not the
    // instance's), her comment hidden.
    let block = format!("/staff/moderation/comments/{}/block-author", s.comment);
    let resp = kari.post_form(&thread, &block, &[back]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(!store.is_actor_blocked(&s.eve.ap_id).await.unwrap());
    assert!(
        store
            .is_blocked_by_agency(s.oslo.id, &s.eve.ap_id)
            .await
            .unwrap()
    );
    assert!(
        !public_page(&s.app, s.item)
            .await
            .contains("Nyttig innspill fra Eve")
    );

    // The moderation page lists the block, and lifts it.
    let html = kari.get("/staff/moderation").await.text().await.unwrap();
    assert!(html.contains("blocks-h"), "{html}");
    assert!(html.contains(&s.eve.ap_id), "{html}");
    let resp = kari
        .post_form(
            "/staff/moderation",
            "/staff/moderation/blocks/remove",
            &[("agency", "oslo"), ("actor", &s.eve.ap_id)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        !store
            .is_blocked_by_agency(s.oslo.id, &s.eve.ap_id)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn another_agencys_editor_cannot_lift_its_block() {
    let s = scene().await;
    retried(|| {
        s.app.store.put_agency_block(
            s.oslo.id,
            &s.eve.ap_id,
            Some("test"),
            "https://b.example/activities/undo/1",
            None,
        )
    })
    .await;
    let mut ola = s.app.logged_in("ola").await;
    let html = ola.get("/staff/moderation").await.text().await.unwrap();
    assert!(
        !html.contains(&s.eve.ap_id),
        "bergen's editor sees oslo's blocks: {html}"
    );
    let resp = ola
        .post_form(
            "/staff/moderation",
            "/staff/moderation/blocks/remove",
            &[("agency", "oslo"), ("actor", &s.eve.ap_id)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        s.app
            .store
            .is_blocked_by_agency(s.oslo.id, &s.eve.ap_id)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn refusals_change_nothing() {
    let s = scene().await;
    let thread = format!("/staff/moderation/items/{}", s.item);
    let hide = format!("/staff/moderation/comments/{}/hide", s.comment);

    // Bergen's editor may not see or moderate oslo's thread.
    let mut ola = s.app.logged_in("ola").await;
    assert_eq!(ola.get(&thread).await.status(), StatusCode::FORBIDDEN);
    let resp = ola.post_form("/staff", &hide, &[("back", "/staff")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = ola
        .post_form(
            "/staff",
            &format!("{thread}/reply"),
            &[("body", "Hei fra Bergen")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = ola.get("/staff/agencies/oslo/following").await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = ola
        .post_form(
            "/staff",
            "/staff/agencies/oslo/following",
            &[("target", "@nav@social.example")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let html = ola.page("/staff/moderation").await;
    assert!(!html.contains("Nyttig innspill fra Eve"), "{html}");
    // An editor resolves no reports.
    s.app
        .store
        .put_report(
            "https://social.example/flags/1",
            "https://social.example/users/mod",
            "x",
            vec![],
        )
        .await
        .unwrap();
    let report = s.app.store.list_reports(true, None, 1000).await.unwrap()[0].id;
    let resp = ola
        .post_form(
            "/staff",
            &format!("/staff/moderation/reports/{report}/resolve"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        s.app
            .store
            .list_reports(true, None, 1000)
            .await
            .unwrap()
            .len(),
        1
    );

    // Kari without the CSRF token, or from another site.
    let mut kari = s.app.logged_in("kari").await;
    let resp = kari.post_raw(&hide, &[("back", "/staff")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = kari
        .post_raw(
            &format!("{thread}/reply"),
            &[("csrf", "dlg_wrong"), ("body", "Hei")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // Nothing changed.
    let comments = s.app.store.list_comments(s.item).await.unwrap();
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(
        public_page(&s.app, s.item)
            .await
            .contains("Nyttig innspill fra Eve")
    );
    assert!(
        s.app
            .store
            .list_following(s.oslo.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn instance_admins_resolve_reports_and_block_domains() {
    let s = scene().await;
    let store = &s.app.store;
    store
        .put_report(
            "https://social.example/flags/1",
            "https://social.example/users/mod",
            &format!("Spam {MARKUP}"),
            vec![format!("https://social.example/notes/{MARKUP}")],
        )
        .await
        .unwrap();
    let report = store.list_reports(true, None, 1000).await.unwrap()[0].id;
    staff_on(store, "root", None, true).await;
    let mut root = s.app.logged_in("root").await;
    let html = root.page("/staff/moderation").await;
    assert!(html.contains("https://social.example/users/mod"), "{html}");
    assert_escaped(&html, "reports");
    // An instance admin moderates every agency's comments.
    assert!(html.contains("Nyttig innspill fra Eve"), "{html}");

    let resolve = format!("/staff/moderation/reports/{report}/resolve");
    let resp = root.post_form("/staff/moderation", &resolve, &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        store
            .list_reports(true, None, 1000)
            .await
            .unwrap()
            .is_empty()
    );
    let html = root.page(&location(&resp)).await;
    assert!(html.contains("Rapporten er merket som løst"), "{html}");

    // Domain blocks: a bad domain and this server's own are told at the
    // field, the typed text kept (as text).
    let blocks = "/staff/moderation/domain-blocks";
    let typed = format!("bad {MARKUP}");
    let resp = root
        .post_form(
            "/staff/moderation",
            blocks,
            &[("domain", &typed), ("severity", "suspend")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("aria-describedby=\"domain-name-error\""),
        "{html}"
    );
    assert_escaped(&html, "domain form");
    let resp = root
        .post_form(
            "/staff/moderation",
            blocks,
            &[("domain", "deling.test"), ("severity", "suspend")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("tjenestens eget domene")
    );
    assert!(store.list_domain_policies().await.unwrap().is_empty());
    let resp = root
        .post_form(
            "/staff/moderation",
            blocks,
            &[("domain", "spam.example"), ("severity", "silence")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let policies = store.list_domain_policies().await.unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].domain, "spam.example");
    assert_eq!(policies[0].severity, "silence");

    // An editor sees no reports and no domain form, and may not block.
    let mut kari = s.app.logged_in("kari").await;
    let html = kari.page("/staff/moderation").await;
    assert!(!html.contains("domain-blocks"), "{html}");
    let resp = kari
        .post_form(
            "/staff/moderation",
            blocks,
            &[("domain", "other.example"), ("severity", "suspend")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(store.list_domain_policies().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_a_peer_by_handle_and_unfollowing_it() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    let nav = a.agency("nav").await;
    b.agency("oslo").await;
    staff_on(&a.store, "kari", Some(&nav), false).await;
    let mut kari = Browser::new(&a.base);
    kari.log_in("kari").await;
    let page = "/staff/agencies/nav/following";
    let html = kari.page(page).await;
    assert!(html.contains("Virksomheten følger ingen ennå"), "{html}");

    // Oslo on B follows nav too, so nav has a follower to list.
    b.follow("oslo", &a.handle("nav")).await;
    b.wait_accepted("oslo", &a.actor_id("nav")).await;

    // Errors, each at the field with what was typed kept.
    for (typed, says) in [
        (
            format!("not a handle {MARKUP}"),
            "Dette er ikke et kontonavn",
        ),
        (b.handle("nobody"), "Fant ingen slik konto"),
        ("@someone@localhost:9".to_owned(), "Tjeneren svarte ikke"),
        (String::new(), "Skriv inn en konto"),
    ] {
        let resp = kari.post_form(page, page, &[("target", &typed)]).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        let html = resp.text().await.unwrap();
        assert!(html.contains(says), "{typed}: {html}");
        assert!(html.contains("aria-invalid=\"true\""), "{typed}");
        assert!(
            html.contains("aria-describedby=\"follow-target-error"),
            "{typed}"
        );
        assert!(!html.contains(MARKUP), "{typed}");
        if typed.starts_with('@') {
            assert_eq!(
                input_value(&html, "target").as_deref(),
                Some(typed.as_str())
            );
        }
    }
    assert_eq!(a.following_state("nav", &b.actor_id("oslo")).await, None);

    // Follow by handle: sent, then accepted by B.
    let resp = kari
        .post_form(page, page, &[("target", &b.handle("oslo"))])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp), format!("{page}?done=followed"));
    a.wait_accepted("nav", &b.actor_id("oslo")).await;
    let html = kari.page(page).await;
    assert!(html.contains(&b.handle("oslo")), "{html}");
    assert!(html.contains("Godtatt"), "{html}");
    assert!(html.contains(&b.actor_id("oslo")), "{html}");
    assert!(html.contains("Én følger"), "{html}");

    // Unfollow: the Undo reaches B.
    let resp = kari
        .post_form(
            page,
            &format!("{page}/unfollow"),
            &[("target", &b.actor_id("oslo"))],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(a.following_state("nav", &b.actor_id("oslo")).await, None);
    eventually("B's oslo to lose its follower", async || {
        let ids = b.follower_ids("oslo").await;
        if ids.is_empty() {
            Ok(())
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;
    let html = kari.page(&format!("{page}?done=unfollowed")).await;
    assert!(html.contains("følger ikke lenger"), "{html}");
}
