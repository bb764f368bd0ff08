//! The public reads the server keeps rendered (actor and item JSON, the
//! item and agency pages, outbox pages, the item list, WebFinger, search)
//! change as soon as what they show changes: each is read twice first, so
//! that the second answer could come from the cache, then changed, then
//! read again at once.

use crate::helpers::{TestApp, guide, id_of, ok_json};
use reqwest::StatusCode;
use serde_json::{Value, json};

const AP: &str = "application/activity+json";

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("Accept", accept)
        .send()
        .await
        .unwrap()
}

async fn text(app: &TestApp, path: &str, accept: &str) -> (StatusCode, String) {
    let resp = get(app, path, accept).await;
    (resp.status(), resp.text().await.unwrap())
}

/// Reads `path` twice (the second may be a cached copy) and returns the
/// second answer, checking that both agree.
async fn twice(app: &TestApp, path: &str, accept: &str) -> String {
    let first = text(app, path, accept).await;
    let second = text(app, path, accept).await;
    assert_eq!(first, second, "{path}");
    assert_eq!(second.0, StatusCode::OK, "{path}: {}", second.1);
    second.1
}

fn list_titles(list: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(list).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_edit_shows_at_once_on_every_cached_read() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let id = id_of(
        &app.create_item(&token, "oslo", &guide("Gammel tittel"))
            .await,
    );
    let item = format!("/items/{id}");
    let list = "/api/v1/items?per_page=20";
    let outbox = "/agencies/oslo/outbox?page=1";

    assert!(twice(&app, &item, AP).await.contains("Gammel tittel"));
    assert!(
        twice(&app, &item, "text/html")
            .await
            .contains("Gammel tittel")
    );
    assert_eq!(
        list_titles(&twice(&app, list, "application/json").await),
        ["Gammel tittel"]
    );
    assert!(twice(&app, outbox, AP).await.contains("Gammel tittel"));

    let resp = app
        .patch_item(&token, id, &json!({"title": "Ny tittel"}))
        .await;
    ok_json(resp, StatusCode::OK).await;

    for (path, accept) in [(item.as_str(), AP), (&item, "text/html"), (outbox, AP)] {
        let (status, body) = text(&app, path, accept).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains("Ny tittel"), "{path} {accept}: {body}");
        assert!(!body.contains("Gammel tittel"), "{path} {accept}: {body}");
    }
    let (_, body) = text(&app, list, "application/json").await;
    assert_eq!(list_titles(&body), ["Ny tittel"]);
}

#[tokio::test]
async fn a_withdrawn_item_answers_410_at_once() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let id = id_of(&app.create_item(&token, "oslo", &guide("Trekkes")).await);
    let item = format!("/items/{id}");
    let list = "/api/v1/items?per_page=20";
    twice(&app, &item, AP).await;
    twice(&app, &item, "text/html").await;
    assert_eq!(
        list_titles(&twice(&app, list, "application/json").await),
        ["Trekkes"]
    );

    let resp = app.delete_item(&token, id).await;
    assert!(resp.status().is_success(), "{}", resp.status());

    let (status, body) = text(&app, &item, AP).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(body.contains("Tombstone"), "{body}");
    assert_eq!(text(&app, &item, "text/html").await.0, StatusCode::GONE);
    let (_, body) = text(&app, list, "application/json").await;
    assert!(list_titles(&body).is_empty(), "{body}");
}

