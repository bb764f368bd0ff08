//! 404 and 410 as pages for people, problems for programs.

use crate::support::{activity_json, assert_language, page, scene};
use reqwest::StatusCode;

#[tokio::test]
async fn unknown_and_withdrawn_things_answer_404_and_410_pages() {
    let s = scene().await;
    for lang in ["nb", "en"] {
        for path in ["/items/99999", "/agencies/nobody", "/nowhere/at/all"] {
            let (status, html) = page(&s.app, path, lang).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {html}");
            assert_language(&html, lang, path);
            let title = if lang == "nb" {
                "Fant ikke siden"
            } else {
                "Page not found"
            };
            assert!(html.contains(title), "{path}: {html}");
        }
    }
    // Programs keep getting problems and Tombstones.
    let resp = s
        .app
        .client
        .get(s.app.url("/items/99999"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let resp = s.app.get("/api/v1/nowhere").await;
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );

    // Withdraw the dataset: its page says so with 410.
    let resp = s.app.delete_item(&s.token, s.dataset).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let path = format!("/items/{}", s.dataset);
    for (lang, title) in [("nb", "Trukket tilbake"), ("en", "Withdrawn")] {
        let (status, html) = page(&s.app, &path, lang).await;
        assert_eq!(status, StatusCode::GONE, "{html}");
        assert!(
            html.contains(title) && !html.contains("Bysykkelturer"),
            "{html}"
        );
    }
    let (status, doc) = activity_json(&s.app, &path).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(doc["type"], "Tombstone", "{doc}");
    // It is gone from the listings too.
    let (_, html) = page(&s.app, "/", "en").await;
    assert!(!html.contains("Bysykkelturer"), "{html}");

    // A withdrawn agency: 410 page, its feed too.
    let oslo = s
        .app
        .store
        .get_agency_by_slug("oslo")
        .await
        .unwrap()
        .unwrap();
    s.app.store.withdraw_agency(oslo.id, None).await.unwrap();
    let (status, html) = page(&s.app, "/agencies/oslo", "en").await;
    assert_eq!(status, StatusCode::GONE, "{html}");
    assert!(html.contains("Withdrawn"), "{html}");
    let (status, _) = page(&s.app, "/agencies/oslo/feed.atom", "en").await;
    assert_eq!(status, StatusCode::GONE);
    let (status, doc) = activity_json(&s.app, "/agencies/oslo").await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(doc["type"], "Tombstone", "{doc}");
}
