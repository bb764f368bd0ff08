//! Each builder against the JSON peers received before the builders were
//! typed: the expected activities are written out by hand here, field by
//! field and in order (bodies are compared as text), with the ids they
//! always had.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::{
    Urls,
    context::FedContext,
    objects::{
        agency::agency_actor,
        item::{item_note, item_page},
    },
};
use deling_domain::{
    audience::Visibility,
    item::{ItemContent, RawItem},
    slug::Slug,
    text::DisplayName,
};
use deling_store::{
    Store,
    queries::{
        agency::NewAgency,
        audit::Audit,
        message::{Addressed, AnswerData, MessageCopy, RemoteMessageData},
        remote_actor::RemoteActorData,
    },
    records::RemoteActor,
};
use serde_json::json;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const OSLO: &str = "https://deling.test/agencies/oslo";
const OSLO_FOLLOWERS: &str = "https://deling.test/agencies/oslo/followers";
/// The shared inbox of the follower that speaks Deling.
const PEER_INBOX: &str = "https://peer.example/inbox";
/// The shared inbox of the follower that does not.
const SOCIAL_INBOX: &str = "https://social.example/inbox";
const EVE: &str = "https://social.example/users/eve";
const EVE_INBOX: &str = "https://social.example/users/eve/inbox";
const CARL: &str = "https://third.example/users/carl";
const CARL_INBOX: &str = "https://third.example/users/carl/inbox";

struct World {
    data: Data,
    store: Store,
    oslo: Agency,
    nav: Agency,
    eve: RemoteActor,
    carl: RemoteActor,
    _dir: tempfile::TempDir,
}

fn actor(ap_id: &str, shared_inbox: Option<&str>, speaks_deling: bool) -> RemoteActorData {
    let url = Url::parse(ap_id).unwrap();
    RemoteActorData {
        ap_id: ap_id.into(),
        actor_type: "Person".into(),
        domain: authority(&url),
        preferred_username: url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .map(str::to_owned),
        name: None,
        inbox: format!("{ap_id}/inbox"),
        shared_inbox: shared_inbox.map(str::to_owned),
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling,
    }
}

fn new_agency(slug: &str) -> NewAgency {
    NewAgency {
        slug: Slug::parse(slug).unwrap(),
        name: DisplayName::parse(slug).unwrap(),
        org_number: None,
        public_key_pem: format!("{slug}-pub"),
        private_key_pem: format!("{slug}-priv"),
    }
}

/// Oslo followed by a Deling agency (`peer.example`) and by Eve on a
/// microblogging server (`social.example`); NAV followed by Eve.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("o.sqlite3").display()
    );
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let oslo = store.put_agency(new_agency("oslo")).await.unwrap();
    let nav = store.put_agency(new_agency("nav")).await.unwrap();
    let bergen = store
        .put_remote_actor(actor(
            "https://peer.example/agencies/bergen",
            Some(PEER_INBOX),
            true,
        ))
        .await
        .unwrap();
    let eve = store
        .put_remote_actor(actor(EVE, Some(SOCIAL_INBOX), false))
        .await
        .unwrap();
    let carl = store
        .put_remote_actor(actor(CARL, None, false))
        .await
        .unwrap();
    for (agency, follower) in [(&oslo, &bergen), (&oslo, &eve), (&nav, &eve)] {
        store
            .put_follower(
                agency.id,
                follower.id,
                &format!("{}#follow", follower.ap_id),
            )
            .await
            .unwrap();
    }
    let ctx = FedContext {
        store: store.clone(),
        urls: Urls::for_domain("deling.test", false).unwrap(),
        settings: crate::context::FedSettings {
            domain: "deling.test".into(),
            debug: false,
            allow_private_addresses: false,
            require_signed_fetch: false,
            retry_base: std::time::Duration::from_secs(1),
            max_attempts: 3,
            http: Default::default(),
            follower_caps: Default::default(),
        },
        wake: Default::default(),
        client: reqwest::Client::new(),
        metrics: crate::metrics::Metrics::new().unwrap(),
        key_refetches: Default::default(),
        inbox_memo: Default::default(),
        inbox_batch: Default::default(),
        keys: Default::default(),
    };
    let config = activitypub_federation::config::FederationConfig::builder()
        .domain("deling.test")
        .app_data(ctx)
        .build()
        .await
        .unwrap();
    World {
        data: config.to_request_data(),
        store,
        oslo,
        nav,
        eve,
        carl,
        _dir: dir,
    }
}

