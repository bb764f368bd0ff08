//! Search over the federated catalogue: items that followed agencies on
//! other instances publish are found in this instance's search, with
//! facets, and their edits and deletions reach the index.

use crate::helpers::{Instance, eventually, item_body};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `GET /api/v1/search?{query}` on `i`.
async fn search(i: &Instance, query: &str) -> Value {
    i.get_json(&format!("/api/v1/search?{query}")).await
}

fn titles(r: &Value) -> Vec<String> {
    let mut t: Vec<String> = r["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| h["title"].as_str().expect("title").to_owned())
        .collect();
    t.sort();
    t
}

/// Publishes `body` for `slug` on `i`; returns its id.
async fn publish(i: &Instance, slug: &str, body: &Value) -> i64 {
    let resp = i
        .send(
            Method::POST,
            &format!("/api/v1/agencies/{slug}/items"),
            Some(body),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id")
}

fn item(kind: &str, title: &str, summary: &str, language: &str, tags: &[&str]) -> Value {
    let mut b = item_body(title, tags);
    b["kind"] = json!(kind);
    b["summary"] = json!(summary);
    b["language"] = json!(language);
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followed_agencies_items_are_searchable_and_stay_current() {
    let (a, b, c) = tokio::join!(Instance::spawn(), Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    b.agency("bodo").await;
    c.agency("tromso").await;
    for (peer, slug) in [(&b, "bodo"), (&c, "tromso")] {
        let actor = peer.actor_id(slug);
        a.follow("nav", &actor).await;
        a.wait_accepted("nav", &actor).await;
    }
    publish(
        &b,
        "bodo",
        &item(
            "guide",
            "Rutine ved lekkasjer",
            "Når vannet renner.",
            "nb",
            &["vann"],
        ),
    )
    .await;
    publish(
        &b,
        "bodo",
        &item(
            "dataset",
            "Lekkasjestatistikk",
            "Tall per år.",
            "en",
            &["vann"],
        ),
    )
    .await;
    let on_c = publish(
        &c,
        "tromso",
        &item(
            "service",
            "Melde lekkasje",
            "Skjema for bygging.",
            "nn",
            &["bygg"],
        ),
    )
    .await;
    let all = eventually("all three items searchable on A", async || {
        let r = search(&a, "q=lekkasje*").await;
        if r["total"] == 3 {
            Ok(r)
        } else {
            Err(format!("{:?}", titles(&r)))
        }
    })
    .await;
    assert_eq!(
        titles(&all),
        vec![
            "Lekkasjestatistikk",
            "Melde lekkasje",
            "Rutine ved lekkasjer"
        ]
    );
    let f = &all["facets"];
    assert_eq!(f["kind"], json!({"dataset": 1, "guide": 1, "service": 1}));
    assert_eq!(f["language"], json!({"en": 1, "nb": 1, "nn": 1}));
    assert_eq!(f["instance"][&b.domain], 2, "{f}");
    assert_eq!(f["instance"][&c.domain], 1, "{f}");
    assert_eq!(f["agency"][format!("bodo@{}", b.domain)], 2, "{f}");
    // Filters combine with the query.
    let only_c = search(&a, &format!("q=lekkasje*&instance={}", c.domain)).await;
    assert_eq!(titles(&only_c), vec!["Melde lekkasje"]);
    let english = search(&a, "q=lekkasje*&language=en&kind=dataset").await;
    assert_eq!(titles(&english), vec!["Lekkasjestatistikk"]);
    // Stemming: `lekkasje` finds `lekkasjer`, `bygge` finds `bygging`.
    assert!(titles(&search(&a, "q=lekkasje").await).contains(&"Rutine ved lekkasjer".to_owned()));
    assert_eq!(titles(&search(&a, "q=bygge").await), vec!["Melde lekkasje"]);

    // An update on C changes A's result...
    let resp = c
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{on_c}"),
            Some(&json!({"title": "Meld frå om vassbrot"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    eventually("the new title searchable on A", async || {
        let r = search(&a, "q=vassbrot").await;
        if titles(&r) == vec!["Meld frå om vassbrot"] {
            Ok(())
        } else {
            Err(format!("{r}"))
        }
    })
    .await;
    // ... and a delete removes it.
    let resp = c
        .send(Method::DELETE, &format!("/api/v1/items/{on_c}"), None)
        .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    eventually("the deleted item gone from A's search", async || {
        let r = search(&a, "q=vassbrot").await;
        if r["total"] == 0 {
            Ok(())
        } else {
            Err(format!("{r}"))
        }
    })
    .await;
    assert_eq!(search(&a, "q=lekkasje*").await["total"], 2);
}
