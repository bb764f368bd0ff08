//! The lean reads and writes the inbox takes: the sender's policy verdict
//! in one statement (against the separate reads it replaces), an item's
//! state, a received comment saved without reading it back, an author's
//! recent comments counted in the database, what is remembered of an id in
//! one read (against the three reads it replaces), and a run of activities
//! marked done at once.

use crate::support::{agency, remote_person, simple};
use deling_domain::policy::{Domain, FederationMode, Severity};
use deling_store::{
    Store, StoreError,
    queries::{
        comment::{PublicVisibility, RemoteCommentData},
        policy::{SenderVerdict, Verdict, policy_generation},
        remote_actor::RemoteActorData,
    },
    records::{Item, RemoteActor},
};

fn person(name: &str) -> RemoteActorData {
    remote_person("social.example", name, false)
}

/// Oslo's item, and eve and bob on social.example.
/// A direct message `ap_id` by `author`, addressed to nobody in
/// particular (the copies say which agencies have it).
fn direct_message(ap_id: &str, author: i64) -> deling_store::queries::message::RemoteMessageData {
    use deling_store::queries::message::{Addressed, RemoteMessageData};
    RemoteMessageData {
        ap_id: ap_id.to_owned(),
        author_remote_actor_id: author,
        in_reply_to: None,
        visibility: deling_domain::audience::Visibility::Direct,
        content_warning: None,
        sensitive: false,
        content_html: "<p>Hei</p>".into(),
        language: None,
        addressed: Addressed {
            to: vec![],
            cc: vec![],
        },
        published_at: chrono::Utc::now(),
        held: false,
    }
}

async fn an_item_with_eve_and_bob(store: &Store) -> (Item, RemoteActor, RemoteActor) {
    let oslo = agency(store, "oslo", "Oslo").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Veileder", "nb", &[]))
        .await
        .unwrap();
    let eve = store.put_remote_actor(person("eve")).await.unwrap();
    let bob = store.put_remote_actor(person("bob")).await.unwrap();
    (item, eve, bob)
}

fn reply(ap_id: &str, item_id: i64, author: i64, text: &str) -> RemoteCommentData {
    RemoteCommentData {
        ap_id: ap_id.into(),
        item_id,
        in_reply_to_id: None,
        author_remote_actor_id: author,
        content_html: format!("<p>{text}</p>"),
        language: None,
        published_at: chrono::Utc::now(),
        hidden: false,
        visibility: PublicVisibility::Public,
        content_warning: None,
        sensitive: false,
    }
}

/// The one-statement verdict agrees with the reads it replaces.
async fn agrees(store: &Store, actor: &str, host: &str) -> SenderVerdict {
    let one = store.get_sender_verdict(actor, host).await.unwrap();
    assert_eq!(
        one.host,
        store.get_host_verdict(host).await.unwrap(),
        "{actor} on {host}"
    );
    assert_eq!(one.blocked, store.is_actor_blocked(actor).await.unwrap());
    // With the agencies' blocks: the same verdict, and those blocks.
    let (standing, blockers) = store.get_sender_standing(actor, host).await.unwrap();
    assert_eq!(standing, one, "{actor} on {host}");
    let mut separately = store.agencies_blocking(actor).await.unwrap();
    separately.sort_unstable();
    assert_eq!(blockers, separately, "{actor}");
    one
}

fn domain(d: &str) -> Domain {
    Domain::parse(d).unwrap()
}

