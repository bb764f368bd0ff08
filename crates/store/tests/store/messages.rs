//! Direct messages and the staff inbox.

use crate::support::{agency, simple, ts};
use deling_store::{Store, StoreError};

both!(messages_stay_in_the_staff_inbox, |store| {
    use deling_domain::audience::Visibility;
    use deling_store::queries::{
        message::{Addressed, AnswerData, MessageCopy, RemoteMessageData},
        outbox::OutboxKind,
        remote_actor::RemoteActorData,
    };
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let item = store
        .put_item(oslo.id, &simple("guide", "Byggesak", "nb", &[]))
        .await
        .expect("put item");
    let actor = |name: &str| RemoteActorData {
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
        followers: Some(format!("https://social.example/users/{name}/followers")),
        speaks_deling: false,
    };
    let eve = store.put_remote_actor(actor("eve")).await.expect("eve");
    let mallory = store
        .put_remote_actor(actor("mallory"))
        .await
        .expect("mallory");
    assert_eq!(
        eve.followers.as_deref(),
        Some("https://social.example/users/eve/followers")
    );
    let dm = |author: i64, visibility: Visibility, text: &str| RemoteMessageData {
        ap_id: "https://social.example/notes/1".into(),
        author_remote_actor_id: author,
        in_reply_to: Some(format!("https://deling.example/items/{}", item.id)),
        visibility,
        content_warning: Some("Personlig".into()),
        sensitive: true,
        content_html: text.into(),
        language: Some("nb".into()),
        addressed: Addressed {
            to: vec!["https://deling.example/agencies/oslo".into()],
            cc: vec![],
        },
        published_at: ts("2026-12-05T10:00:00Z"),
        held: false,
    };

    // A copy for `agency` about the item.
    let copy = |agency: i64| MessageCopy {
        agency_id: agency,
        in_reply_to_message_id: None,
        item_id: Some(item.id),
    };

    // One copy for each agency it reached; none of it is a comment.
    let stored = store
        .put_remote_message(
            &[copy(oslo.id), copy(bergen.id)],
            dm(eve.id, Visibility::Direct, "<p>Ring 987 65 432</p>"),
        )
        .await
        .expect("message");
    assert_eq!(stored.len(), 2);
    assert!(store.list_comments(item.id).await.expect("list").is_empty());
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .comments,
        0
    );
    let inbox = store.list_messages(oslo.id, None, 10).await.expect("inbox");
    assert_eq!(inbox.len(), 1);
    let m = &inbox[0];
    assert_eq!(m.visibility, Visibility::Direct);
    assert_eq!(m.content_warning.as_deref(), Some("Personlig"));
    assert!(m.sensitive);
    assert_eq!(
        m.author.as_ref().map(|a| a.inbox.as_str()),
        Some("https://social.example/inbox")
    );
    assert_eq!(m.addressed.to, vec!["https://deling.example/agencies/oslo"]);
    assert!(
        store
            .is_message("https://social.example/notes/1")
            .await
            .expect("is")
    );

    // Sent again as public: the text changes, the visibility does not.
    store
        .put_remote_message(
            &[copy(oslo.id)],
            dm(eve.id, Visibility::Public, "<p>Rettet</p>"),
        )
        .await
        .expect("update");
    let m = store.get_message(m.id).await.expect("get").expect("there");
    assert_eq!(m.visibility, Visibility::Direct);
    assert_eq!(m.content_html, "<p>Rettet</p>");
    assert!(m.updated_at.is_some());
    // Another author cannot take its id.
    assert!(matches!(
        store
            .put_remote_message(&[copy(oslo.id)], dm(mallory.id, Visibility::Direct, "x"))
            .await,
        Err(StoreError::Conflict(_))
    ));

    // An answer is stored with its outbox event, for the agency's own
    // message only.
    let bergen_copy = store
        .list_messages(bergen.id, None, 10)
        .await
        .expect("bergen")[0]
        .id;
    let answer = |agency_id: i64, parent_id: i64| AnswerData {
        agency_id,
        parent_id,
        source: "Vi ringer.".into(),
        html: "<p>Vi ringer.</p>".into(),
        visibility: Visibility::Direct,
        addressed: Addressed {
            to: vec![eve.ap_id.clone()],
            cc: vec![],
        },
    };
    assert_eq!(
        store
            .put_message_answer(answer(oslo.id, bergen_copy))
            .await
            .expect("answer"),
        None
    );
    let events = |store: Store| async move {
        store
            .list_pending_outbox_events(100)
            .await
            .expect("events")
            .into_iter()
            .filter(|e| e.kind == OutboxKind::MessageCreate)
            .collect::<Vec<_>>()
    };
    assert!(events(store.clone()).await.is_empty());
    let out = store
        .put_message_answer(answer(oslo.id, m.id))
        .await
        .expect("answer")
        .expect("answered");
    assert_eq!(out.author, None);
    assert_eq!(out.in_reply_to_message_id, Some(m.id));
    assert_eq!(
        out.in_reply_to.as_deref(),
        Some("https://social.example/notes/1")
    );
    assert_eq!(out.item_id, Some(item.id));
    let queued = events(store.clone()).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].message_id, Some(out.id));
    assert_eq!(queued[0].agency_id, Some(oslo.id));

    // Pages, newest first.
    let first = store.list_messages(oslo.id, None, 1).await.expect("page 1");
    assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), vec![out.id]);
    let second = store
        .list_messages(oslo.id, Some(out.id), 1)
        .await
        .expect("page 2");
    assert_eq!(second.iter().map(|m| m.id).collect::<Vec<_>>(), vec![m.id]);

    // Deleted by its author only; then it stays deleted.
    assert!(
        !store
            .delete_remote_message("https://social.example/notes/1", mallory.id)
            .await
            .expect("not mallory's")
    );
    assert!(
        store
            .delete_remote_message("https://social.example/notes/1", eve.id)
            .await
            .expect("delete")
    );
    assert_eq!(
        store
            .list_messages(bergen.id, None, 10)
            .await
            .expect("bergen")
            .len(),
        0
    );
    assert!(matches!(
        store
            .put_remote_message(&[copy(oslo.id)], dm(eve.id, Visibility::Direct, "again"))
            .await,
        Err(StoreError::NotFound(_))
    ));

    // A comment row that is not public (a damaged row) is never served.
    let c = store
        .put_agency_comment(item.id, oslo.id, None, "x", "<p>x</p>", None)
        .await
        .expect("comment");
    store
        .execute_unprepared(&format!(
            "UPDATE comment SET visibility = 'direct' WHERE id = {}",
            c.id
        ))
        .await
        .expect("damage");
    assert!(store.list_comments(item.id).await.expect("list").is_empty());
    assert!(store.get_comment(c.id).await.expect("get").is_none());
    assert_eq!(
        store
            .count_item_reactions(item.id)
            .await
            .expect("counts")
            .comments,
        0
    );
});

