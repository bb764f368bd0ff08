//! Items reach the followers' servers: published, edited and withdrawn;
//! only to servers that follow, only after they follow, one request per
//! server, and none lost while a follower is down.

use crate::helpers::{Instance, eventually, eventually_within, id_of, json_body, titles};
use deling_store::queries::delivery::{STATUS_DONE, STATUS_PENDING};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::{collections::BTreeSet, time::Duration};

fn tag_set(item: &serde_json::Value) -> BTreeSet<String> {
    item["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("no tags in {item}"))
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

/// Waits until every delivery of `activity_id` on `b` is done, and returns
/// their inboxes.
async fn delivered_inboxes(b: &Instance, activity_id: &str) -> Vec<String> {
    eventually(&format!("deliveries of {activity_id} done"), async || {
        let rows = b.store.list_deliveries_of(activity_id).await.unwrap();
        if !rows.is_empty() && rows.iter().all(|d| d.status == STATUS_DONE) {
            Ok(rows.iter().map(|d| d.inbox.clone()).collect())
        } else {
            Err(format!("{rows:?}"))
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_reach_followers_only_and_follow_edits_and_withdrawals() {
    let (a, b, c) = tokio::join!(Instance::spawn(), Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    c.agency("trondheim").await;

    // Published before anyone follows: not pushed later.
    let early = b.publish("oslo", "Før følging", &["tidlig"]).await;

    a.follow("nav", &b.handle("oslo")).await;
    a.wait_accepted("nav", &b.actor_id("oslo")).await;

    let first = b.publish("oslo", "Første", &["byggesak"]).await;
    let second = b.publish("oslo", "Andre", &["plan"]).await;
    let first_ap = b.url(&format!("/items/{first}"));
    let second_ap = b.url(&format!("/items/{second}"));
    let copy = a.wait_remote_item(&first_ap).await;
    assert_eq!(copy["title"], "Første", "{copy}");
    let second_copy = a.wait_remote_item(&second_ap).await;
    let second_local = id_of(&second_copy);

    let resp = b
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{first}"),
            Some(&json!({"title": "Første, revidert", "tags": ["bygg", "plan"]})),
        )
        .await;
    json_body(resp, StatusCode::OK).await;
    let resp = b
        .send(Method::DELETE, &format!("/api/v1/items/{second}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);

    let items = eventually("the edit and the withdrawal to reach A", async || {
        let items = a.remote_items().await;
        let edited = items
            .iter()
            .any(|i| i["title"] == "Første, revidert" && tag_set(i).contains("bygg"));
        if items.len() == 1 && edited {
            Ok(items)
        } else {
            Err(format!("{:?}", titles(&items)))
        }
    })
    .await;
    let item = &items[0];
    assert_eq!(item["ap_id"], first_ap.as_str(), "{item}");
    assert_eq!(item["url"], first_ap.as_str(), "{item}");
    assert_eq!(item["agency"]["origin"], "remote", "{item}");
    assert_eq!(
        item["agency"]["handle"],
        b.handle("oslo").as_str(),
        "{item}"
    );
    assert_eq!(
        item["agency"]["actor_id"],
        b.actor_id("oslo").as_str(),
        "{item}"
    );
    assert_eq!(
        tag_set(item),
        BTreeSet::from(["bygg".to_owned(), "plan".to_owned()]),
        "{item}"
    );
    assert_eq!(
        item["summary"],
        "Slik digitaliserte vi byggesaksbehandlingen."
    );
    assert!(
        item["body_html"]
            .as_str()
            .unwrap()
            .contains("<em>dette</em>"),
        "{item}"
    );
    assert_eq!(item["license"], "CC-BY-4.0", "{item}");
    // The withdrawn copy answers 410 on A too.
    let resp = a.get(&format!("/api/v1/items/{second_local}")).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(
        a.get_json("/api/v1/items?origin=remote&tag=tidlig").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Every delivery went to A's shared inbox and nowhere else.
    for activity in [
        b.url(&format!("/items/{first}/create")),
        b.url(&format!("/items/{second}/create")),
        b.url(&format!("/items/{second}/delete")),
    ] {
        assert_eq!(
            delivered_inboxes(&b, &activity).await,
            vec![a.shared_inbox()],
            "{activity}"
        );
    }
    let early_create = b.url(&format!("/items/{early}/create"));
    assert!(
        b.store
            .list_deliveries_of(&early_create)
            .await
            .unwrap()
            .is_empty(),
        "the item published before the follow was delivered"
    );
    // C follows nobody: nothing arrived, nothing was queued for it.
    assert!(c.remote_items().await.is_empty());
    assert_eq!(c.store.count_pending_inbox().await.unwrap(), 0);
    assert_eq!(
        c.get_json("/api/v1/items?origin=all").await["total"],
        0,
        "C holds items it never asked for"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_delivery_per_server_for_two_following_agencies() {
    let (a, b) = tokio::join!(Instance::spawn(), Instance::spawn());
    a.agency("nav").await;
    a.agency("skatt").await;
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    a.follow("nav", &b.handle("oslo")).await;
    a.follow("skatt", &oslo).await;
    a.wait_accepted("nav", &oslo).await;
    a.wait_accepted("skatt", &oslo).await;
    let mut followers = b.follower_ids("oslo").await;
    followers.sort();
    let mut expected = vec![a.actor_id("nav"), a.actor_id("skatt")];
    expected.sort();
    assert_eq!(followers, expected);

    let id = b.publish("oslo", "Delt innboks", &["innboks"]).await;
    let create = b.url(&format!("/items/{id}/create"));
    let rows = eventually("the Create to be delivered", async || {
        let rows = b.store.list_deliveries_of(&create).await.unwrap();
        if !rows.is_empty() && rows.iter().all(|d| d.status == STATUS_DONE) {
            Ok(rows)
        } else {
            Err(format!("{rows:?}"))
        }
    })
    .await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].inbox, a.shared_inbox());
    assert_eq!(rows[0].host, a.domain);
    a.wait_remote_item(&b.url(&format!("/items/{id}"))).await;
    assert_eq!(a.remote_items().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_wait_for_a_follower_that_is_down() {
    let (mut a, b) = tokio::join!(Instance::spawn_stoppable(), Instance::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    a.follow("nav", &b.handle("oslo")).await;
    a.wait_accepted("nav", &b.actor_id("oslo")).await;

    a.stop().await;
    let mut ids = Vec::new();
    for title in ["Mens nede 1", "Mens nede 2", "Mens nede 3"] {
        ids.push(b.publish("oslo", title, &["nede"]).await);
    }
    // One Create probes the host and fails; the others wait for the host
    // instead of each failing on their own. All stay queued.
    let creates: Vec<String> = ids
        .iter()
        .map(|id| b.url(&format!("/items/{id}/create")))
        .collect();
    eventually("a failed probe of A and the rest waiting", async || {
        let mut rows = Vec::new();
        for create in &creates {
            rows.extend(b.store.list_deliveries_of(create).await.unwrap());
        }
        let all_pending = rows.len() == 3 && rows.iter().all(|d| d.status == STATUS_PENDING);
        let probed = rows
            .iter()
            .any(|d| d.attempts >= 1 && d.last_error.is_some());
        let host = b.store.get_host_state(&a.domain).await.unwrap();
        match host {
            Some(h)
                if all_pending
                    && probed
                    && h.consecutive_failures >= 1
                    && h.next_attempt_at.is_some() =>
            {
                Ok(())
            }
            other => Err(format!("{rows:?} host {other:?}")),
        }
    })
    .await;

    a.restart().await;
    eventually_within(
        Duration::from_secs(30),
        "all three items on A after its restart",
        async || {
            let items = a.remote_items().await;
            if items.len() == 3 {
                Ok(())
            } else {
                Err(format!("{:?}", titles(&items)))
            }
        },
    )
    .await;
    for id in &ids {
        let create = b.url(&format!("/items/{id}/create"));
        assert_eq!(delivered_inboxes(&b, &create).await, vec![a.shared_inbox()]);
    }
}