both!(sender_verdict_in_one_statement, |store| {
    let eve = "https://a.social.example:8443/users/eve";
    let host = "a.social.example:8443";
    let open = agrees(&store, eve, host).await;
    assert_eq!(open.host, Verdict::Open);
    assert!(!open.refused());

    // A policy on a parent domain covers the host; the nearest one counts.
    let before = policy_generation();
    store
        .put_domain_policy(
            &domain("social.example"),
            Severity::Silence,
            None,
            None,
            None,
        )
        .await
        .unwrap();
    assert!(
        policy_generation() > before,
        "a change moves the generation"
    );
    assert_eq!(agrees(&store, eve, host).await.host, Verdict::Silenced);
    store
        .put_domain_policy(
            &domain("a.social.example"),
            Severity::Suspend,
            None,
            None,
            None,
        )
        .await
        .unwrap();
    let suspended = agrees(&store, eve, "A.Social.Example.:8443").await;
    assert_eq!(suspended.host, Verdict::Refused);
    assert!(suspended.refused());
    store
        .delete_domain_policy(&domain("a.social.example"), None)
        .await
        .unwrap();

    // An actor block, alone and with a domain policy.
    let before = policy_generation();
    store.put_actor_block(eve, None, None).await.unwrap();
    assert!(policy_generation() > before);
    let blocked = agrees(&store, eve, host).await;
    assert!(blocked.blocked && blocked.refused());
    assert_eq!(blocked.host, Verdict::Silenced);
    let other = agrees(&store, "https://a.social.example:8443/users/bob", host).await;
    assert!(!other.blocked);

    // Allow-list mode (the mode is kept on the instance's row): a host
    // without an `allow` policy is refused.
    store
        .get_or_put_instance("deling.test", "Deling", || {
            ("pub".to_owned(), "priv".to_owned())
        })
        .await
        .unwrap();
    store
        .put_federation_mode(FederationMode::Allowlist, None)
        .await
        .unwrap();
    assert_eq!(
        agrees(&store, "https://peer.example/u/x", "peer.example")
            .await
            .host,
        Verdict::Refused
    );
    store
        .put_domain_policy(&domain("peer.example"), Severity::Allow, None, None, None)
        .await
        .unwrap();
    assert_eq!(
        agrees(&store, "https://peer.example/u/x", "peer.example")
            .await
            .host,
        Verdict::Open
    );
    // Agencies' blocks: read with the verdict, and only the actor's.
    let oslo = agency(&store, "oslo", "Oslo").await;
    let bergen = agency(&store, "bergen", "Bergen").await;
    let mallory = "https://peer.example/u/mallory";
    for (a, n) in [(bergen.id, 1), (oslo.id, 2)] {
        store
            .put_agency_block(
                a,
                mallory,
                None,
                &format!("https://deling.example/undo/{n}"),
                None,
            )
            .await
            .unwrap();
    }
    agrees(&store, mallory, "peer.example").await;
    let (_, blockers) = store
        .get_sender_standing(mallory, "peer.example")
        .await
        .unwrap();
    let mut both = vec![oslo.id, bergen.id];
    both.sort_unstable();
    assert_eq!(blockers, both);
    let (_, none) = store
        .get_sender_standing("https://peer.example/u/x", "peer.example")
        .await
        .unwrap();
    assert!(none.is_empty());
});

both!(item_state_is_what_a_reply_needs, |store| {
    let oslo = agency(&store, "oslo", "Oslo").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Veileder", "nb", &["plan"]))
        .await
        .unwrap();
    let state = store.get_item_state(item.id).await.unwrap().unwrap();
    assert_eq!(state.id, item.id);
    assert_eq!(state.agency_id, Some(oslo.id));
    assert_eq!(state.deleted_at, None);
    store.delete_item(item.id).await.unwrap();
    let state = store.get_item_state(item.id).await.unwrap().unwrap();
    assert!(state.deleted_at.is_some(), "a withdrawn item says so");
    assert_eq!(store.get_item_state(item.id + 1000).await.unwrap(), None);
});

