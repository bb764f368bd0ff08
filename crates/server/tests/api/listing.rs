//! `GET /api/v1/items`: pages, order, filters and bad query values.

use crate::helpers::{TestApp, guide, id_of, problem};
use serde_json::{Value, json};

/// The ids on a listing page.
fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

/// Path and query of an absolute `next` URL, which is built from the
/// configured domain (never from what the request claims).
fn path_of(next: &str) -> String {
    let url = url::Url::parse(next).unwrap_or_else(|e| panic!("next {next:?} is not a URL: {e}"));
    assert!(
        url.host_str() == Some(crate::helpers::DOMAIN),
        "next {next:?} is not on the configured domain"
    );
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

#[tokio::test]
async fn pages_newest_first_with_next_links() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(id_of(
            &app.create_item(&token, "oslo", &guide(&format!("Sak {i}")))
                .await,
        ));
    }
    let newest_first: Vec<i64> = created.iter().rev().copied().collect();

    // Default page size holds all five.
    let all = app.get_ok("/api/v1/items").await;
    assert_eq!(all["total"], 5);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 20);
    assert_eq!(all["next"], Value::Null);
    assert_eq!(ids(&all), newest_first);

    // Two per page: follow next until it runs out.
    let mut path = "/api/v1/items?per_page=2".to_owned();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = app.get_ok(&path).await;
        pages += 1;
        assert_eq!(page["total"], 5);
        assert_eq!(page["per_page"], 2);
        assert_eq!(page["page"], pages);
        seen.extend(ids(&page));
        match page["next"].as_str() {
            Some(next) => {
                assert!(
                    pages < 3,
                    "page {pages} of 3 should be the last; next = {next}"
                );
                assert!(next.contains("per_page=2"), "next keeps per_page: {next}");
                assert!(next.contains(&format!("page={}", pages + 1)), "{next}");
                path = path_of(next);
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, newest_first);

    // Past the end: an empty page, no next.
    let past = app.get_ok("/api/v1/items?per_page=2&page=4").await;
    assert_eq!(past["items"], json!([]));
    assert_eq!(past["total"], 5);
    assert_eq!(past["next"], Value::Null);

    // An exact multiple has no next on its last page.
    let last = app.get_ok("/api/v1/items?per_page=5").await;
    assert_eq!(ids(&last), newest_first);
    assert_eq!(last["next"], Value::Null);
}

#[tokio::test]
async fn next_link_keeps_filters() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    for i in 0..3 {
        app.create_item(&token, "oslo", &guide(&format!("Sak {i}")))
            .await;
    }
    let page = app
        .get_ok("/api/v1/items?tag=byggesak&per_page=1&page=2")
        .await;
    let next = page["next"].as_str().expect("next");
    assert!(
        next.contains("tag=byggesak") && next.contains("page=3") && !next.contains("page=2"),
        "{next}"
    );
    let last = app.get_ok(&path_of(next)).await;
    assert_eq!(last["page"], 3);
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert_eq!(last["next"], Value::Null);
}