impl World {
    /// What the latest event queues: (inbox, body) in order, and the event.
    async fn sent(&self) -> (Vec<(String, String)>, OutboxEvent) {
        let event = self
            .store
            .list_pending_outbox_events(1000)
            .await
            .unwrap()
            .pop()
            .expect("an event");
        (self.sent_for(&event).await, event)
    }

    async fn sent_for(&self, event: &OutboxEvent) -> Vec<(String, String)> {
        deliveries_for(event, &self.data)
            .await
            .unwrap()
            .into_iter()
            .map(|d| {
                let id = serde_json::from_str::<Value>(&d.body).unwrap()["id"].clone();
                assert_eq!(
                    id,
                    json!(d.activity_id),
                    "the row is keyed by the activity's id"
                );
                assert_eq!(d.agency_id, event.agency_id, "signed by the event's agency");
                (d.inbox, d.body)
            })
            .collect()
    }

    async fn item(&self, title: &str) -> deling_store::records::Item {
        let content = ItemContent::parse(RawItem {
            kind: Some("guide".into()),
            title: Some(title.into()),
            summary: Some("Kort".into()),
            language: Some("nb".into()),
            tags: Some(vec!["plan".into()]),
            ..Default::default()
        })
        .unwrap();
        self.store.put_item(self.oslo.id, &content).await.unwrap()
    }
}

/// `activity` as a delivery's body: with our `@context`, as text.
fn body(activity: Value) -> String {
    with_context(&activity).to_string()
}

fn to(inbox: &str, activity: Value) -> (String, String) {
    (inbox.to_owned(), body(activity))
}

#[tokio::test]
async fn items_are_created_updated_pinned_and_deleted_as_before() {
    let w = world().await;
    let item = w.item("Byggesak").await;
    let id = item.id;

    // Created: the Page to Deling, the Note to the others; `published` is
    // when it went out.
    let (sent, _) = w.sent().await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    let published = serde_json::from_str::<Value>(&sent[0].1).unwrap()["published"].clone();
    let when: chrono::DateTime<chrono::Utc> = serde_json::from_value(published.clone()).unwrap();
    assert!((chrono::Utc::now() - when).num_seconds().abs() < 60);
    let page = item_page(&w.data.urls, &item, Default::default()).unwrap();
    let note = item_note(&page);
    let create = |object: Value| {
        json!({"type": "Create", "id": format!("https://deling.test/items/{id}/create"),
            "actor": OSLO, "object": object, "to": [PUBLIC], "cc": [OSLO_FOLLOWERS],
            "published": published})
    };
    assert_eq!(
        sent,
        vec![
            to(PEER_INBOX, create(serde_json::to_value(&page).unwrap())),
            to(SOCIAL_INBOX, create(serde_json::to_value(&note).unwrap())),
        ]
    );
    // The same Create, as served at its id, says when the item was published.
    let served = serde_json::to_value(item::create_of(&w.data.urls, id, &page)).unwrap();
    let mut expected = create(serde_json::to_value(&page).unwrap());
    expected["published"] = json!(item.published_at);
    assert_eq!(served.to_string(), expected.to_string());

    // Edited: an Update per event.
    let content = ItemContent::parse(RawItem {
        kind: Some("guide".into()),
        title: Some("Byggesak 2".into()),
        language: Some("nb".into()),
        ..Default::default()
    })
    .unwrap();
    let edited = w.store.update_item(id, &content).await.unwrap();
    let (sent, event) = w.sent().await;
    let page = item_page(&w.data.urls, &edited, Default::default()).unwrap();
    let published = serde_json::from_str::<Value>(&sent[0].1).unwrap()["published"].clone();
    let update = |object: Value| {
        json!({"type": "Update",
            "id": format!("https://deling.test/items/{id}/updates/{}", event.id),
            "actor": OSLO, "object": object, "to": [PUBLIC], "cc": [OSLO_FOLLOWERS],
            "published": published})
    };
    assert_eq!(
        sent,
        vec![
            to(PEER_INBOX, update(serde_json::to_value(&page).unwrap())),
            to(
                SOCIAL_INBOX,
                update(serde_json::to_value(item_note(&page)).unwrap())
            ),
        ]
    );

    // Pinned and unpinned: Add to and Remove from `featured`.
    assert!(w.store.pin_item(id, w.oslo.id).await.unwrap());
    let (sent, event) = w.sent().await;
    let featured = |kind: &str, path: &str, event: i64| {
        json!({"type": kind,
            "id": format!("https://deling.test/agencies/oslo/featured/{path}/{event}"),
            "actor": OSLO, "object": format!("https://deling.test/items/{id}"),
            "target": "https://deling.test/agencies/oslo/featured",
            "to": [PUBLIC], "cc": [OSLO_FOLLOWERS]})
    };
    let both = |a: Value| vec![to(PEER_INBOX, a.clone()), to(SOCIAL_INBOX, a)];
    assert_eq!(sent, both(featured("Add", "adds", event.id)));
    assert!(w.store.unpin_item(id, w.oslo.id).await.unwrap());
    let (sent, event) = w.sent().await;
    assert_eq!(sent, both(featured("Remove", "removes", event.id)));

    // Withdrawn: a Delete naming its Tombstone; its Create, fanned out
    // late, sends nothing.
    w.store.delete_item(id).await.unwrap();
    let (sent, _) = w.sent().await;
    assert_eq!(
        sent,
        both(
            json!({"type": "Delete", "id": format!("https://deling.test/items/{id}/delete"),
            "actor": OSLO,
            "object": {"type": "Tombstone", "id": format!("https://deling.test/items/{id}"),
                       "formerType": "Page"},
            "to": [PUBLIC], "cc": [OSLO_FOLLOWERS]})
        )
    );
    let events = w.store.list_pending_outbox_events(1000).await.unwrap();
    let created = events
        .iter()
        .find(|e| e.kind == OutboxKind::ItemCreate)
        .unwrap();
    assert!(w.sent_for(created).await.is_empty());
}