both!(held_messages_wait_apart_until_released, |store| {
    use deling_domain::audience::Visibility;
    use deling_store::queries::{
        audit::Audit,
        message::{Addressed, AnswerData, MessageCopy, RemoteMessageData},
    };
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let eve = store
        .put_remote_actor(crate::support::remote_person("loud.example", "eve", true))
        .await
        .expect("eve");
    let note = |n: u32, text: &str, held: bool| RemoteMessageData {
        ap_id: format!("https://loud.example/notes/{n}"),
        author_remote_actor_id: eve.id,
        in_reply_to: None,
        visibility: Visibility::Direct,
        content_warning: None,
        sensitive: false,
        content_html: format!("<p>{text}</p>"),
        language: None,
        addressed: Addressed {
            to: vec!["https://deling.example/agencies/oslo".into()],
            cc: vec![],
        },
        published_at: ts("2026-12-11T10:00:00Z"),
        held,
    };
    let both_agencies = [
        MessageCopy::unthreaded(oslo.id),
        MessageCopy::unthreaded(bergen.id),
    ];
    let audit = |action: &str, id: i64, agency_id: i64| {
        Audit::new(None, "kari", action, &format!("x/messages/{id}")).for_agency(agency_id)
    };
    let ids = |ms: Vec<deling_store::queries::message::Message>| {
        ms.into_iter().map(|m| m.id).collect::<Vec<_>>()
    };

    // One let through, one held (each agency's copy).
    let open = store
        .put_remote_message(&[MessageCopy::unthreaded(oslo.id)], note(1, "Hei", false))
        .await
        .expect("open")[0]
        .clone();
    let held = store
        .put_remote_message(&both_agencies, note(2, "Kjøp nå", true))
        .await
        .expect("held");
    assert!(held.iter().all(|m| m.held), "{held:?}");
    assert!(!open.held);
    let (oslo_held, bergen_held) = (held[0].id, held[1].id);
    assert_eq!(held[0].agency_id, oslo.id);

    // Not in the inbox nor its count; in the held list and its count.
    assert_eq!(
        ids(store.list_messages(oslo.id, None, 10).await.expect("inbox")),
        vec![open.id]
    );
    assert_eq!(store.count_messages_upto(oslo.id, 10).await.expect("n"), 1);
    assert_eq!(
        ids(store
            .list_held_messages(oslo.id, None, 10)
            .await
            .expect("held")),
        vec![oslo_held]
    );
    assert_eq!(
        store
            .count_held_messages_upto(oslo.id, 10)
            .await
            .expect("n"),
        1
    );
    // Read by id all the same, marked.
    assert!(
        store
            .get_message(oslo_held)
            .await
            .expect("get")
            .expect("one")
            .held
    );
    // Not answered while held.
    let answer = |parent_id: i64| AnswerData {
        agency_id: oslo.id,
        parent_id,
        source: "Nei takk.".into(),
        html: "<p>Nei takk.</p>".into(),
        visibility: Visibility::Direct,
        addressed: Addressed {
            to: vec![eve.ap_id.clone()],
            cc: vec![],
        },
    };
    assert_eq!(
        store
            .put_message_answer(answer(oslo_held))
            .await
            .expect("answer"),
        None
    );

    // An edit of a held message stays held.
    store
        .put_remote_message(&both_agencies, note(2, "Kjøp nå, rettet", false))
        .await
        .expect("edit");
    let m = store
        .get_message(oslo_held)
        .await
        .expect("get")
        .expect("one");
    assert!(m.held && m.content_html.contains("rettet"), "{m:?}");
    // A reply to it is threaded under no held copy.
    let held_id = "https://loud.example/notes/2";
    assert!(
        store
            .list_messages_by_ap_id(held_id)
            .await
            .expect("thread")
            .is_empty()
    );

    // Released by oslo: listed, counted, answerable; bergen's copy waits.
    // Not another agency's, not one that is not held.
    assert!(
        !store
            .release_message_audited(
                bergen.id,
                oslo_held,
                &audit("message.release", oslo_held, bergen.id)
            )
            .await
            .expect("not bergen's")
    );
    assert!(
        !store
            .release_message_audited(
                oslo.id,
                open.id,
                &audit("message.release", open.id, oslo.id)
            )
            .await
            .expect("not held")
    );
    assert!(
        store
            .release_message_audited(
                oslo.id,
                oslo_held,
                &audit("message.release", oslo_held, oslo.id)
            )
            .await
            .expect("release")
    );
    assert_eq!(
        ids(store.list_messages(oslo.id, None, 10).await.expect("inbox")),
        vec![oslo_held, open.id]
    );
    assert_eq!(store.count_messages_upto(oslo.id, 10).await.expect("n"), 2);
    assert_eq!(
        store.list_messages_by_ap_id(held_id).await.expect("thread"),
        vec![(oslo.id, oslo_held)]
    );
    assert!(
        store
            .list_held_messages(oslo.id, None, 10)
            .await
            .expect("held")
            .is_empty()
    );
    assert_eq!(
        ids(store
            .list_held_messages(bergen.id, None, 10)
            .await
            .expect("bergen held")),
        vec![bergen_held]
    );
    assert!(
        store
            .put_message_answer(answer(oslo_held))
            .await
            .expect("answer")
            .is_some()
    );
    // Audited once, under oslo: the refused releases wrote nothing.
    let entries = store
        .list_agency_audit(oslo.id, 10, 0)
        .await
        .expect("audit");
    assert_eq!(
        entries
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        vec!["message.release"]
    );
    assert!(
        store
            .list_agency_audit(bergen.id, 10, 0)
            .await
            .expect("audit")
            .is_empty()
    );

    // A released message edited (still from the silenced host) stays
    // released.
    store
        .put_remote_message(&both_agencies, note(2, "Andre gang", true))
        .await
        .expect("edit");
    let m = store
        .get_message(oslo_held)
        .await
        .expect("get")
        .expect("one");
    assert!(!m.held && m.content_html.contains("Andre gang"), "{m:?}");

    // bergen deletes its held copy: gone for bergen, and an edit does not
    // bring it back, while oslo's copy is still revised.
    assert!(
        !store
            .delete_message_audited(
                oslo.id,
                bergen_held,
                &audit("message.delete", bergen_held, oslo.id)
            )
            .await
            .expect("not oslo's")
    );
    assert!(
        store
            .delete_message_audited(
                bergen.id,
                bergen_held,
                &audit("message.delete", bergen_held, bergen.id)
            )
            .await
            .expect("delete")
    );
    assert!(store.get_message(bergen_held).await.expect("get").is_none());
    assert!(
        store
            .list_held_messages(bergen.id, None, 10)
            .await
            .expect("held")
            .is_empty()
    );
    assert_eq!(
        store
            .count_held_messages_upto(bergen.id, 10)
            .await
            .expect("n"),
        0
    );
    store
        .put_remote_message(&both_agencies, note(2, "Tredje gang", true))
        .await
        .expect("edit after bergen deleted its copy");
    assert!(store.get_message(bergen_held).await.expect("get").is_none());
    assert!(
        store
            .list_messages(bergen.id, None, 10)
            .await
            .expect("bergen")
            .is_empty()
    );
    let m = store
        .get_message(oslo_held)
        .await
        .expect("get")
        .expect("one");
    assert!(m.content_html.contains("Tredje gang"), "{m:?}");
    // The agency's own answer is not deleted here.
    let own = store.list_messages(oslo.id, None, 1).await.expect("inbox")[0].clone();
    assert!(own.author.is_none());
    assert!(
        !store
            .delete_message_audited(oslo.id, own.id, &audit("message.delete", own.id, oslo.id))
            .await
            .expect("own answer")
    );
    // Deleted by its author too: every copy gone, and then it stays gone.
    assert!(
        store
            .delete_remote_message("https://loud.example/notes/2", eve.id)
            .await
            .expect("author's delete")
    );
    assert!(matches!(
        store
            .put_remote_message(&both_agencies, note(2, "Fjerde", true))
            .await,
        Err(StoreError::NotFound(_))
    ));
});
