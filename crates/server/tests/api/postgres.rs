//! One smoke test of the API on PostgreSQL, on a database of its own, and
//! races that need a real server: twelve pins at once (on both databases).
//!
//! Skipped with a note when PostgreSQL is unreachable, unless
//! `TEST_REQUIRE_POSTGRES=1`, which makes that a failure.

use crate::helpers::{TestApp, guide, id_of, ok_json, problem};
use deling_testkit::postgres::FreshDatabase;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn items_round_trip_on_postgres() {
    on_postgres(smoke).await;
}

/// Runs `scenario` with the URL of a fresh PostgreSQL database, dropped
/// afterwards; skips with a note when PostgreSQL is unreachable, unless
/// `TEST_REQUIRE_POSTGRES=1`.
pub async fn on_postgres<F, Fut>(scenario: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    if let Some(db) = FreshDatabase::create("deling_api").await {
        db.run(scenario).await;
    }
}

async fn smoke(url: String) {
    let app = TestApp::spawn_on(&url, None).await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;

    let created = app
        .create_item(&token, "oslo", &guide("På PostgreSQL"))
        .await;
    let id = id_of(&created);
    assert_eq!(app.read_item(id).await, created);
    let list = app
        .get_ok("/api/v1/items?tag=byggesak&language=nb&kind=guide&agency=oslo")
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0], created);

    let resp = app
        .patch_item(&token, id, &json!({"license": null, "tags": ["plan"]}))
        .await;
    let patched = ok_json(resp, StatusCode::OK).await;
    assert_eq!(patched["license"], serde_json::Value::Null);
    assert_eq!(patched["tags"], json!(["plan"]));
    assert_eq!(patched["title"], "På PostgreSQL");

    assert_eq!(
        app.delete_item(&token, id).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get(&format!("/api/v1/items/{id}")).await, 410).await;
    assert_eq!(app.total_items().await, 0);

    pins_race(&app, &token).await;
    assert_eq!(app.get_ok("/readyz").await["database"], "ok");
}

/// Twelve pins sent at once: five succeed, seven are refused with `409`,
/// and five are pinned (the limit once broke under this on PostgreSQL).
pub(crate) async fn pins_race(app: &TestApp, token: &str) {
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(id_of(
            &app.create_item(token, "oslo", &guide(&format!("Nål {n}")))
                .await,
        ));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for id in ids {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/items/{id}/pin")),
            token.to_owned(),
        );
        tasks.spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("POST pin")
                .status()
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tasks.join_next().await {
        statuses.push(status.expect("task"));
    }
    let ok = statuses
        .iter()
        .filter(|s| **s == StatusCode::NO_CONTENT)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, refused), (5, 7), "{statuses:?}");
    let featured = app.get_ok("/api/v1/items?agency=oslo&per_page=100").await;
    let pinned = featured["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["pinned"] == true)
        .count();
    assert_eq!(pinned, 5, "{featured}");
}

#[tokio::test]
async fn pins_race_on_sqlite() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    pins_race(&app, &token).await;
}
