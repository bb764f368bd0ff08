//! Blocks one agency keeps against a remote actor: the block hides the
//! actor's comments on that agency's items only, ends its follows of and
//! by that agency only (queuing a Reject and an Undo), and is written with
//! its audit entry in one transaction.

use crate::support::{agency, simple, ts};
use deling_store::queries::{
    audit::Audit,
    comment::{PublicVisibility, RemoteCommentData},
    outbox::{FollowRejected, FollowUndone, OutboxKind},
    remote_actor::RemoteActorData,
};

const UNDO: &str = "https://deling.example/activities/undo/1";

both!(an_agency_block_touches_that_agency_alone, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let eve_id = "https://social.example/users/eve";
    let eve = store
        .put_remote_actor(RemoteActorData {
            ap_id: eve_id.into(),
            actor_type: "Person".into(),
            domain: "social.example".into(),
            preferred_username: Some("eve".into()),
            name: None,
            inbox: format!("{eve_id}/inbox"),
            shared_inbox: None,
            url: None,
            icon_url: None,
            summary_html: None,
            public_key_pem: None,
            followers: None,
            speaks_deling: false,
        })
        .await
        .expect("eve");
    let mut items = Vec::new();
    for (n, a) in [(1, &oslo), (2, &bergen)] {
        let item = store
            .put_item(a.id, &simple("guide", "Sak", "nb", &[]))
            .await
            .expect("item");
        store
            .save_remote_comment(RemoteCommentData {
                ap_id: format!("https://social.example/notes/{n}"),
                item_id: item.id,
                in_reply_to_id: None,
                author_remote_actor_id: eve.id,
                content_html: "<p>Hei</p>".into(),
                language: None,
                published_at: ts("2026-12-05T10:00:00Z"),
                hidden: false,
                visibility: PublicVisibility::Public,
                content_warning: None,
                sensitive: false,
            })
            .await
            .expect("comment");
        store
            .put_follower(a.id, eve.id, &format!("https://social.example/follows/{n}"))
            .await
            .expect("follower");
        items.push(item.id);
    }
    store
        .put_following(
            oslo.id,
            eve.id,
            "https://deling.example/activities/follow/1",
        )
        .await
        .expect("oslo follows eve");
    let before = store.list_pending_outbox_events(100).await.expect("events");

    let audit = Audit::new(Some(1), "kari", "agency_block.put", "oslo/eve");
    let done = store
        .put_agency_block(oslo.id, eve_id, Some("spam"), UNDO, Some(&audit))
        .await
        .expect("block");
    assert_eq!(
        (
            done.comments_hidden,
            done.follow_ended,
            done.following_ended
        ),
        (1, true, true)
    );
    // eve's server is to hear both ends: a Reject of her Follow (rebuilt
    // when sent, as nothing of it was kept but its id) and an Undo of
    // oslo's; both for oslo alone.
    let events: Vec<_> = store
        .list_pending_outbox_events(100)
        .await
        .expect("events")
        .into_iter()
        .filter(|e| !before.iter().any(|b| b.id == e.id))
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    let reject = events
        .iter()
        .find(|e| e.kind == OutboxKind::FollowReject)
        .expect("a Reject queued");
    assert_eq!(reject.agency_id, Some(oslo.id));
    assert_eq!(
        reject.payload::<FollowRejected>(),
        Some(FollowRejected {
            follow_id: "https://social.example/follows/1".into(),
            follow: None,
            actor: eve_id.into(),
            inbox: format!("{eve_id}/inbox"),
        })
    );
    let undo = events
        .iter()
        .find(|e| e.kind == OutboxKind::FollowUndo)
        .expect("an Undo queued");
    let undone = undo.payload::<FollowUndone>().expect("its payload");
    assert_eq!(
        (undone.undo_id.as_str(), undone.object.as_str()),
        (UNDO, eve_id)
    );
    assert!(
        store
            .list_following(oslo.id)
            .await
            .expect("following")
            .is_empty()
    );
    assert_eq!(done.block.reason.as_deref(), Some("spam"));
    assert!(
        store
            .list_comments(items[0])
            .await
            .expect("oslo's")
            .is_empty()
    );
    assert_eq!(
        store.list_comments(items[1]).await.expect("bergen's").len(),
        1
    );
    assert!(!store.is_follower(oslo.id, eve.id).await.expect("oslo"));
    assert!(store.is_follower(bergen.id, eve.id).await.expect("bergen"));
    assert_eq!(
        store.agencies_blocking(eve_id).await.expect("blocking"),
        vec![oslo.id]
    );
    let entry = &store.list_audit(1, 0).await.expect("audit")[0];
    assert_eq!(entry.action, "agency_block.put");
    assert_eq!(entry.details["comments_hidden"], 1, "{:?}", entry.details);

    // Blocking again replaces the reason and keeps one row.
    let again = store
        .put_agency_block(oslo.id, eve_id, Some("still spam"), UNDO, None)
        .await
        .expect("again");
    assert_eq!(again.block.id, done.block.id);
    assert_eq!(again.block.reason.as_deref(), Some("still spam"));
    assert_eq!(
        (
            again.comments_hidden,
            again.follow_ended,
            again.following_ended
        ),
        (0, false, false)
    );
    let listed = store
        .list_agency_blocks(&[oslo.id, bergen.id])
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);

    // Lifted once; the comment it hid stays hidden.
    assert!(
        store
            .delete_agency_block(oslo.id, eve_id, None)
            .await
            .expect("lift")
    );
    assert!(
        !store
            .delete_agency_block(oslo.id, eve_id, None)
            .await
            .expect("again")
    );
    assert!(
        !store
            .is_blocked_by_agency(oslo.id, eve_id)
            .await
            .expect("lifted")
    );
    assert!(
        store
            .list_comments(items[0])
            .await
            .expect("oslo's")
            .is_empty()
    );
});
