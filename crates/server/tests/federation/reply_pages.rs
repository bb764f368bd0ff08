//! An item's `replies` collection in pages, read as Mastodon reads it
//! (`ActivityPub::FetchAllRepliesWorker` through `collection_items`): the
//! item's embedded `replies` names the `first` page, the collection has
//! the count and `first`, each `OrderedCollectionPage` has its `id`,
//! `partOf`, `orderedItems` and a `next` while more follow. Followed to the
//! end, the pages hold every shown comment once, in order; every page asks
//! for a signature when signed fetches are required, and a cursor that is
//! not one is a 400.

use crate::{
    helpers::{Instance, json_body, problem},
    peer::{FakePeer, fake_keys},
};
use deling_testkit::comments::many_comments;
use reqwest::StatusCode;
use serde_json::Value;

const AP: &str = "application/activity+json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_come_in_pages_that_reach_every_comment_once() {
    let (b, peer) = tokio::join!(
        Instance::spawn_configured(|c| c.federation.require_signed_fetch = true),
        FakePeer::spawn()
    );
    b.agency("oslo").await;
    let item = b.publish("oslo", "Mange svar", &["svar"]).await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    let written = many_comments(&b.store, item, 250).await;
    assert!(b.store.set_comment_hidden(written[42], true).await.unwrap());
    let shown: Vec<String> = (0..250)
        .filter(|k| *k != 42)
        .map(|k| format!("https://social.example/notes/many-{k}"))
        .collect();
    let get = async |url: &str| -> Value {
        json_body(eve.get(url).send(&b.client).await, StatusCode::OK).await
    };

    // The item names the first page: what Mastodon follows.
    let item_url = b.url(&format!("/items/{item}"));
    let replies_url = format!("{item_url}/replies");
    let page_json = get(&item_url).await;
    let embedded = &page_json["replies"];
    assert_eq!(embedded["id"], replies_url.as_str(), "{embedded}");
    assert_eq!(embedded["totalItems"], 249, "{embedded}");
    let first = format!("{replies_url}?page=true");
    assert_eq!(embedded["first"], first.as_str(), "{embedded}");

    // The collection: the count and the first page, no items.
    let collection = get(&replies_url).await;
    assert_eq!(collection["type"], "OrderedCollection", "{collection}");
    assert_eq!(collection["id"], replies_url.as_str());
    assert_eq!(collection["totalItems"], 249);
    assert_eq!(collection["first"], first.as_str());
    assert!(collection.get("orderedItems").is_none(), "{collection}");

    // Page by page, as `collection_items` does: `orderedItems` of an
    // `OrderedCollectionPage`, then its `next`.
    let (mut seen, mut sizes) = (Vec::new(), Vec::new());
    let mut next = Some(first.clone());
    while let Some(url) = next {
        assert!(sizes.len() < 10, "paging does not end");
        let page = get(&url).await;
        assert_eq!(page["type"], "OrderedCollectionPage", "{page}");
        assert_eq!(page["id"], url.as_str(), "{page}");
        assert_eq!(page["partOf"], replies_url.as_str(), "{page}");
        assert_eq!(page["totalItems"], 249, "{page}");
        let items: Vec<String> = page["orderedItems"]
            .as_array()
            .expect("orderedItems")
            .iter()
            .map(|i| i.as_str().expect("an id").to_owned())
            .collect();
        sizes.push(items.len());
        seen.extend(items);
        next = page["next"].as_str().map(str::to_owned);
        if let Some(n) = &next {
            assert!(
                n.starts_with(&format!("{replies_url}?page=true&after=")),
                "{n}"
            );
        }
    }
    assert_eq!(sizes, vec![100, 100, 49]);
    assert_eq!(seen, shown);

    // Every page is ActivityPub only and asks for a signature.
    let unsigned = b
        .client
        .get(&first)
        .header("Accept", AP)
        .send()
        .await
        .unwrap();
    problem(unsigned, 401).await;
    // A cursor or a page that is not one is refused, signed or not.
    for bad in ["?page=true&after=nonsense", "?after=1.2_3", "?page=2"] {
        let resp = eve
            .get(&format!("{replies_url}{bad}"))
            .send(&b.client)
            .await;
        problem(resp, 400).await;
    }
}