#[tokio::test]
async fn comments_are_created_updated_and_deleted_as_before() {
    let w = world().await;
    let item = w.item("Byggesak").await;
    let c = w
        .store
        .put_agency_comment(item.id, w.oslo.id, None, "hei", "<p>hei</p>", None)
        .await
        .unwrap();
    let note = |content: &str, updated: Option<chrono::DateTime<chrono::Utc>>| {
        let mut n = json!({"type": "Note", "id": format!("https://deling.test/comments/{}", c.id),
            "attributedTo": OSLO, "inReplyTo": format!("https://deling.test/items/{}", item.id),
            "content": content, "to": [PUBLIC], "cc": [OSLO_FOLLOWERS],
            "published": c.published_at});
        if let Some(u) = updated {
            n["updated"] = json!(u);
        }
        n
    };
    let both = |a: Value| vec![to(PEER_INBOX, a.clone()), to(SOCIAL_INBOX, a)];
    let (sent, _) = w.sent().await;
    assert_eq!(
        sent,
        both(json!({"type": "Create",
            "id": format!("https://deling.test/comments/{}/create", c.id),
            "actor": OSLO, "object": note("<p>hei</p>", None), "to": [PUBLIC],
            "cc": [OSLO_FOLLOWERS], "published": c.published_at}))
    );

    let edited = w
        .store
        .update_own_comment(c.id, w.oslo.id, "hallo", "<p>hallo</p>")
        .await
        .unwrap()
        .unwrap();
    let (sent, event) = w.sent().await;
    assert_eq!(
        sent,
        both(json!({"type": "Update",
            "id": format!("https://deling.test/comments/{}/updates/{}", c.id, event.id),
            "actor": OSLO, "object": note("<p>hallo</p>", edited.updated_at), "to": [PUBLIC],
            "cc": [OSLO_FOLLOWERS], "published": edited.updated_at}))
    );

    assert!(
        w.store
            .delete_own_comment(c.id, w.oslo.id, None)
            .await
            .unwrap()
    );
    let (sent, _) = w.sent().await;
    assert_eq!(
        sent,
        both(json!({"type": "Delete",
            "id": format!("https://deling.test/comments/{}/delete", c.id), "actor": OSLO,
            "object": {"type": "Tombstone", "id": format!("https://deling.test/comments/{}", c.id),
                       "formerType": "Note"},
            "to": [PUBLIC], "cc": [OSLO_FOLLOWERS]}))
    );
}

