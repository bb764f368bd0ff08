//! Who an item's edit or withdrawal, and an agency's withdrawal, goes to:
//! every inbox that may hold a copy, each once.

use crate::support::{agency, remote_item, remote_person, simple, ts};
use deling_store::queries::comment::{PublicVisibility, RemoteCommentData};

fn remote_comment(
    ap_id: &str,
    item_id: i64,
    parent: Option<i64>,
    author: i64,
) -> RemoteCommentData {
    RemoteCommentData {
        ap_id: ap_id.into(),
        item_id,
        in_reply_to_id: parent,
        author_remote_actor_id: author,
        content_html: "<p>Hei</p>".into(),
        language: None,
        published_at: ts("2026-12-05T10:00:00Z"),
        hidden: false,
        visibility: PublicVisibility::Public,
        content_warning: None,
        sensitive: false,
    }
}

both!(reach_of_items_and_agencies, |store| {
    use deling_domain::audience::Visibility;
    use deling_store::queries::message::{Addressed, MessageCopy, RemoteMessageData};
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let tromso = agency(&store, "tromso", "Tromsø kommune").await;
    // One actor per host, each its own inbox; `f` has no shared inbox.
    let actor = async |host: &str, shared: bool| {
        store
            .put_remote_actor(remote_person(&format!("{host}.example"), host, shared))
            .await
            .expect("actor")
    };
    let (f, g, l, c, s, t) = (
        actor("f", false).await,
        actor("g", true).await,
        actor("l", true).await,
        actor("c", true).await,
        actor("s", true).await,
        actor("t", true).await,
    );
    let (o, p, r, m, b) = (
        actor("o", true).await,
        actor("p", true).await,
        actor("r", true).await,
        actor("m", true).await,
        actor("b", true).await,
    );
    let item = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("item");
    let theirs = store
        .put_item(bergen.id, &simple("guide", "Bergens", "nb", &[]))
        .await
        .expect("bergen's item");
    // f follows oslo; oslo follows g; l liked and c answered oslo's item;
    // bergen shared it (and took the share back) and s follows bergen;
    // t follows tromso, b liked bergen's item: neither holds oslo's.
    store
        .put_follower(oslo.id, f.id, "https://f.example/1")
        .await
        .unwrap();
    store
        .put_following(oslo.id, g.id, "https://deling.example/f/1")
        .await
        .unwrap();
    store
        .put_reaction(item.id, l.id, "like", "https://l.example/1")
        .await
        .unwrap();
    store
        .put_remote_comment(remote_comment("https://c.example/1", item.id, None, c.id))
        .await
        .unwrap();
    store.put_share(bergen.id, item.id).await.unwrap();
    assert!(store.undo_share(bergen.id, item.id).await.unwrap());
    store
        .put_follower(bergen.id, s.id, "https://s.example/1")
        .await
        .unwrap();
    store
        .put_follower(tromso.id, t.id, "https://t.example/1")
        .await
        .unwrap();
    store
        .put_reaction(theirs.id, b.id, "like", "https://b.example/1")
        .await
        .unwrap();

    let (deling, others) = store
        .list_item_reach_inboxes_by_dialect(oslo.id, item.id)
        .await
        .unwrap();
    assert!(deling.is_empty(), "{deling:?}");
    assert_eq!(
        others,
        [
            "https://c.example/inbox",
            "https://f.example/users/f/inbox",
            "https://l.example/inbox",
            "https://s.example/inbox",
        ]
    );

    // oslo commented on o's item, answering p, and r answered oslo; m
    // wrote to oslo's staff inbox.
    let t0 = chrono::Utc::now();
    let remote = store
        .put_remote_item(remote_item("https://o.example/items/1", o.id, t0))
        .await
        .unwrap();
    let parent = store
        .put_remote_comment(remote_comment("https://p.example/1", remote.id, None, p.id))
        .await
        .unwrap();
    let answer = store
        .put_agency_comment(remote.id, oslo.id, Some(parent.id), "Ja", "<p>Ja</p>", None)
        .await
        .unwrap();
    store
        .put_remote_comment(remote_comment(
            "https://r.example/1",
            remote.id,
            Some(answer.id),
            r.id,
        ))
        .await
        .unwrap();
    store
        .put_remote_message(
            &[MessageCopy::unthreaded(oslo.id)],
            RemoteMessageData {
                ap_id: "https://m.example/1".into(),
                author_remote_actor_id: m.id,
                in_reply_to: None,
                visibility: Visibility::Direct,
                content_warning: None,
                sensitive: false,
                content_html: "<p>Hei</p>".into(),
                language: None,
                addressed: Addressed {
                    to: vec!["https://deling.example/agencies/oslo".into()],
                    cc: vec![],
                },
                published_at: t0,
                held: false,
            },
        )
        .await
        .unwrap();

    // oslo withdrawn: its actor's Delete reaches all of them, once each,
    // and no one who holds nothing of oslo's.
    store.withdraw_agency(oslo.id, None).await.unwrap();
    assert_eq!(
        store.list_agency_reach_inboxes(oslo.id).await.unwrap(),
        [
            "https://c.example/inbox",
            "https://f.example/users/f/inbox",
            "https://g.example/inbox",
            "https://l.example/inbox",
            "https://m.example/inbox",
            "https://o.example/inbox",
            "https://p.example/inbox",
            "https://r.example/inbox",
            "https://s.example/inbox",
        ]
    );
    assert_eq!(
        store.list_agency_reach_inboxes(tromso.id).await.unwrap(),
        ["https://t.example/inbox"]
    );
});
