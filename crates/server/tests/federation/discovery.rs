//! How peers find and read us: WebFinger, NodeInfo, actor and object
//! documents, tombstones.

use crate::helpers::{Instance, content_type};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const AS: &str = "https://www.w3.org/ns/activitystreams";

async fn ap_get(i: &Instance, url: &str) -> reqwest::Response {
    i.client
        .get(url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
}

fn has_as_context(doc: &Value) -> bool {
    match &doc["@context"] {
        Value::String(s) => s == AS,
        Value::Array(a) => a.iter().any(|c| c == AS),
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webfinger_nodeinfo_actor_and_objects() {
    let b = Instance::spawn().await;
    b.agency("oslo").await;
    b.agency("bergen").await;
    let kept = b.publish("oslo", "Behold", &["arkiv"]).await;
    let gone = b.publish("oslo", "Trekk tilbake", &[]).await;
    let resp = b
        .send(Method::DELETE, &format!("/api/v1/items/{gone}"), None)
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let actor_id = b.actor_id("oslo");

    // WebFinger: the self link is the actor id, exactly.
    let resp = b
        .get(&format!(
            "/.well-known/webfinger?resource=acct:oslo@{}",
            b.domain
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        content_type(&resp).starts_with("application/jrd+json"),
        "{}",
        content_type(&resp)
    );
    let jrd: Value = resp.json().await.unwrap();
    assert_eq!(jrd["subject"], format!("acct:oslo@{}", b.domain), "{jrd}");
    let self_link = jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap_or_else(|| panic!("no self link: {jrd}"));
    assert_eq!(self_link["href"], actor_id.as_str(), "{jrd}");
    assert_eq!(self_link["type"], "application/activity+json", "{jrd}");
    // Typed with capitals, as people type handles: the same agency, and
    // the subject names it as it is.
    let resp = b
        .get(&format!(
            "/.well-known/webfinger?resource=acct:Oslo@{}",
            b.domain.to_uppercase()
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let jrd: Value = resp.json().await.unwrap();
    assert_eq!(jrd["subject"], format!("acct:oslo@{}", b.domain), "{jrd}");
    for unknown in [
        format!("acct:nobody@{}", b.domain),
        "acct:oslo@elsewhere.example".to_owned(),
    ] {
        let resp = b
            .get(&format!("/.well-known/webfinger?resource={unknown}"))
            .await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{unknown}");
    }

    // NodeInfo 2.1, found through the well-known document.
    let links = b.get_json("/.well-known/nodeinfo").await;
    let href = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1")
        .and_then(|l| l["href"].as_str())
        .unwrap_or_else(|| panic!("no NodeInfo 2.1 link: {links}"))
        .to_owned();
    assert_eq!(href, b.url("/nodeinfo/2.1"));
    let info: Value = b
        .client
        .get(&href)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["version"], "2.1", "{info}");
    assert_eq!(info["software"]["name"], "deling", "{info}");
    assert_eq!(
        info["protocols"],
        serde_json::json!(["activitypub"]),
        "{info}"
    );
    assert_eq!(info["usage"]["users"]["total"], 2, "{info}");
    assert_eq!(info["usage"]["users"]["activeMonth"], 1, "{info}");
    assert_eq!(info["usage"]["localPosts"], 1, "{info}");

    // The actor, as ActivityPub JSON.
    let resp = ap_get(&b, &actor_id).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        content_type(&resp).starts_with("application/activity+json"),
        "{}",
        content_type(&resp)
    );
    let actor: Value = resp.json().await.unwrap();
    assert!(has_as_context(&actor), "{actor}");
    assert_eq!(actor["type"], "Organization", "{actor}");
    assert_eq!(actor["id"], actor_id.as_str(), "{actor}");
    assert_eq!(actor["preferredUsername"], "oslo", "{actor}");
    assert_eq!(actor["inbox"], format!("{actor_id}/inbox"), "{actor}");
    assert_eq!(actor["outbox"], format!("{actor_id}/outbox"), "{actor}");
    assert_eq!(
        actor["followers"],
        format!("{actor_id}/followers"),
        "{actor}"
    );
    assert_eq!(
        actor["endpoints"]["sharedInbox"],
        b.shared_inbox().as_str(),
        "{actor}"
    );
    assert_eq!(
        actor["publicKey"]["id"],
        format!("{actor_id}#main-key"),
        "{actor}"
    );
    assert_eq!(actor["publicKey"]["owner"], actor_id.as_str(), "{actor}");
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .is_some_and(|p| p.starts_with("-----BEGIN PUBLIC KEY-----")),
        "{actor}"
    );

    // An item as a Page.
    let item_id = b.url(&format!("/items/{kept}"));
    let resp = ap_get(&b, &item_id).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(content_type(&resp).starts_with("application/activity+json"));
    let page: Value = resp.json().await.unwrap();
    assert!(has_as_context(&page), "{page}");
    assert_eq!(page["type"], "Page", "{page}");
    assert_eq!(page["id"], item_id.as_str(), "{page}");
    assert_eq!(page["attributedTo"], actor_id.as_str(), "{page}");
    assert_eq!(page["name"], "Behold", "{page}");
    assert_eq!(
        page["to"],
        serde_json::json!([format!("{AS}#Public")]),
        "{page}"
    );
    assert_eq!(
        page["cc"],
        serde_json::json!([format!("{actor_id}/followers")]),
        "{page}"
    );
    assert!(
        page["content"].as_str().unwrap().contains("<em>dette</em>"),
        "{page}"
    );
    assert_eq!(page["tag"][0]["type"], "Hashtag", "{page}");
    assert_eq!(page["tag"][0]["name"], "#arkiv", "{page}");

    // A withdrawn item: 410 with a Tombstone.
    let gone_id = b.url(&format!("/items/{gone}"));
    let resp = ap_get(&b, &gone_id).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(content_type(&resp).starts_with("application/activity+json"));
    let tomb: Value = resp.json().await.unwrap();
    assert_eq!(tomb["type"], "Tombstone", "{tomb}");
    assert_eq!(tomb["id"], gone_id.as_str(), "{tomb}");
    assert_eq!(tomb["formerType"], "Page", "{tomb}");
    assert!(has_as_context(&tomb), "{tomb}");
}