/// `next` goes on after the last item shown (a cursor), so items published
/// between two requests neither repeat an item nor hide one.
#[tokio::test]
async fn next_links_hold_still_while_items_are_published() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(id_of(
            &app.create_item(&token, "oslo", &guide(&format!("Sak {i}")))
                .await,
        ));
    }
    let mut path = "/api/v1/items?per_page=2".to_owned();
    let (mut seen, mut pages) = (Vec::new(), 0);
    loop {
        let page = app.get_ok(&path).await;
        pages += 1;
        assert_eq!(page["page"], pages);
        seen.extend(ids(&page));
        // Two new items after every page.
        for k in 0..2 {
            app.create_item(&token, "oslo", &guide(&format!("Ny {pages}.{k}")))
                .await;
        }
        assert_eq!(
            page["total"],
            5 + 2 * (pages - 1),
            "total when page {pages} was read"
        );
        match page["next"].as_str() {
            Some(next) => {
                assert!(next.contains("cursor="), "{next}");
                path = path_of(next);
            }
            None => break,
        }
    }
    let newest_first: Vec<i64> = created.iter().rev().copied().collect();
    assert_eq!(seen, newest_first);
    assert_eq!(pages, 3);

    // A cursor not from a next link is a bad request.
    for bad in [
        "x",
        "12_",
        "_5",
        "1.000000000_2_3",
        "12.5_1",
        "99999999999999999999.000000000_1",
    ] {
        let body = problem(app.get(&format!("/api/v1/items?cursor={bad}")).await, 400).await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("cursor"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn filters_by_agency_kind_tag_and_language() {
    let app = TestApp::spawn().await;
    app.agency("oslo", "Oslo kommune").await;
    app.agency("bergen", "Bergen kommune").await;
    let admin = app.instance_admin("root").await;

    let a = id_of(
        &app.create_item(&admin, "oslo", &guide("Oslo-veileder"))
            .await,
    );
    let mut ds = guide("Oslo-data");
    ds["kind"] = json!("dataset");
    ds["tags"] = json!(["plan", "kart"]);
    ds["language"] = json!("en");
    let b = id_of(&app.create_item(&admin, "oslo", &ds).await);
    let mut nn = guide("Bergen-rettleiar");
    nn["language"] = json!("nn");
    nn["tags"] = json!(["Plan"]);
    let c = id_of(&app.create_item(&admin, "bergen", &nn).await);

    let cases: [(&str, Vec<i64>); 11] = [
        ("", vec![c, b, a]),
        ("agency=oslo", vec![b, a]),
        ("agency=bergen", vec![c]),
        ("agency=nowhere", vec![]),
        ("kind=dataset", vec![b]),
        ("kind=guide", vec![c, a]),
        ("tag=plan", vec![c, b]),
        ("tag=%23PLAN", vec![c, b]),
        ("language=nn", vec![c]),
        ("language=EN", vec![b]),
        ("agency=oslo&kind=guide&language=nb&tag=byggesak", vec![a]),
    ];
    for (query, expected) in cases {
        let page = app.get_ok(&format!("/api/v1/items?{query}")).await;
        assert_eq!(ids(&page), expected, "?{query}");
        assert_eq!(page["total"], json!(expected.len()), "?{query}");
    }
    // Local items only by default; nothing remote here.
    assert_eq!(
        ids(&app.get_ok("/api/v1/items?origin=remote").await),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&app.get_ok("/api/v1/items?origin=local").await),
        vec![c, b, a]
    );
    assert_eq!(
        ids(&app.get_ok("/api/v1/items?origin=all").await),
        vec![c, b, a]
    );
}

#[tokio::test]
async fn bad_query_values_are_400_problems() {
    let app = TestApp::spawn().await;
    for query in [
        "per_page=0",
        "per_page=101",
        "page=0",
        "kind=poem",
        "origin=x",
        "language=!!",
        "tag=not%20ok",
    ] {
        let resp = app.get(&format!("/api/v1/items?{query}")).await;
        let body = problem(resp, 400).await;
        let param = query.split('=').next().unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains(param),
            "detail for ?{query} does not name {param}: {body}"
        );
    }
    // Values that are not numbers at all are refused too.
    for query in [
        "per_page=-1",
        "per_page=abc",
        "page=x",
        "page=1.5",
        "page=99999999999999999999999",
    ] {
        problem(app.get(&format!("/api/v1/items?{query}")).await, 400).await;
    }
    // The edges are fine.
    app.get_ok("/api/v1/items?per_page=1").await;
    app.get_ok("/api/v1/items?per_page=100&page=1").await;
}

#[tokio::test]
async fn unparsable_query_numbers_name_the_parameter() {
    let app = TestApp::spawn().await;
    for query in ["per_page=-1", "per_page=abc", "page=x"] {
        let body = problem(app.get(&format!("/api/v1/items?{query}")).await, 400).await;
        let param = query.split('=').next().unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains(param),
            "detail for ?{query} does not name {param}: {body}"
        );
    }
}

/// Asks for far-away pages; each must be an empty page or a 400, never a
/// dropped connection or a 500.
async fn check_far_pages(pages: &[&str]) {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    app.create_item(&token, "oslo", &guide("Eneste")).await;
    for page in pages {
        let resp = app
            .client
            .get(app.url(&format!("/api/v1/items?per_page=100&page={page}")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("page={page}: no response: {e}"));
        let status = resp.status();
        if status.as_u16() == 400 {
            problem(resp, 400).await;
            continue;
        }
        let text = resp.text().await.unwrap();
        assert!(status.is_success(), "page={page}: {status} {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["items"], json!([]), "page={page}");
        assert_eq!(body["total"], 1);
        assert_eq!(body["next"], Value::Null);
    }
    // The server still answers.
    assert_eq!(app.total_items().await, 1);
}

#[tokio::test]
async fn far_pages_are_empty() {
    check_far_pages(&["2", "1000000", "92233720368547758"]).await;
}

#[tokio::test]
async fn pages_past_the_database_offset_range_are_refused() {
    check_far_pages(&["92233720368547760", "18446744073709551615"]).await;
}
