//! `GET /api/v1/search`: hits with snippets, facets, filters, and clear
//! refusals of bad queries.

use crate::helpers::{TestApp, guide, id_of, problem};
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

#[tokio::test]
async fn finds_ranks_filters_and_counts() {
    let app = TestApp::spawn().await;
    app.agency("oslo", "Oslo kommune").await;
    app.agency("bodo", "Bodø kommune").await;
    let admin = app.instance_admin("root").await;

    let mut leak = guide("Vannlekkasjer i kommunale bygg");
    leak["summary"] = json!("Slik melder du en lekkasje.");
    leak["tags"] = json!(["vann"]);
    let leak = id_of(&app.create_item(&admin, "bodo", &leak).await);
    let mut body_only = guide("Driftsrutiner");
    body_only["body"] = json!("Ved lekkasjer: steng hovedkranen.");
    let body_only = id_of(&app.create_item(&admin, "oslo", &body_only).await);
    let mut dataset = guide("Lekkasjestatistikk");
    dataset["kind"] = json!("dataset");
    dataset["language"] = json!("en");
    let dataset = id_of(&app.create_item(&admin, "oslo", &dataset).await);
    app.create_item(&admin, "oslo", &guide("Sykkelparkering"))
        .await;

    let r = app.get_ok("/api/v1/search?q=lekkasje").await;
    assert_eq!(r["total"], 2, "{r}");
    // The title match ranks above the body match.
    assert_eq!(ids(&r), [leak, body_only]);
    assert_eq!(
        r["items"][0]["snippet"],
        "Slik melder du en <mark>lekkasje</mark>. Steg 1 Les dette først."
    );
    assert_eq!(r["items"][0]["title"], "Vannlekkasjer i kommunale bygg");
    assert_eq!(r["facets"]["agency"], json!({"bodo": 1, "oslo": 1}));
    assert_eq!(r["facets"]["kind"], json!({"guide": 2}));
    assert_eq!(r["facets"]["tag"]["vann"], 1);
    assert_eq!(r["capped"], false);
    assert_eq!(r["total_exact"], true);

    // A prefix reaches the compound word too; a filter narrows.
    let all = app.get_ok("/api/v1/search?q=lekkasje*").await;
    assert_eq!(all["total"], 3, "{all}");
    let only = app
        .get_ok("/api/v1/search?q=lekkasje*&kind=dataset&language=en")
        .await;
    assert_eq!(ids(&only), [dataset]);
    let oslo = app.get_ok("/api/v1/search?q=lekkasje*&agency=oslo").await;
    assert_eq!(oslo["total"], 2);
    let withdrawn = app.delete_item(&admin, leak).await;
    assert!(withdrawn.status().is_success());
    assert_eq!(
        ids(&app.get_ok("/api/v1/search?q=lekkasje").await),
        [body_only]
    );
}

#[tokio::test]
async fn bad_queries_get_a_clear_400() {
    let app = TestApp::spawn().await;
    for (query, says) in [
        ("q=%22digital+byggesak", "quotation mark"),
        (&format!("q={}", "x".repeat(500)) as &str, "longer than"),
        ("q=by*", "prefix"),
        ("q=vann&page=0", "page"),
        ("q=vann&kind=nothing", "kind"),
        ("q=vann&language=%21%21", "language"),
        ("q=vann&unknown=1", "unknown"),
        ("kind=guide", "q"),
    ] {
        let p = problem(app.get(&format!("/api/v1/search?{query}")).await, 400).await;
        let detail = p["detail"].as_str().unwrap_or_default().to_lowercase();
        assert!(detail.contains(says), "?{query}: {p}");
    }
    // Only function words: an empty result, not everything.
    let r = app.get_ok("/api/v1/search?q=og+i+p%C3%A5").await;
    assert_eq!(r["total"], 0);
    assert_eq!(r["items"], json!([]));
}