#[tokio::test]
async fn a_hidden_comment_leaves_the_cached_item_page_at_once() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let bergen = app.agency("bergen", "Bergen kommune").await;
    let oslo_token = app.editor_of("kari", &oslo).await;
    let bergen_token = app.editor_of("ola", &bergen).await;
    let id = id_of(
        &app.create_item(&oslo_token, "oslo", &guide("Spør oss"))
            .await,
    );
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/items/{id}/comments")))
        .bearer_auth(&bergen_token)
        .json(&json!({"agency": "bergen", "body": "Et innspill fra Bergen"}))
        .send()
        .await
        .unwrap();
    let comment = ok_json(resp, StatusCode::CREATED).await;
    let page = format!("/items/{id}");
    assert!(
        twice(&app, &page, "text/html")
            .await
            .contains("Et innspill fra Bergen")
    );

    let resp = app
        .client
        .post(app.url(&format!("/api/v1/comments/{}/hide", id_of(&comment))))
        .bearer_auth(&oslo_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (status, body) = text(&app, &page, "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("Et innspill fra Bergen"), "{body}");
}

#[tokio::test]
async fn a_write_through_another_store_shows_at_once() {
    // `app.store` is a second store on the server's database, as the
    // bench and the tests use; a withdrawn agency must not linger.
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let actor = "/agencies/oslo";
    let finger = "/.well-known/webfinger?resource=acct:oslo@deling.test";
    assert!(twice(&app, actor, AP).await.contains("Oslo kommune"));
    assert!(
        twice(&app, finger, "application/jrd+json")
            .await
            .contains("/agencies/oslo")
    );

    app.store.withdraw_agency(oslo.id, None).await.unwrap();

    assert_eq!(text(&app, actor, AP).await.0, StatusCode::GONE);
    assert_eq!(
        text(&app, finger, "application/jrd+json").await.0,
        StatusCode::GONE
    );
}

#[tokio::test]
async fn without_the_page_cache_a_write_from_another_process_shows_at_once() {
    // A connection of its own, outside every store of this process, as the
    // command line's would be: the cache cannot see its writes (it keeps
    // pages up to a second then), so with `http.page_cache = false` each
    // request reads the database.
    let dir = tempfile::tempdir().unwrap();
    let url = deling_testkit::db::sqlite_url(dir.path(), "t.sqlite3");
    let app = TestApp::spawn_configured(&url, None, |c| c.http.page_cache = false).await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let id = id_of(
        &app.create_item(&token, "oslo", &guide("Gammel tittel"))
            .await,
    );
    let item = format!("/items/{id}");
    assert!(twice(&app, &item, AP).await.contains("Gammel tittel"));

    use sea_orm::ConnectionTrait;
    let other = sea_orm::Database::connect(&url).await.unwrap();
    other
        .execute_unprepared(&format!(
            "UPDATE item SET title = 'Ny tittel' WHERE id = {id}"
        ))
        .await
        .unwrap();
    other.close().await.unwrap();

    let (status, body) = text(&app, &item, AP).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Ny tittel"), "{body}");
    drop(dir);
}

/// An app with Oslo, one guide of it published ("Byggesak først"), and
/// an editor's token.
async fn oslo_with_a_guide() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    id_of(
        &app.create_item(&token, "oslo", &guide("Byggesak først"))
            .await,
    );
    (app, token)
}

#[tokio::test]
async fn the_agency_page_changes_at_once() {
    let (app, token) = oslo_with_a_guide().await;
    let page = "/agencies/oslo";
    assert!(
        twice(&app, page, "text/html")
            .await
            .contains("Byggesak først")
    );

    let id = id_of(
        &app.create_item(&token, "oslo", &guide("Byggesak nummer to"))
            .await,
    );
    let (status, body) = text(&app, page, "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Byggesak nummer to"), "{body}");

    // Withdrawn: gone at once.
    let resp = app.delete_item(&token, id).await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let (_, body) = text(&app, page, "text/html").await;
    assert!(!body.contains("Byggesak nummer to"), "{body}");
}

#[tokio::test]
async fn a_search_changes_at_once() {
    let (app, token) = oslo_with_a_guide().await;
    let search = "/api/v1/search?q=byggesak";
    let found = |body: &str| {
        let v: Value = serde_json::from_str(body).unwrap();
        v["total"].as_u64().unwrap()
    };
    assert_eq!(found(&twice(&app, search, "application/json").await), 1);

    let id = id_of(
        &app.create_item(&token, "oslo", &guide("Byggesak nummer to"))
            .await,
    );
    let (status, body) = text(&app, search, "application/json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found(&body), 2, "{body}");

    let resp = app.delete_item(&token, id).await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let (_, body) = text(&app, search, "application/json").await;
    assert_eq!(found(&body), 1, "{body}");
}
