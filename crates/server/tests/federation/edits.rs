//! An edited item reaches Mastodon in a form Mastodon applies, while
//! Deling peers keep getting the `Page`.
//!
//! Mastodon's rules, as read in its source (mastodon/mastodon, main):
//! 1. `ActivityPub::Activity::Create` makes a native status of an object
//!    whose type is `Note` or `Question` (`SUPPORTED_TYPES`): its text is
//!    `content`, its content warning `summary`. Other types (`Page`,
//!    `Article`, ...: `CONVERTED_TYPES`) become a status built from
//!    `name`, `summary` and `url`.
//! 2. `ActivityPub::Activity::Update#perform` hands a post to
//!    `update_status`, which refuses an object on another host than the
//!    actor (`non_matching_uri_hosts?`) and looks the status up by the
//!    object's id and the actor.
//! 3. `ActivityPub::ProcessStatusUpdateService#call` returns at once unless
//!    the object's type is `Note` or `Question` ("Only native types can be
//!    updated at the moment"), or when the status was edited more recently
//!    than the object's `updated`. Only with an `updated` later than the
//!    last edit is the edit applied and shown (`handle_explicit_update!`);
//!    without one only a poll is refreshed.
//! 4. The edit is shown when the text changed (`text_significantly_changed?`).
//!
//! So a `Page` is never updated on Mastodon. Deling therefore sends a
//! server that does not speak Deling the item as a `Note` (title, summary
//! and link in `content`, no `summary`), and its edits as `Update`s of
//! that `Note` with a later `updated` each time.

use crate::{
    helpers::{Instance, eventually},
    peer::{FakePeer, fake_keys},
};
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use url::Url;

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("not a time: {v}"))
}

