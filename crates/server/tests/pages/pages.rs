//! Each page in both languages, with what it must show, and markup shown
//! as text everywhere.

use crate::support::{
    MARKUP, activity_json, assert_escaped, assert_language, page, retried, scene,
};
use reqwest::StatusCode;

#[tokio::test]
async fn every_page_renders_in_both_languages_and_escapes_markup() {
    every_page(scene().await).await;
}

#[tokio::test]
async fn every_page_renders_on_postgres_too() {
    if let Some(db) = deling_testkit::postgres::FreshDatabase::create("deling_pages").await {
        db.run(every_page_on).await;
    }
}

async fn every_page_on(database_url: String) {
    every_page(crate::support::scene_on(&database_url).await).await;
}

async fn every_page(s: crate::support::Scene) {
    let paths = [
        "/".to_owned(),
        "/?kind=dataset".to_owned(),
        "/agencies/oslo".to_owned(),
        format!("/items/{}", s.guide),
        "/tags/byggesak".to_owned(),
        "/search?q=byggesak".to_owned(),
    ];
    for path in &paths {
        for lang in ["nb", "en"] {
            let (status, html) = page(&s.app, path, lang).await;
            assert_eq!(status, StatusCode::OK, "{path} in {lang}: {html}");
            assert_language(&html, lang, path);
            assert_escaped(&html, &format!("{path} in {lang}"));
            assert!(
                html.contains("<link rel=\"stylesheet\" href=\"/static/deling.css\">"),
                "{path}"
            );
        }
    }
    // The language can be chosen: ?lang= wins over Accept-Language and is
    // remembered in a cookie.
    let resp = s
        .app
        .client
        .get(s.app.url("/?lang=en"))
        .header("Accept-Language", "nb")
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("lang=en") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert_language(&resp.text().await.unwrap(), "en", "/?lang=en");
    let resp = s
        .app
        .client
        .get(s.app.url("/tags/plan"))
        .header("Accept-Language", "nb")
        .header("Cookie", "lang=en")
        .send()
        .await
        .unwrap();
    assert_language(&resp.text().await.unwrap(), "en", "with the cookie");
}

#[tokio::test]
async fn the_front_page_says_what_the_instance_is_and_filters_by_kind() {
    let s = scene().await;
    let (_, html) = page(&s.app, "/", "en").await;
    for part in [
        "Digitaliseringsetaten &lt;script&gt;",
        "<a href=\"mailto:drift@oslo.kommune.no\">",
        "@oslo@deling.test",
        "Bysykkelturer",
        "Delingsdagen",
        "4 items",
        "type=\"application/atom+xml\"",
        "href=\"http://deling.test/feed.atom\"",
        "<form class=\"search\" role=\"search\" action=\"/search\" method=\"get\">",
    ] {
        assert!(html.contains(part), "{part} missing: {html}");
    }
    let (_, html) = page(&s.app, "/?kind=dataset", "en").await;
    assert!(
        html.contains("Bysykkelturer") && !html.contains("Delingsdagen"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"/?kind=dataset\" aria-current=\"page\">Datasets</a>"),
        "{html}"
    );
    let (status, _) = page(&s.app, "/?kind=nothing", "en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_agency_page_shows_the_profile_pins_and_how_to_follow() {
    let s = scene().await;
    let pin = format!("/api/v1/items/{}/pin", s.event);
    let resp = s
        .app
        .client
        .post(s.app.url(&pin))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "{pin}");
    let (_, html) = page(&s.app, "/agencies/oslo", "en").await;
    for part in [
        "<h1>Oslo &lt;script&gt;alert(1)&lt;/script&gt;</h1>",
        "value=\"@oslo@deling.test\"",
        // The copy button shows only where its script runs.
        "<button type=\"button\" hidden data-copy=\"handle\"",
        "<script src=\"/static/copy.js\" defer></script>",
        "<form class=\"interact\" action=\"/interact\" method=\"post\">",
        "<input type=\"hidden\" name=\"uri\" value=\"http://deling.test/agencies/oslo\">",
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"http://deling.test/agencies/oslo\">",
        "href=\"http://deling.test/agencies/oslo/feed.atom\"",
        "<meta property=\"og:type\" content=\"profile\">",
        "Organisation number",
    ] {
        assert!(html.contains(part), "{part} missing: {html}");
    }
    let pinned = html.split("id=\"pinned-h\"").nth(1).unwrap_or_default();
    let pinned = pinned.split("</section>").next().unwrap_or_default();
    assert!(
        pinned.contains("Delingsdagen") && !pinned.contains("Bysykkelturer"),
        "{html}"
    );

    // ActivityPub clients still get the actor at the same URL.
    let (status, actor) = activity_json(&s.app, "/agencies/oslo").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(actor["type"], "Organization", "{actor}");
    assert_eq!(actor["name"], format!("Oslo {MARKUP}"), "{actor}");
}

