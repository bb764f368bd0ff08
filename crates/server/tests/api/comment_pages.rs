//! `GET /api/v1/items/{id}/comments` a page at a time: still a JSON array,
//! 100 by default and `limit` up to 500, a `Link: <...>; rel="next"`
//! header while more follow, every shown comment once and in order when
//! the links are followed, and 400 problems for a bad `limit` or `after`.

use crate::helpers::{TestApp, guide, id_of, ok_json, problem};
use deling_testkit::comments::many_comments;
use reqwest::StatusCode;

/// The path and query of a response's `rel="next"` link, if any; the
/// link is absolute, under the instance's public address.
fn next_link(resp: &reqwest::Response) -> Option<String> {
    let link = resp.headers().get("link")?.to_str().unwrap();
    let (target, rel) = link.split_once(';').expect("<url>; rel");
    assert_eq!(rel.trim(), "rel=\"next\"", "{link}");
    let url = url::Url::parse(target.trim().trim_start_matches('<').trim_end_matches('>'))
        .expect("an absolute URL");
    Some(format!("{}?{}", url.path(), url.query().expect("a query")))
}

fn ids(page: &serde_json::Value) -> Vec<i64> {
    page.as_array()
        .expect("a JSON array")
        .iter()
        .map(id_of)
        .collect()
}

#[tokio::test]
async fn comments_come_in_pages_linked_by_next() {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let item = id_of(
        &app.create_item(&token, "oslo", &guide("Mange kommentarer"))
            .await,
    );
    let written = many_comments(&app.store, item, 250).await;
    assert!(
        app.store
            .set_comment_hidden(written[3], true)
            .await
            .unwrap()
    );
    let shown: Vec<i64> = written
        .iter()
        .copied()
        .filter(|id| *id != written[3])
        .collect();
    let path = format!("/api/v1/items/{item}/comments");

    // By default 100, with a next link.
    let resp = app.get(&path).await;
    let next = next_link(&resp);
    let first = ok_json(resp, StatusCode::OK).await;
    assert_eq!(ids(&first), shown[..100].to_vec());
    assert_eq!(first[0]["ap_id"], "https://social.example/notes/many-0");
    assert!(next.is_some());

    // Followed to the end: each shown comment once, in order.
    for (limit, sizes) in [
        (100, vec![100, 100, 49]),
        (7, vec![7; 35].into_iter().chain([4]).collect::<Vec<_>>()),
    ] {
        let (mut seen, mut got) = (Vec::new(), Vec::new());
        let mut next = Some(format!("{path}?limit={limit}"));
        while let Some(p) = next {
            assert!(got.len() < 100, "paging does not end");
            let resp = app.get(&p).await;
            next = next_link(&resp);
            let page = ids(&ok_json(resp, StatusCode::OK).await);
            got.push(page.len());
            seen.extend(page);
        }
        assert_eq!(seen, shown, "limit {limit}");
        assert_eq!(got, sizes, "limit {limit}");
    }

    // Up to 500 at once: all of them, and no link.
    let resp = app.get(&format!("{path}?limit=500")).await;
    assert_eq!(next_link(&resp), None);
    assert_eq!(ids(&ok_json(resp, StatusCode::OK).await), shown);

    // Bad values are 400 problems.
    for bad in [
        "limit=0",
        "limit=501",
        "limit=ti",
        "limit=-1",
        "after=nonsense",
        "after=1.2_3",
    ] {
        let body = problem(app.get(&format!("{path}?{bad}")).await, 400).await;
        let field = bad.split('=').next().unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains(field),
            "{bad}: {body}"
        );
    }
    // An item that does not exist is still a 404.
    problem(
        app.get(&format!("/api/v1/items/{}/comments", item + 1000))
            .await,
        404,
    )
    .await;

    // The OpenAPI document names both parameters and the header.
    let doc = ok_json(app.get("/api/v1/openapi.json").await, StatusCode::OK).await;
    let get = &doc["paths"]["/api/v1/items/{id}/comments"]["get"];
    let params: Vec<&str> = get["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["id", "limit", "after"], "{get}");
    assert!(
        get["responses"]["200"]["headers"].get("Link").is_some(),
        "{get}"
    );
    assert!(get["responses"].get("400").is_some(), "{get}");
}