both!(save_remote_comment_as_put_does, |store| {
    let (item, eve, bob) = an_item_with_eve_and_bob(&store).await;
    let id = "https://social.example/users/eve/statuses/1";

    store
        .save_remote_comment(reply(id, item.id, eve.id, "Hei"))
        .await
        .unwrap();
    let saved = store.get_comment_by_ap_id(id).await.unwrap().unwrap();
    assert_eq!(saved.content_html, "<p>Hei</p>");
    assert_eq!(
        store.count_item_reactions(item.id).await.unwrap().comments,
        1
    );

    // Its author sends it again, changed: updated, not doubled.
    store
        .save_remote_comment(reply(id, item.id, eve.id, "Hei igjen"))
        .await
        .unwrap();
    let comments = store.list_comments(item.id).await.unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].content_html, "<p>Hei igjen</p>");
    assert!(comments[0].updated_at.is_some());

    // Another actor cannot take the id over.
    assert!(matches!(
        store
            .save_remote_comment(reply(id, item.id, bob.id, "Min nå"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    // Deleted stays deleted.
    assert!(store.delete_remote_comment(id, eve.id).await.unwrap());
    assert!(matches!(
        store
            .save_remote_comment(reply(id, item.id, eve.id, "Tilbake"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.get_comment_by_ap_id(id).await.unwrap().is_none());
});

both!(recent_comments_counted_up_to_a_bound, |store| {
    let (item, eve, bob) = an_item_with_eve_and_bob(&store).await;
    let before = chrono::Utc::now() - chrono::Duration::minutes(1);
    for n in 0..5 {
        let id = format!("https://social.example/users/eve/statuses/{n}");
        store
            .save_remote_comment(reply(&id, item.id, eve.id, "Hei"))
            .await
            .unwrap();
    }
    // Taken back, it still counts.
    assert!(
        store
            .delete_remote_comment("https://social.example/users/eve/statuses/0", eve.id)
            .await
            .unwrap()
    );
    let store = &store;
    // Alone, and with what is remembered of an id: the same count.
    let count = |actor: i64, since, at_most| async move {
        let alone = store
            .count_remote_comments_received_since(actor, since, at_most)
            .await
            .unwrap();
        let recent = deling_store::queries::received_object::RecentComments { since, at_most };
        let with = store
            .received_object("https://social.example/x", actor, Some(recent))
            .await
            .unwrap()
            .recent_comments;
        assert_eq!(alone, with, "{actor} since {since}, at most {at_most}");
        alone
    };
    assert_eq!(count(eve.id, before, 30).await, 5);
    assert_eq!(count(eve.id, before, 3).await, 3);
    assert_eq!(count(bob.id, before, 30).await, 0);
    let later = chrono::Utc::now() + chrono::Duration::minutes(1);
    assert_eq!(count(eve.id, later, 30).await, 0);
});

both!(what_is_remembered_of_an_id_in_one_read, |store| {
    use deling_store::queries::{message::MessageCopy, received_object::ObjectHistory};
    let oslo = agency(&store, "oslo", "Oslo").await;
    let eve = store.put_remote_actor(person("eve")).await.unwrap();
    let bob = store.put_remote_actor(person("bob")).await.unwrap();
    let id = |n: u32| format!("https://social.example/users/eve/statuses/{n}");
    // Each fact alone, each as the reads it replaces say, for eve and for
    // bob naming the same id.
    let check = |ap_id: String, actor: i64, want: ObjectHistory| {
        let store = &store;
        async move {
            let got = store.received_object(&ap_id, actor, None).await.unwrap();
            assert_eq!(got, want, "{ap_id} as {actor}");
            assert_eq!(
                (
                    store.is_tombstoned(&ap_id, actor).await.unwrap(),
                    store.was_private(&ap_id, actor).await.unwrap(),
                    store.is_message(&ap_id).await.unwrap()
                ),
                (got.deleted_by_sender, got.sent_privately, got.message),
                "{ap_id} as {actor}"
            );
        }
    };
    check(id(1), eve.id, ObjectHistory::default()).await;
    store.put_tombstone(&id(1), eve.id).await.unwrap();
    store.mark_private(&id(2), eve.id).await.unwrap();
    store
        .put_remote_message(
            &[MessageCopy::unthreaded(oslo.id)],
            direct_message(&id(3), eve.id),
        )
        .await
        .unwrap();
    let only = |deleted_by_sender, sent_privately, message| ObjectHistory {
        deleted_by_sender,
        sent_privately,
        message,
        comment: None,
        recent_comments: 0,
        recent_messages: 0,
    };
    check(id(1), eve.id, only(true, false, false)).await;
    check(id(1), bob.id, only(false, false, false)).await;
    check(id(2), eve.id, only(false, true, false)).await;
    check(id(2), bob.id, only(false, false, false)).await;
    // A message is one whoever names its id.
    check(id(3), eve.id, only(false, false, true)).await;
    check(id(3), bob.id, only(false, false, true)).await;
    store.put_tombstone(&id(3), eve.id).await.unwrap();
    store.mark_private(&id(3), eve.id).await.unwrap();
    check(id(3), eve.id, only(true, true, true)).await;
});

both!(the_senders_comment_is_remembered_while_it_is_up, |store| {
    use deling_store::queries::received_object::HeldComment;
    let (item, eve, bob) = an_item_with_eve_and_bob(&store).await;
    let id = "https://social.example/users/eve/statuses/9";
    let held = async |actor: i64| {
        store
            .received_object(id, actor, None)
            .await
            .unwrap()
            .comment
    };
    assert_eq!(held(eve.id).await, None);
    let parent = store
        .put_remote_comment(reply(
            "https://social.example/users/eve/statuses/8",
            item.id,
            eve.id,
            "Først",
        ))
        .await
        .unwrap();
    let mut answer = reply(id, item.id, eve.id, "Svar");
    answer.in_reply_to_id = Some(parent.id);
    let c = store.put_remote_comment(answer).await.unwrap();
    let want = Some(HeldComment {
        id: c.id,
        item_id: item.id,
        in_reply_to_id: Some(parent.id),
    });
    assert_eq!(held(eve.id).await, want);
    // Another actor naming the id holds nothing of eve's.
    assert_eq!(held(bob.id).await, None);
    // What it answered going changes nothing of it; a hidden comment is
    // still held; a deleted one is not.
    assert!(
        store
            .delete_remote_comment("https://social.example/users/eve/statuses/8", eve.id)
            .await
            .unwrap()
    );
    assert_eq!(held(eve.id).await, want);
    assert!(store.set_comment_hidden(c.id, true).await.unwrap());
    assert_eq!(held(eve.id).await, want);
    assert!(store.delete_remote_comment(id, eve.id).await.unwrap());
    assert_eq!(held(eve.id).await, None);
});

both!(inbox_activities_marked_done_together, |store| {
    for n in 0..3 {
        assert!(
            store
                .put_inbox_activity(
                    &format!("https://social.example/a/{n}"),
                    "https://social.example/users/eve",
                    "Create",
                    "{}",
                )
                .await
                .unwrap()
        );
    }
    let lease = deling_store::records::now() + chrono::Duration::seconds(60);
    let rows = store.claim_inbox_activities(10, lease).await.unwrap();
    assert_eq!(rows.len(), 3);
    let ids: Vec<i64> = rows.iter().take(2).map(|r| r.id).collect();
    store.finish_inbox_activities(&ids).await.unwrap();
    store.finish_inbox_activities(&[]).await.unwrap();
    for (n, done) in [(0, true), (1, true), (2, false)] {
        let row = store
            .get_inbox_activity(&format!("https://social.example/a/{n}"))
            .await
            .unwrap()
            .unwrap();
        if done {
            assert_eq!(row.status, "done");
            assert_eq!(row.attempts, 1);
            assert!(row.locked_until.is_none() && row.processed_at.is_some());
        } else {
            assert_eq!(row.status, "pending", "only the rows named");
            assert!(row.locked_until.is_some());
        }
    }
    assert_eq!(store.count_pending_inbox().await.unwrap(), 1);
});

both!(recent_messages_counted_once_per_id_up_to_a_bound, |store| {
    use deling_store::queries::{message::MessageCopy, received_object::RecentComments};
    let oslo = agency(&store, "oslo", "Oslo").await;
    let bergen = agency(&store, "bergen", "Bergen").await;
    let eve = store.put_remote_actor(person("eve")).await.unwrap();
    let bob = store.put_remote_actor(person("bob")).await.unwrap();
    let before = chrono::Utc::now() - chrono::Duration::minutes(1);
    for n in 0..3 {
        // The first to two agencies: one message, two copies.
        let copies = if n == 0 {
            vec![
                MessageCopy::unthreaded(oslo.id),
                MessageCopy::unthreaded(bergen.id),
            ]
        } else {
            vec![MessageCopy::unthreaded(oslo.id)]
        };
        store
            .put_remote_message(
                &copies,
                direct_message(
                    &format!("https://social.example/users/eve/statuses/{n}"),
                    eve.id,
                ),
            )
            .await
            .unwrap();
    }
    let store = &store;
    let count = |actor: i64, since, at_most| async move {
        store
            .received_object(
                "https://social.example/x",
                actor,
                Some(RecentComments { since, at_most }),
            )
            .await
            .unwrap()
            .recent_messages
    };
    assert_eq!(count(eve.id, before, 30).await, 3);
    assert_eq!(count(eve.id, before, 2).await, 2);
    assert_eq!(count(bob.id, before, 30).await, 0);
    let later = chrono::Utc::now() + chrono::Duration::minutes(1);
    assert_eq!(count(eve.id, later, 30).await, 0);
});
