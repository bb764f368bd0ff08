//! Atom feeds of the instance, an agency and a tag, read with
//! `atom_syndication`.

use crate::support::{MARKUP, scene};
use atom_syndication::Feed;
use reqwest::StatusCode;
use std::str::FromStr;

async fn feed(app: &deling_testkit::TestApp, path: &str) -> Feed {
    let resp = app.get(path).await;
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/atom+xml"), "{path}: {ct}");
    let text = resp.text().await.unwrap();
    Feed::from_str(&text).unwrap_or_else(|e| panic!("{path} does not parse: {e}: {text}"))
}

fn titles(f: &Feed) -> Vec<String> {
    f.entries()
        .iter()
        .map(|e| e.title().as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn feeds_parse_and_hold_the_right_items() {
    let s = scene().await;
    let all = feed(&s.app, "/feed.atom").await;
    assert_eq!(all.entries().len(), 4, "{:?}", titles(&all));
    assert_eq!(all.id(), "http://deling.test/feed.atom");
    assert!(
        all.title().as_str().contains(MARKUP),
        "the title is text, kept as written"
    );
    let guide = all
        .entries()
        .iter()
        .find(|e| e.id() == format!("http://deling.test/items/{}", s.guide))
        .expect("the guide");
    assert_eq!(guide.title().as_str(), format!("Byggesak {MARKUP}"));
    assert_eq!(
        guide.links()[0].href(),
        format!("http://deling.test/items/{}", s.guide)
    );
    assert_eq!(guide.authors()[0].name(), format!("Oslo {MARKUP}"));
    let terms: Vec<&str> = guide.categories().iter().map(|c| c.term()).collect();
    assert_eq!(terms, ["byggesak", "plan"]);
    let body = guide.content().and_then(|c| c.value()).unwrap_or_default();
    assert!(
        body.contains("<h1>Steg 1</h1>") && !body.contains("<script"),
        "{body}"
    );

    let agency = feed(&s.app, "/agencies/oslo/feed.atom").await;
    assert_eq!(agency.entries().len(), 4);
    assert_eq!(agency.id(), "http://deling.test/agencies/oslo/feed.atom");

    let tag = feed(&s.app, "/tags/plan/feed.atom").await;
    let mut t = titles(&tag);
    t.sort();
    assert_eq!(t, [format!("Byggesak {MARKUP}"), "Delingsdagen".to_owned()]);

    // Titles follow the reader's language.
    let resp = s
        .app
        .client
        .get(s.app.url("/tags/plan/feed.atom"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let en = Feed::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(en.title().as_str(), "Tag #plan: new items");
    assert_eq!(tag.title().as_str(), "Emneknagg #plan: nye oppføringer");

    let resp = s.app.get("/agencies/nobody/feed.atom").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}
