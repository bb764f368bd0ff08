//! Outbox events: every outgoing activity is one, written with its change;
//! Follows, their Undos and Accepts carry what they need in a payload.

use crate::support::{agency, simple};
use deling_store::queries::{
    follow::FOLLOWING_PENDING,
    outbox::{FollowAccepted, FollowSent, FollowUndone, OutboxEvent, OutboxKind},
    remote_actor::RemoteActorData,
};
use serde_json::json;

fn actor(name: &str) -> RemoteActorData {
    RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: Some("https://social.example/inbox".into()),
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    }
}

async fn last_event(store: &deling_store::Store) -> OutboxEvent {
    store
        .list_pending_outbox_events(1000)
        .await
        .expect("events")
        .pop()
        .expect("an event")
}

both!(follows_are_queued_with_what_they_need, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let eve = store.put_remote_actor(actor("eve")).await.expect("eve");
    let mallory = store
        .put_remote_actor(actor("mallory"))
        .await
        .expect("mallory");
    let before = store
        .list_pending_outbox_events(1000)
        .await
        .expect("events");

    // Following: the row and its Follow, which names the personal inbox.
    store
        .put_following(
            oslo.id,
            eve.id,
            "https://deling.example/activities/follow/1",
        )
        .await
        .expect("follow");
    let follow = last_event(&store).await;
    assert_eq!(
        (follow.kind, follow.agency_id),
        (OutboxKind::Follow, Some(oslo.id))
    );
    assert_eq!(
        follow.payload::<FollowSent>(),
        Some(FollowSent {
            follow_id: "https://deling.example/activities/follow/1".into(),
            object: eve.ap_id.clone(),
            inbox: eve.inbox.clone(),
        })
    );
    let following = store.list_following(oslo.id).await.expect("following");
    assert_eq!(following[0].state, FOLLOWING_PENDING);

    // Unfollowing: the row goes, the Undo keeps the Follow's id.
    assert!(
        store
            .delete_following(oslo.id, eve.id, "https://deling.example/activities/undo/1")
            .await
            .expect("unfollow")
    );
    let undo = last_event(&store).await;
    assert_eq!(undo.kind, OutboxKind::FollowUndo);
    assert_eq!(
        undo.payload::<FollowUndone>(),
        Some(FollowUndone {
            undo_id: "https://deling.example/activities/undo/1".into(),
            follow_id: "https://deling.example/activities/follow/1".into(),
            object: eve.ap_id.clone(),
            inbox: eve.inbox.clone(),
        })
    );
    assert!(
        store
            .list_following(oslo.id)
            .await
            .expect("following")
            .is_empty()
    );
    // Nothing to undo: nothing queued.
    let count = store
        .list_pending_outbox_events(1000)
        .await
        .expect("events")
        .len();
    assert!(
        !store
            .delete_following(oslo.id, eve.id, "https://deling.example/activities/undo/2")
            .await
            .expect("unfollow again")
    );
    assert_eq!(
        store
            .list_pending_outbox_events(1000)
            .await
            .expect("events")
            .len(),
        count
    );

    // A follower's Follow: the follower and the Accept, which embeds it.
    let received = json!({"type": "Follow", "id": "https://social.example/follows/9",
        "actor": eve.ap_id, "object": "https://deling.example/agencies/oslo",
        "aardvark": {"z": 1, "a": 2}});
    store
        .accept_follower(
            oslo.id,
            eve.id,
            "https://social.example/follows/9",
            received.clone(),
        )
        .await
        .expect("accept");
    assert!(store.is_follower(oslo.id, eve.id).await.expect("follower"));
    let accept = last_event(&store).await;
    assert_eq!(
        (accept.kind, accept.agency_id),
        (OutboxKind::FollowAccept, Some(oslo.id))
    );
    assert_eq!(
        accept.payload::<FollowAccepted>(),
        Some(FollowAccepted {
            follow_id: "https://social.example/follows/9".into(),
            follow: received.clone(),
            actor: eve.ap_id.clone(),
            inbox: eve.inbox.clone(),
        })
    );
    // Embedded as it came, its fields in their order (which `==` on JSON
    // objects does not see).
    assert_eq!(
        accept
            .payload::<FollowAccepted>()
            .unwrap()
            .follow
            .to_string(),
        received.to_string()
    );
    // A payload of another kind does not read as this one.
    assert_eq!(accept.payload::<FollowUndone>(), None);

    // An account that moved: the old Follow undone, the new one sent.
    store
        .put_following(
            oslo.id,
            eve.id,
            "https://deling.example/activities/follow/2",
        )
        .await
        .expect("follow again");
    assert!(
        store
            .update_following_moved(
                oslo.id,
                eve.id,
                mallory.id,
                "https://deling.example/activities/follow/3",
                "https://deling.example/activities/undo/3",
            )
            .await
            .expect("moved")
    );
    let events = store
        .list_pending_outbox_events(1000)
        .await
        .expect("events");
    let [.., undo, follow] = events.as_slice() else {
        panic!("two events: {events:?}");
    };
    assert_eq!(
        undo.payload::<FollowUndone>(),
        Some(FollowUndone {
            undo_id: "https://deling.example/activities/undo/3".into(),
            follow_id: "https://deling.example/activities/follow/2".into(),
            object: eve.ap_id.clone(),
            inbox: eve.inbox.clone(),
        })
    );
    assert_eq!(
        follow.payload::<FollowSent>(),
        Some(FollowSent {
            follow_id: "https://deling.example/activities/follow/3".into(),
            object: mallory.ap_id.clone(),
            inbox: mallory.inbox.clone(),
        })
    );
    assert_eq!(events.len(), before.len() + 6);
});

both!(an_event_of_an_unknown_kind_is_set_aside, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let first = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("item");
    let event = last_event(&store).await;
    assert_eq!(
        (event.kind, event.item_id),
        (OutboxKind::ItemCreate, Some(first.id))
    );
    // As a newer version might have written it.
    store
        .execute_unprepared(&format!(
            "UPDATE outbox_event SET kind = 'item_teleport' WHERE id = {}",
            event.id
        ))
        .await
        .expect("damage");
    let second = store
        .put_item(oslo.id, &simple("guide", "Parkering", "nb", &[]))
        .await
        .expect("item");
    for _ in 0..2 {
        let pending = store
            .list_pending_outbox_events(1000)
            .await
            .expect("events");
        assert!(pending.iter().all(|e| e.id != event.id), "{pending:?}");
        assert_eq!(
            pending.last().map(|e| (e.kind, e.item_id)),
            Some((OutboxKind::ItemCreate, Some(second.id)))
        );
    }
});
