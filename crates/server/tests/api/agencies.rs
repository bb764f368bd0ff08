//! Agencies, and comments on items.

use crate::helpers::{TestApp, guide, id_of, problem};
use serde_json::{Value, json};

#[tokio::test]
async fn agencies_are_listed_and_shown() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get_ok("/api/v1/agencies").await, json!([]));
    app.agency("oslo", "Oslo kommune").await;
    app.agency("bergen", "Bergen kommune").await;

    let list = app.get_ok("/api/v1/agencies").await;
    let slugs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["bergen", "oslo"]);

    let oslo = app.get_ok("/api/v1/agencies/oslo").await;
    assert_eq!(oslo["slug"], "oslo");
    assert_eq!(oslo["name"], "Oslo kommune");
    assert_eq!(oslo["handle"], "@oslo@deling.test");
    assert_eq!(oslo["url"], "http://deling.test/agencies/oslo");
    assert_eq!(oslo["org_number"], "958935420");
    assert!(
        oslo["created"]
            .as_str()
            .is_some_and(|c| chrono::DateTime::parse_from_rfc3339(c).is_ok())
    );
    // Private keys never leave the server.
    for (where_, body) in [("list", &list), ("one", &oslo)] {
        let text = body.to_string();
        assert!(!text.contains("PRIVATE KEY"), "{where_}: {text}");
    }
    assert_eq!(list[1], oslo);

    let body = problem(app.get("/api/v1/agencies/trondheim").await, 404).await;
    assert!(
        body["detail"].as_str().unwrap().contains("trondheim"),
        "{body}"
    );
    problem(app.get("/api/v1/agencies/Oslo").await, 404).await;
}

#[tokio::test]
async fn comments_are_listed_oldest_first() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let bergen = app.agency("bergen", "Bergen kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let item = app
        .create_item(&token, "oslo", &guide("Kommenter meg"))
        .await;
    let id = id_of(&item);
    let quiet = app
        .create_item(&token, "oslo", &guide("Ingen kommentarer"))
        .await;

    assert_eq!(
        app.get_ok(&format!("/api/v1/items/{id}/comments")).await,
        json!([])
    );
    let first = app
        .store
        .put_agency_comment(id, bergen.id, None, "Takk!", "<p>Takk!</p>", Some("nb"))
        .await
        .unwrap();
    let second = app
        .store
        .put_agency_comment(
            id,
            oslo.id,
            Some(first.id),
            "Bare hyggelig",
            "<p>Bare hyggelig</p>",
            None,
        )
        .await
        .unwrap();

    let comments = app.get_ok(&format!("/api/v1/items/{id}/comments")).await;
    let comments = comments.as_array().unwrap();
    assert_eq!(comments.len(), 2);
    let (c1, c2) = (&comments[0], &comments[1]);
    assert_eq!(c1["id"], first.id);
    assert_eq!(c1["item_id"], id);
    assert_eq!(c1["in_reply_to_id"], Value::Null);
    assert_eq!(c1["content_html"], "<p>Takk!</p>");
    assert_eq!(c1["language"], "nb");
    assert_eq!(c1["author"]["slug"], "bergen");
    assert_eq!(c1["author"]["origin"], "local");
    assert_eq!(c1["author"]["handle"], "@bergen@deling.test");
    assert_eq!(c1["author"]["name"], "Bergen kommune");
    assert_eq!(
        c1["ap_id"],
        format!("http://deling.test/comments/{}", first.id)
    );
    assert_eq!(c2["id"], second.id);
    assert_eq!(c2["in_reply_to_id"], first.id);
    assert_eq!(c2["author"]["slug"], "oslo");
    assert_eq!(c2["content_html"], "<p>Bare hyggelig</p>");
    assert_eq!(c2["language"], Value::Null);

    // Comments belong to their item only.
    assert_eq!(
        app.get_ok(&format!("/api/v1/items/{}/comments", id_of(&quiet)))
            .await,
        json!([])
    );
}