fn host(u: &Value) -> String {
    Url::parse(u.as_str().expect("a URL"))
        .expect("a URL")
        .host_str()
        .expect("a host")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_is_an_update_mastodon_applies() {
    let (a, b, peer) = tokio::join!(Instance::spawn(), Instance::spawn(), FakePeer::spawn());
    a.agency("nav").await;
    b.agency("oslo").await;
    let oslo = b.actor_id("oslo");
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.followed_by(&eve, "oslo").await;
    a.follow("nav", &oslo).await;
    a.wait_accepted("nav", &oslo).await;

    let id = b.publish("oslo", "Før", &["byggesak"]).await;
    let item_url = b.url(&format!("/items/{id}"));
    let create = eventually("the Create at eve's server", async || {
        peer.received_of("Create")
            .into_iter()
            .map(|r| r.json())
            .find(|c| c["object"]["id"] == item_url.as_str())
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    let note = &create["object"];
    // Rule 1: a native status, no content warning, the title and the link
    // in its text.
    assert_eq!(note["type"], "Note", "{create}");
    assert!(note.get("summary").is_none(), "{create}");
    let content = note["content"].as_str().unwrap();
    assert!(content.contains("<strong>Før</strong>"), "{content}");
    assert!(
        content.contains(&format!("href=\"{item_url}\"")),
        "{content}"
    );
    assert!(content.contains("rel=\"tag\""), "{content}");
    assert_eq!(note["tag"][0]["type"], "Hashtag", "{create}");
    assert_eq!(note["url"], item_url.as_str());
    // The Deling peer got the Page.
    a.wait_remote_item(&item_url).await;

    // Edit the title.
    let resp = b
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{id}"),
            Some(&json!({"title": "Etter"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let update = eventually("the Update at eve's server", async || {
        peer.received_of("Update")
            .into_iter()
            .map(|r| r.json())
            .find(|u| u["object"]["id"] == item_url.as_str())
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    let edited = &update["object"];
    // Rule 2: the same object, on the actor's own host.
    assert_eq!(update["actor"], oslo.as_str());
    assert_eq!(edited["id"], note["id"]);
    assert_eq!(host(&edited["id"]), host(&update["actor"]));
    // Rule 3: a native type, with an `updated` later than the post itself
    // (Mastodon had no edit of it yet).
    assert_eq!(edited["type"], "Note", "{update}");
    let published = time(&edited["published"]);
    let updated = time(&edited["updated"]);
    assert!(updated > published, "{update}");
    // Rule 4: the text changed.
    let new_content = edited["content"].as_str().unwrap();
    assert!(
        new_content.contains("<strong>Etter</strong>"),
        "{new_content}"
    );
    assert_ne!(new_content, content);

    // A second edit has a later `updated` again.
    let resp = b
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{id}"),
            Some(&json!({"title": "Etter igjen"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let second = eventually("the second Update", async || {
        peer.received_of("Update")
            .into_iter()
            .map(|r| r.json())
            .find(|u| {
                u["object"]["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("Etter igjen"))
            })
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    assert!(time(&second["object"]["updated"]) > updated, "{second}");

    // The Deling peer's copy follows the edits, from the Page.
    eventually("the Deling peer to see the edit", async || {
        let item = a.wait_remote_item(&item_url).await;
        if item["title"] == "Etter igjen" {
            Ok(())
        } else {
            Err(format!("{item}"))
        }
    })
    .await;
    // Fetching the id gives the Page.
    let page: Value = b
        .client
        .get(&item_url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["type"], "Page");
}

/// Kind-specific metadata goes out in terms other software reads, beside
/// the `itemMetadata` literal: an event's time and `Place`, a software
/// item's repository, a dataset's themes and distributions; the `Note`
/// form lists the links in its text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_goes_out_in_terms_others_read() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.followed_by(&eve, "oslo").await;
    let publish = async |body: Value| {
        let resp = b
            .send(Method::POST, "/api/v1/agencies/oslo/items", Some(&body))
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let item: Value = resp.json().await.unwrap();
        b.url(&format!("/items/{}", item["id"]))
    };
    let page = async |url: &str| -> Value {
        b.client
            .get(url)
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    let base = |kind: &str, title: &str, metadata: Value| {
        json!({"kind": kind, "title": title, "summary": "Kort.", "body": "Tekst.",
            "language": "nb", "tags": [], "links": [], "metadata": metadata})
    };

    let event = publish(base(
        "event",
        "Fagdag",
        json!({"starts_at": "2027-03-01T09:00:00+01:00", "ends_at": "2027-03-01T15:00:00+01:00",
               "location": "Rådhuset, Oslo"}),
    ))
    .await;
    let p = page(&event).await;
    assert_eq!(p["startTime"], "2027-03-01T08:00:00Z", "{p}");
    assert_eq!(p["endTime"], "2027-03-01T14:00:00Z", "{p}");
    assert_eq!(
        p["location"],
        json!({"type": "Place", "name": "Rådhuset, Oslo"}),
        "{p}"
    );

    let software = publish(base(
        "software",
        "Saksbehandler",
        json!({"repository_url": "https://git.example.no/oslo/sak"}),
    ))
    .await;
    let p = page(&software).await;
    assert_eq!(
        p["codeRepository"], "https://git.example.no/oslo/sak",
        "{p}"
    );
    // Not an attachment: a Deling peer would take it for the item's own link.
    assert!(p.get("attachment").is_none(), "{p}");

    let dataset = publish(base(
        "dataset",
        "Bysykkelturer",
        json!({"themes": ["http://publications.europa.eu/resource/authority/data-theme/TRAN"],
               "distributions": [{"access_url": "https://data.example.no/turer.csv",
                                  "format": "text/csv", "title": "CSV"}]}),
    ))
    .await;
    let p = page(&dataset).await;
    assert_eq!(
        p["theme"],
        json!(["http://publications.europa.eu/resource/authority/data-theme/TRAN"]),
        "{p}"
    );
    assert_eq!(
        p["distribution"],
        json!([{"type": "Distribution", "accessURL": "https://data.example.no/turer.csv",
                "format": "text/csv", "title": "CSV"}]),
        "{p}"
    );
    let context = p["@context"].to_string();
    // startTime, endTime, location and Place are ActivityStreams terms;
    // ours from schema.org and DCAT are declared.
    for term in ["codeRepository", "Distribution", "accessURL", "theme"] {
        assert!(context.contains(term), "{term} not declared: {context}");
    }

    // The microblog form lists the repository and the distribution.
    let notes = eventually("the Creates at eve's server", async || {
        let creates: Vec<Value> = peer
            .received_of("Create")
            .into_iter()
            .map(|r| r.json())
            .collect();
        if creates.len() >= 3 {
            Ok(creates)
        } else {
            Err(format!("{} so far", creates.len()))
        }
    })
    .await;
    let content_of = |id: &str| {
        notes
            .iter()
            .find(|c| c["object"]["id"] == id)
            .and_then(|c| c["object"]["content"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        content_of(&software).contains("href=\"https://git.example.no/oslo/sak\""),
        "{notes:?}"
    );
    assert!(
        content_of(&dataset).contains("href=\"https://data.example.no/turer.csv\">CSV</a>"),
        "{notes:?}"
    );
}

/// An agency's comment links its bare addresses and hashtags, and names
/// the hashtags as `Hashtag` tags, as Mastodon's own posts do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_comment_links_addresses_and_hashtags() {
    let (b, peer) = tokio::join!(Instance::spawn(), FakePeer::spawn());
    b.agency("oslo").await;
    let [k1, _] = fake_keys().await;
    let eve = peer.actor("eve", k1);
    b.followed_by(&eve, "oslo").await;
    let item = b.publish("oslo", "Byggesak", &[]).await;
    let resp = b
        .send(
            Method::POST,
            &format!("/api/v1/items/{item}/comments"),
            Some(&json!({"agency": "oslo",
                "body": "Se https://www.oslo.kommune.no/byggesak. Spør om #Byggesak."})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let comment: Value = resp.json().await.unwrap();
    let create = eventually("the comment at eve's server", async || {
        peer.received_of("Create")
            .into_iter()
            .map(|r| r.json())
            .find(|c| c["object"]["id"] == comment["ap_id"])
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    let note = &create["object"];
    let content = note["content"].as_str().unwrap();
    assert!(
        content.contains("<a href=\"https://www.oslo.kommune.no/byggesak\""),
        "{content}"
    );
    // Linked to the tag's page and marked as a hashtag, so that Mastodon
    // takes the other link for the preview card.
    let tag_url = b.url("/tags/byggesak");
    assert!(
        content.contains(&format!(
            "<a href=\"{tag_url}\" class=\"mention hashtag\" rel=\"tag\">"
        )),
        "{content}"
    );
    let tags = note["tag"].as_array().unwrap();
    assert!(
        tags.iter().any(|t| t["type"] == "Hashtag"
            && t["name"] == "#byggesak"
            && t["href"] == tag_url.as_str()),
        "{note}"
    );
}