#[tokio::test]
async fn the_item_page_lays_out_metadata_comments_and_previews() {
    let s = scene().await;
    let (_, html) = page(&s.app, &format!("/items/{}", s.guide), "en").await;
    for part in [
        "<h1 lang=\"nb\">Byggesak &lt;script&gt;",
        // The body's headings sit under the page's own h1.
        "<div class=\"body\" lang=\"nb\"><h2>Steg 1</h2>",
        "<a href=\"/tags/byggesak\" rel=\"tag\">#byggesak</a>",
        "<a href=\"https://spdx.org/licenses/CC-BY-4.0.html\" rel=\"license nofollow noopener\">CC-BY-4.0</a>",
        "saksbehandlere",
        "Lenke &lt;script&gt;",
        "<meta property=\"og:title\" content=\"Byggesak &lt;script&gt;",
        "<meta name=\"twitter:card\" content=\"summary\">",
        &format!(
            "<link rel=\"alternate\" type=\"application/activity+json\" href=\"http://deling.test/items/{}\">",
            s.guide
        ),
        "\"@type\":\"Article\"",
        // Eve's comment, with her name escaped, her initial in place of
        // her picture (never loaded from her server) and her profile,
        // behind her content warning; Ola's reply one level in.
        "<span class=\"avatar\" aria-hidden=\"true\">E</span>",
        "<a href=\"https://social.example/@eve\" rel=\"nofollow noopener\">Eve &lt;script&gt;",
        "Advarsel &lt;script&gt;",
        "<p>Nyttig, <em>takk</em>!</p>",
        "class=\"comment depth-1\"",
        "Enig med Eve.",
        "2 comments",
        "<input type=\"hidden\" name=\"uri\" value=\"http://deling.test/items/",
    ] {
        assert!(html.contains(part), "{part} missing: {html}");
    }
    assert!(!html.contains("https://social.example/eve.png"), "{html}");
    let ld = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|r| r.split("</script>").next())
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["name"], format!("Byggesak {MARKUP}"), "{ld}");

    let (_, html) = page(&s.app, &format!("/items/{}", s.dataset), "nb").await;
    for part in [
        "<caption>Distribusjoner</caption>",
        "<a href=\"https://data.oslo.kommune.no/turer.csv\" rel=\"nofollow noopener\">CSV</a>",
        "<td>application/json</td>",
        "Åpen for alle",
        "\"@type\":\"Dataset\"",
        "\"@type\":\"DataDownload\"",
    ] {
        assert!(html.contains(part), "{part} missing: {html}");
    }
    let (_, html) = page(&s.app, &format!("/items/{}", s.software), "en").await;
    for part in [
        "https://github.com/oslokommune/skjema",
        "Stable",
        "2.1.0",
        "\"@type\":\"SoftwareSourceCode\"",
        "<h1 lang=\"en\">Skjemamotor</h1>",
    ] {
        assert!(html.contains(part), "{part} missing: {html}");
    }
    let (_, html) = page(&s.app, &format!("/items/{}", s.event), "en").await;
    for part in [
        "2027-03-01 09:00 UTC",
        "Rådhuset",
        "\"@type\":\"Event\"",
        "\"startDate\"",
    ] {
        assert!(html.contains(part), "{part} missing: {html}");
    }

    // ActivityPub clients still get the Page.
    let (status, doc) = activity_json(&s.app, &format!("/items/{}", s.guide)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["type"], "Page", "{doc}");
}