#[tokio::test]
async fn shares_are_announced_and_undone_as_before() {
    let w = world().await;
    let item = w.item("Byggesak").await;
    let deling_store::queries::share::Shared::New(share) =
        w.store.put_share(w.nav.id, item.id).await.unwrap()
    else {
        panic!("shared");
    };
    let announce = json!({"type": "Announce",
        "id": format!("https://deling.test/shares/{}", share.id),
        "actor": "https://deling.test/agencies/nav",
        "object": format!("https://deling.test/items/{}", item.id),
        "published": share.created_at, "to": [PUBLIC],
        "cc": ["https://deling.test/agencies/nav/followers", OSLO]});
    let (sent, _) = w.sent().await;
    assert_eq!(sent, vec![to(SOCIAL_INBOX, announce.clone())]);
    // As served at its id.
    let (served, owner) = share::announce(&w.store, &w.data.urls, &share, &w.nav, &item)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_string(&served).unwrap(),
        announce.to_string()
    );
    assert!(owner.is_empty(), "a local item's owner gets no delivery");

    assert!(w.store.undo_share(w.nav.id, item.id).await.unwrap());
    let (sent, _) = w.sent().await;
    assert_eq!(
        sent,
        vec![to(
            SOCIAL_INBOX,
            json!({"type": "Undo", "id": format!("https://deling.test/shares/{}/undo", share.id),
                "actor": "https://deling.test/agencies/nav", "object": announce,
                "to": [PUBLIC], "cc": ["https://deling.test/agencies/nav/followers", OSLO]})
        )]
    );
}

#[tokio::test]
async fn a_direct_answer_goes_to_its_author_alone() {
    // To the author's server (its shared inbox), not to Oslo's followers
    // there or anywhere else.
    let w = world().await;
    let parent = w
        .store
        .put_remote_message(
            &[MessageCopy::unthreaded(w.oslo.id)],
            RemoteMessageData {
                ap_id: "https://social.example/notes/1".into(),
                author_remote_actor_id: w.eve.id,
                in_reply_to: None,
                visibility: Visibility::Direct,
                content_warning: None,
                sensitive: false,
                content_html: "<p>Hei?</p>".into(),
                language: None,
                addressed: Addressed {
                    to: vec![OSLO.into()],
                    cc: vec![],
                },
                published_at: chrono::Utc::now(),
                held: false,
            },
        )
        .await
        .unwrap()
        .pop()
        .unwrap();
    let answer = w
        .store
        .put_message_answer(AnswerData {
            agency_id: w.oslo.id,
            parent_id: parent.id,
            source: "Hei!".into(),
            html: "<p>Hei!</p>".into(),
            visibility: Visibility::Direct,
            addressed: Addressed {
                to: vec![EVE.into()],
                cc: vec![],
            },
        })
        .await
        .unwrap()
        .unwrap();
    let (sent, _) = w.sent().await;
    let note = json!({"type": "Note", "id": format!("https://deling.test/messages/{}", answer.id),
        "attributedTo": OSLO, "inReplyTo": "https://social.example/notes/1",
        "content": "<p>Hei!</p>", "to": [EVE], "cc": [],
        "tag": [{"type": "Mention", "href": EVE, "name": "@eve@social.example"}],
        "published": answer.published_at});
    assert_eq!(
        sent,
        vec![to(
            SOCIAL_INBOX,
            json!({"type": "Create",
                "id": format!("https://deling.test/messages/{}/create", answer.id),
                "actor": OSLO, "object": note, "to": [EVE], "cc": [],
                "published": answer.published_at})
        )]
    );
}

