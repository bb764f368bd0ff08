//! Comments on items.

use crate::support::{agency, simple};
use deling_store::records::CommentAuthor;

both!(comments, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let bergen = agency(&store, "bergen", "Bergen kommune").await;
    let item = store
        .put_item(oslo.id, &simple("question", "Har noen løst X?", "nb", &[]))
        .await
        .expect("put item");
    let other = store
        .put_item(oslo.id, &simple("guide", "Annet", "nb", &[]))
        .await
        .expect("put other");

    assert!(store.list_comments(item.id).await.expect("list").is_empty());

    let c1 = store
        .put_agency_comment(
            item.id,
            bergen.id,
            None,
            "Ja, *vi* har!",
            "<p>Ja, <em>vi</em> har!</p>",
            Some("nb"),
        )
        .await
        .expect("comment");
    assert!(c1.id > 0);
    assert_eq!(c1.ap_id, None);
    assert_eq!(c1.item_id, item.id);
    assert_eq!(c1.in_reply_to_id, None);
    assert_eq!(
        c1.author,
        CommentAuthor::Agency {
            slug: "bergen".into(),
            name: "Bergen kommune".into()
        }
    );
    assert_eq!(c1.content_html, "<p>Ja, <em>vi</em> har!</p>");
    assert_eq!(c1.language.as_deref(), Some("nb"));
    assert_eq!(c1.updated_at, None);

    let c2 = store
        .put_agency_comment(item.id, oslo.id, Some(c1.id), "Takk!", "<p>Takk!</p>", None)
        .await
        .expect("reply");
    assert_eq!(c2.in_reply_to_id, Some(c1.id));
    assert_eq!(c2.language, None);
    assert_eq!(
        c2.author,
        CommentAuthor::Agency {
            slug: "oslo".into(),
            name: "Oslo kommune".into()
        }
    );
    assert!(c2.published_at >= c1.published_at);

    // Oldest first, exactly as written.
    assert_eq!(
        store.list_comments(item.id).await.expect("list"),
        vec![c1.clone(), c2.clone()]
    );
    assert!(
        store
            .list_comments(other.id)
            .await
            .expect("list")
            .is_empty()
    );

    // A comment on an item that does not exist is refused.
    assert!(
        store
            .put_agency_comment(
                item.id + other.id + 1000,
                oslo.id,
                None,
                "x",
                "<p>x</p>",
                None
            )
            .await
            .is_err()
    );

    // Hidden and deleted comments are not listed.
    store
        .execute_unprepared(&format!(
            "UPDATE comment SET hidden_at = published_at WHERE id = {}",
            c1.id
        ))
        .await
        .expect("hide c1");
    assert_eq!(
        store.list_comments(item.id).await.expect("list"),
        vec![c2.clone()]
    );
    store
        .execute_unprepared(&format!(
            "UPDATE comment SET deleted_at = published_at WHERE id = {}",
            c2.id
        ))
        .await
        .expect("delete c2");
    assert!(store.list_comments(item.id).await.expect("list").is_empty());
});