#[tokio::test]
async fn tag_pages_and_search_list_what_matches() {
    let s = scene().await;
    let (_, html) = page(&s.app, "/tags/plan", "en").await;
    assert!(
        html.contains("Delingsdagen") && html.contains("Byggesak"),
        "{html}"
    );
    assert!(!html.contains("Bysykkelturer"), "{html}");
    assert!(
        html.contains("href=\"http://deling.test/tags/plan/feed.atom\""),
        "{html}"
    );
    let (_, html) = page(&s.app, "/tags/plan?kind=event", "en").await;
    assert!(
        html.contains("Delingsdagen") && !html.contains("Byggesak &lt;"),
        "{html}"
    );

    let (_, html) = page(&s.app, "/search?q=bysykkel", "en").await;
    assert!(
        html.contains("Bysykkelturer") && html.contains("1 match"),
        "{html}"
    );
    assert!(html.contains("value=\"bysykkel\""), "{html}");
    // One search landmark: the page's own box, not the header's as well.
    assert_eq!(html.matches("role=\"search\"").count(), 1, "{html}");
    let (status, html) = page(&s.app, "/search?q=%22open", "en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("A quotation mark is not closed."), "{html}");
    let (status, html) = page(&s.app, "/search", "nb").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Resultater"), "{html}");
}

#[tokio::test]
async fn the_style_sheet_and_the_copy_script_are_served() {
    let s = scene().await;
    for (path, ct, part) in [
        ("/static/deling.css", "text/css", ":focus-visible"),
        ("/static/copy.js", "text/javascript", "navigator.clipboard"),
    ] {
        let resp = s.app.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ct),
            "{path}"
        );
        assert!(resp.text().await.unwrap().contains(part), "{path}");
    }
}

#[tokio::test]
async fn items_of_followed_agencies_are_listed_with_safe_links() {
    let s = scene().await;
    let store = &s.app.store;
    let bergen = deling_store::queries::remote_actor::RemoteActorData {
        ap_id: "https://deling.bergen.example/agencies/bergen".into(),
        actor_type: "Organization".into(),
        domain: "deling.bergen.example".into(),
        preferred_username: Some("bergen".into()),
        name: Some(format!("Bergen {MARKUP}")),
        inbox: "https://deling.bergen.example/agencies/bergen/inbox".into(),
        shared_inbox: None,
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: true,
    };
    let bergen = retried("bergen", || store.put_remote_actor(bergen.clone())).await;
    let now = deling_store::records::now();
    let item = deling_store::queries::remote_item::RemoteItemData {
        ap_id: "https://deling.bergen.example/items/7".into(),
        remote_actor_id: bergen.id,
        kind: "guide".into(),
        title: format!("Fra Bergen {MARKUP}"),
        summary: "Delt fra Bergen.".into(),
        body: String::new(),
        body_html: "<p>Hei</p>".into(),
        language: "nb".into(),
        license: None,
        tags: vec!["plan".into()],
        links: vec![],
        metadata: serde_json::json!({}),
        based_on: None,
        url: Some("javascript:alert(3)".into()),
        published_at: now,
        updated_at: now,
    };
    retried("bergen's item", || store.put_remote_item(item.clone())).await;
    for path in ["/", "/tags/plan"] {
        let (_, html) = page(&s.app, path, "en").await;
        assert_escaped(&html, path);
        assert!(html.contains("Fra Bergen &lt;script&gt;"), "{path}: {html}");
        assert!(html.contains("Bergen &lt;script&gt;"), "{path}: {html}");
        assert!(!html.contains("javascript:"), "{path}: {html}");
        // The page it links to is the item's id at its origin, as the
        // `url` it gave is no web address.
        assert!(
            html.contains(
                "<a href=\"https://deling.bergen.example/items/7\" rel=\"nofollow noopener\">"
            ),
            "{path}: {html}"
        );
    }
}