#[tokio::test]
async fn follows_undos_and_accepts_go_to_the_other_actor_as_before() {
    let w = world().await;
    let follow_id = "https://deling.test/activities/follow/0123456789abcdef01234567";
    w.store
        .put_following(w.oslo.id, w.carl.id, follow_id)
        .await
        .unwrap();
    let (sent, _) = w.sent().await;
    assert_eq!(
        sent,
        vec![to(
            CARL_INBOX,
            json!({"type": "Follow", "id": follow_id, "actor": OSLO, "object": CARL,
                "to": [CARL]})
        )]
    );

    let undo_id = "https://deling.test/activities/undo/76543210fedcba9876543210";
    assert!(
        w.store
            .delete_following(w.oslo.id, w.carl.id, undo_id)
            .await
            .unwrap()
    );
    let (sent, _) = w.sent().await;
    assert_eq!(
        sent,
        vec![to(
            CARL_INBOX,
            json!({"type": "Undo", "id": undo_id, "actor": OSLO,
                "object": {"type": "Follow", "id": follow_id, "actor": OSLO, "object": CARL},
                "to": [CARL]})
        )]
    );

    // The Follow received, embedded as it came (without `@context`), and
    // an id that depends on the Follow's alone.
    let follow = json!({"id": "https://social.example/follows/1", "type": "Follow",
        "actor": EVE, "object": OSLO, "extra": {"kept": true}});
    w.store
        .accept_follower(
            w.oslo.id,
            w.eve.id,
            "https://social.example/follows/1",
            follow.clone(),
        )
        .await
        .unwrap();
    let (sent, _) = w.sent().await;
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(b"https://social.example/follows/1");
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        sent,
        vec![to(
            EVE_INBOX,
            json!({"type": "Accept", "id": format!("https://deling.test/activities/accept/{hex}"),
                "actor": OSLO, "object": follow, "to": [EVE]})
        )]
    );
}

#[tokio::test]
async fn an_agency_updates_rotates_moves_and_withdraws_as_before() {
    let w = world().await;
    let audit = Audit::new(None, "cli", "test", "oslo");
    let both = |a: Value| vec![to(PEER_INBOX, a.clone()), to(SOCIAL_INBOX, a)];

    let updated = w
        .store
        .update_agency_aliases(w.oslo.id, &[EVE.into()], &audit)
        .await
        .unwrap();
    let (sent, event) = w.sent().await;
    let update = |id: String, agency: &Agency| {
        json!({"type": "Update", "id": id, "actor": OSLO,
            "object": serde_json::to_value(agency_actor(&w.data.urls, agency)).unwrap(),
            "to": [PUBLIC], "cc": [OSLO_FOLLOWERS], "published": agency.updated_at})
    };
    assert_eq!(
        sent,
        both(update(
            format!("https://deling.test/agencies/oslo/updates/{}", event.id),
            &updated
        ))
    );

    // A new key: those it follows are told too.
    w.store
        .put_following(
            w.oslo.id,
            w.carl.id,
            "https://deling.test/activities/follow/1",
        )
        .await
        .unwrap();
    let rotated = w
        .store
        .rotate_agency_key(
            w.oslo.id,
            "new-pub".into(),
            "new-priv".into(),
            chrono::Utc::now() + chrono::TimeDelta::days(7),
            None,
        )
        .await
        .unwrap();
    let (sent, event) = w.sent().await;
    let a = update(
        format!("https://deling.test/agencies/oslo/key-updates/{}", event.id),
        &rotated,
    );
    assert_eq!(
        sent,
        vec![
            to(PEER_INBOX, a.clone()),
            to(SOCIAL_INBOX, a.clone()),
            to(CARL_INBOX, a)
        ]
    );

    // Moved: the Update (with `movedTo`), then the Move.
    let moved = w
        .store
        .update_agency_moved(w.oslo.id, "https://social.example/users/oslo", &audit)
        .await
        .unwrap();
    let events = w.store.list_pending_outbox_events(1000).await.unwrap();
    let [.., update_event, move_event] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert_eq!(
        w.sent_for(update_event).await,
        both(update(
            format!(
                "https://deling.test/agencies/oslo/updates/{}",
                update_event.id
            ),
            &moved
        ))
    );
    assert_eq!(
        w.sent_for(move_event).await,
        both(json!({"type": "Move",
            "id": format!("https://deling.test/agencies/oslo/moves/{}", move_event.id),
            "actor": OSLO, "object": OSLO, "target": "https://social.example/users/oslo",
            "to": [OSLO_FOLLOWERS]}))
    );

    // An item withdrawn just before the agency: its Delete is still due.
    let item = w.item("Byggesak").await;
    w.store.delete_item(item.id).await.unwrap();
    let (_, item_delete) = w.sent().await;

    // Withdrawn: the Delete of the actor, to followers and followed; then
    // nothing else it queued but the item's Delete.
    w.store.withdraw_agency(w.oslo.id, None).await.unwrap();
    let (sent, _) = w.sent().await;
    let delete = json!({"type": "Delete", "id": "https://deling.test/agencies/oslo/delete",
        "actor": OSLO, "object": OSLO, "to": [PUBLIC], "cc": [OSLO_FOLLOWERS]});
    assert_eq!(
        sent,
        vec![
            to(PEER_INBOX, delete.clone()),
            to(SOCIAL_INBOX, delete.clone()),
            to(CARL_INBOX, delete)
        ]
    );
    assert!(w.sent_for(move_event).await.is_empty());
    let sent = w.sent_for(&item_delete).await;
    assert!(!sent.is_empty(), "the item's Delete was dropped");
    assert!(
        sent.iter()
            .all(|(_, b)| b.contains(&format!("/items/{}/delete", item.id))),
        "{sent:?}"
    );
    assert!(outbox_agency_delete_is_known(&w));
}

