//! Who an item's edit or withdrawal goes to: every inbox that may hold a
//! copy, each once.

use crate::support::{agency, remote_person, simple, ts};
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

both!(reach_of_items, |store| {
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
    let b = actor("b", true).await;
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
});
