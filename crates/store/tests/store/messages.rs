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