fn outbox_agency_delete_is_known(w: &World) -> bool {
    let sends = |id: &str| agency::sends_when_withdrawn(&w.data.urls, &w.oslo, id);
    sends("https://deling.test/agencies/oslo/delete")
        && sends("https://deling.test/items/7/delete")
        && sends("https://deling.test/comments/7/delete")
        && !sends("https://deling.test/agencies/bergen/delete")
        && !sends("https://deling.test/agencies/oslo/updates/1")
        && !sends("https://deling.test/items/7/create")
        && !sends("https://deling.test/shares/7")
}

#[tokio::test]
async fn a_blocked_domain_gets_nothing() {
    let w = world().await;
    use deling_domain::policy::{Domain, Severity};
    let domain = Domain::parse("social.example").unwrap();
    w.store
        .put_domain_policy(&domain, Severity::Suspend, None, None, None)
        .await
        .unwrap();
    w.item("Byggesak").await;
    let (sent, _) = w.sent().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, PEER_INBOX);
}

#[tokio::test]
async fn hosts_known_to_answer_are_sent_to_first_and_failing_ones_last() {
    let w = world().await;
    // Three more followers of Oslo, each on a host of its own.
    for host in ["down.example", "fine.example", "fresh.example"] {
        let follower = w
            .store
            .put_remote_actor(actor(
                &format!("https://{host}/users/a"),
                Some(&format!("https://{host}/inbox")),
                false,
            ))
            .await
            .unwrap();
        w.store
            .put_follower(
                w.oslo.id,
                follower.id,
                &format!("{}#follow", follower.ap_id),
            )
            .await
            .unwrap();
    }
    w.store.put_host_success("fine.example").await.unwrap();
    let later = chrono::Utc::now() + chrono::Duration::minutes(5);
    w.store
        .put_host_failure("down.example", "timed out", later)
        .await
        .unwrap();
    // Bergen (`peer.example`) speaks Deling and gets an activity of its
    // own; the order is within each activity's inboxes.
    let others = |inbox: &&String| *inbox != PEER_INBOX;
    let followers = w.store.list_follower_inboxes(w.oslo.id).await.unwrap();
    let unknown: Vec<&String> = followers
        .iter()
        .filter(others)
        .filter(|i| !i.contains("fine.example") && !i.contains("down.example"))
        .collect();
    assert_eq!(unknown.len(), 2, "{followers:?}");

    w.item("Byggesak").await;
    let (sent, _) = w.sent().await;
    let inboxes: Vec<&String> = sent.iter().map(|(inbox, _)| inbox).filter(others).collect();
    assert_eq!(inboxes.len(), 4, "{inboxes:?}");
    assert_eq!(inboxes[0], "https://fine.example/inbox", "{inboxes:?}");
    assert_eq!(inboxes[1..3], unknown[..], "followers' order kept");
    assert_eq!(inboxes[3], "https://down.example/inbox", "{inboxes:?}");
}
