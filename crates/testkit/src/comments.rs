//! Many comments on one item, written straight to the store, for the
//! tests of comment pages (the item page, the comments API, the `replies`
//! collection): hundreds through the inbox would only make them slow.

use crate::wait::eventually;
use deling_store::{
    Store,
    queries::{
        comment::{PublicVisibility, RemoteCommentData},
        remote_actor::RemoteActorData,
    },
};

/// Writes `n` public comments on `item_id` by one remote person, one
/// second apart from a fixed time, every tenth a reply to the one before;
/// returns their ids in the order they are listed in. Each write is tried
/// again while the server beside the test holds the SQLite file.
pub async fn many_comments(store: &Store, item_id: i64, n: usize) -> Vec<i64> {
    let actor = RemoteActorData {
        ap_id: "https://social.example/users/many".into(),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some("many".into()),
        name: Some("Mange Ord".into()),
        inbox: "https://social.example/users/many/inbox".into(),
        shared_inbox: None,
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    };
    let actor = eventually("the commenter stored", async || {
        store
            .put_remote_actor(actor.clone())
            .await
            .map_err(|e| e.to_string())
    })
    .await;
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-01T08:00:00Z")
        .expect("a time")
        .to_utc();
    let mut ids: Vec<i64> = Vec::with_capacity(n);
    for k in 0..n {
        let data = RemoteCommentData {
            ap_id: format!("https://social.example/notes/many-{k}"),
            item_id,
            in_reply_to_id: ids.last().copied().filter(|_| k % 10 == 9),
            author_remote_actor_id: actor.id,
            content_html: format!("<p>Kommentar nummer {k}.</p>"),
            language: Some("nb".into()),
            published_at: start + chrono::Duration::seconds(k as i64),
            hidden: false,
            visibility: PublicVisibility::Public,
            content_warning: None,
            sensitive: false,
        };
        let c = eventually(&format!("comment {k} stored"), async || {
            store
                .put_remote_comment(data.clone())
                .await
                .map_err(|e| e.to_string())
        })
        .await;
        ids.push(c.id);
    }
    ids
}
