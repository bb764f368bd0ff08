//! A server with a scene to look at, and reading its pages as a browser.

use deling_store::queries::{comment::PublicVisibility, remote_actor::RemoteActorData};
use deling_testkit::{TestApp, id_of};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Text with markup in it, put in every field a person can type.
pub const MARKUP: &str = "<script>alert(1)</script>";
/// How [`MARKUP`] reads once escaped.
pub const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

/// A server with agency `oslo` and its items: a guide whose title,
/// summary and tags carry markup, a dataset with two distributions, a
/// software component and an event; a remote comment (with a reply)
/// whose author's name and content warning carry markup.
pub struct Scene {
    pub app: TestApp,
    pub token: String,
    pub guide: i64,
    pub dataset: i64,
    pub software: i64,
    pub event: i64,
}

pub async fn scene() -> Scene {
    scene_with(|_| {}).await
}

/// The instance settings every scene has, with markup in them too.
fn settings(c: &mut deling::config::Config) {
    c.instance.name = format!("Deling {MARKUP}");
    c.instance.operator = format!("Digitaliseringsetaten {MARKUP}");
    c.instance.contact = "drift@oslo.kommune.no".into();
}

pub async fn scene_with(tweak: impl FnOnce(&mut deling::config::Config)) -> Scene {
    let app = TestApp::spawn_with(|c| {
        settings(c);
        tweak(c);
    })
    .await;
    populate(app).await
}

/// The scene on the (empty) database at `database_url`.
pub async fn scene_on(database_url: &str) -> Scene {
    populate(TestApp::spawn_configured(database_url, None, settings).await).await
}

async fn populate(app: TestApp) -> Scene {
    let oslo = app.agency("oslo", &format!("Oslo {MARKUP}")).await;
    let token = app.editor_of("kari", &oslo).await;
    let guide = app
        .create_item(
            &token,
            "oslo",
            &json!({
                "kind": "guide",
                "title": format!("Byggesak {MARKUP}"),
                "summary": format!("Sammendrag {MARKUP}"),
                "body": "# Steg 1\n\nLes *dette* først. <script>alert(2)</script>",
                "language": "nb",
                "tags": ["byggesak", "plan"],
                "license": "CC-BY-4.0",
                "links": [{"href": "https://www.oslo.kommune.no/byggesak", "title": format!("Lenke {MARKUP}")}],
                "metadata": {"audience": "saksbehandlere"}
            }),
        )
        .await;
    let dataset = app
        .create_item(
            &token,
            "oslo",
            &json!({
                "kind": "dataset",
                "title": "Bysykkelturer",
                "summary": "Alle turer med bysykkel.",
                "body": "",
                "language": "nb",
                "tags": ["mobilitet"],
                "license": "NLOD-2.0",
                "links": [],
                "metadata": {
                    "access_rights": "public",
                    "distributions": [
                        {"access_url": "https://data.oslo.kommune.no/turer.csv", "format": "text/csv", "title": "CSV"},
                        {"access_url": "https://data.oslo.kommune.no/turer.json", "format": "application/json"}
                    ]
                }
            }),
        )
        .await;
    let software = app
        .create_item(
            &token,
            "oslo",
            &json!({
                "kind": "software", "title": "Skjemamotor", "summary": "Skjemaer for innbyggere.",
                "body": "", "language": "en", "tags": [], "license": "EUPL-1.2", "links": [],
                "metadata": {"repository_url": "https://github.com/oslokommune/skjema",
                    "development_status": "stable", "software_version": "2.1.0"}
            }),
        )
        .await;
    let event = app
        .create_item(
            &token,
            "oslo",
            &json!({
                "kind": "event", "title": "Delingsdagen", "summary": "Vi møtes og deler.",
                "body": "", "language": "nb", "tags": ["plan"], "links": [],
                "metadata": {"starts_at": "2027-03-01T09:00:00Z", "location": "Rådhuset"}
            }),
        )
        .await;
    let scene = Scene {
        guide: id_of(&guide),
        dataset: id_of(&dataset),
        software: id_of(&software),
        event: id_of(&event),
        app,
        token,
    };
    remote_comments(&scene).await;
    scene
}

/// Eve (on another server) comments on the guide and Ola answers her.
async fn remote_comments(s: &Scene) {
    let store = &s.app.store;
    let actor = |name: &str, display: String, icon: Option<&str>| RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: Some(display),
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: None,
        url: Some(format!("https://social.example/@{name}")),
        icon_url: icon.map(str::to_owned),
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    };
    let eve = actor(
        "eve",
        format!("Eve {MARKUP}"),
        Some("https://social.example/eve.png"),
    );
    let eve = retried("eve", || store.put_remote_actor(eve.clone())).await;
    let ola = actor("ola", "Ola".into(), None);
    let ola = retried("ola", || store.put_remote_actor(ola.clone())).await;
    let comment = |id: &str, author: i64, reply: Option<i64>, cw: Option<String>, html: &str| {
        deling_store::queries::comment::RemoteCommentData {
            ap_id: format!("https://social.example/notes/{id}"),
            item_id: s.guide,
            in_reply_to_id: reply,
            author_remote_actor_id: author,
            content_html: html.into(),
            language: Some("nb".into()),
            published_at: deling_store::records::now(),
            hidden: false,
            visibility: PublicVisibility::Public,
            content_warning: cw,
            sensitive: false,
        }
    };
    let first = comment(
        "1",
        eve.id,
        None,
        Some(format!("Advarsel {MARKUP}")),
        "<p>Nyttig, <em>takk</em>!</p>",
    );
    let first = retried("eve's comment", || store.put_remote_comment(first.clone())).await;
    let reply = comment("2", ola.id, Some(first.id), None, "<p>Enig med Eve.</p>");
    retried("ola's reply", || store.put_remote_comment(reply.clone())).await;
}

/// Runs a store write of the test's beside the running server. On SQLite
/// the server's pool and the test's share one file, and a write that
/// meets one of the server's (its worker sending what the scene
/// published) can be refused as busy; it is tried again until it goes
/// through.
pub async fn retried<T, Fut>(what: &str, mut write: impl FnMut() -> Fut) -> T
where
    Fut: std::future::Future<Output = Result<T, deling_store::StoreError>>,
{
    let start = std::time::Instant::now();
    loop {
        match write().await {
            Ok(v) => return v,
            Err(e) if start.elapsed() > deling_testkit::WAIT => panic!("{what}: {e}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

/// `path` as a browser reading `lang` asks for it.
pub async fn page(app: &TestApp, path: &str, lang: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(app.url(path))
        .header("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
        .header("Accept-Language", lang)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = named_entities(&resp.text().await.unwrap());
    assert!(ct.starts_with("text/html"), "{path}: {ct}: {body}");
    (status, body)
}

/// `html` with the numeric character references askama writes (`&#60;`)
/// as the named ones (`&lt;`), so that assertions read plainly. Neither
/// form is markup, so this cannot hide any.
pub fn named_entities(html: &str) -> String {
    html.replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#34;", "&quot;")
        .replace("&#38;", "&amp;")
        .replace("&#39;", "&apos;")
}

/// `path` as an ActivityPub client asks for it.
pub async fn activity_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .get(app.url(path))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/activity+json"), "{path}: {ct}");
    (status, resp.json().await.unwrap())
}

/// Asserts the page is in `lang`: its `<html lang>` and its skip link.
pub fn assert_language(html: &str, lang: &str, what: &str) {
    let (attr, skip) = match lang {
        "nb" => ("<html lang=\"nb\">", "Gå til hovedinnholdet"),
        _ => ("<html lang=\"en\">", "Skip to main content"),
    };
    assert!(html.contains(attr), "{what} not in {lang}: {html}");
    assert!(
        html.contains(skip),
        "{what}: no skip link in {lang}: {html}"
    );
    assert!(
        html.contains("<main id=\"main\""),
        "{what}: no main landmark"
    );
}

/// Asserts `MARKUP` shows only as text.
pub fn assert_escaped(html: &str, what: &str) {
    assert!(
        !html.contains(MARKUP),
        "{what}: markup came through: {html}"
    );
    assert!(
        !html.contains("alert(2)</script>"),
        "{what}: body script: {html}"
    );
    assert!(
        html.contains(ESCAPED),
        "{what}: the text is missing: {html}"
    );
}
