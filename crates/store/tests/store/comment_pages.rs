//! An item's comments a page at a time: every shown comment once, in the
//! order `list_comments` gives, forwards after cursors and backwards
//! before them, through runs of comments written at one instant; hidden,
//! deleted and other items' comments never, and comments that arrive
//! while a reader pages on come at the end.

use crate::support::{agency, simple, ts};
use deling_store::{
    Store,
    queries::comment::{
        CommentCursor, CommentPage, CommentsFrom, PublicVisibility, RemoteCommentData,
    },
    queries::remote_actor::RemoteActorData,
    records::Comment,
};
use std::collections::HashSet;

fn person(name: &str) -> RemoteActorData {
    RemoteActorData {
        ap_id: format!("https://social.example/users/{name}"),
        actor_type: "Person".into(),
        domain: "social.example".into(),
        preferred_username: Some(name.into()),
        name: None,
        inbox: format!("https://social.example/users/{name}/inbox"),
        shared_inbox: None,
        url: None,
        icon_url: None,
        summary_html: None,
        public_key_pem: None,
        followers: None,
        speaks_deling: false,
    }
}

fn remote(n: usize, item_id: i64, author: i64, at: &str) -> RemoteCommentData {
    RemoteCommentData {
        ap_id: format!("https://social.example/notes/{n}"),
        item_id,
        in_reply_to_id: None,
        author_remote_actor_id: author,
        content_html: format!("<p>Kommentar {n}</p>"),
        language: None,
        published_at: ts(at),
        hidden: false,
        visibility: PublicVisibility::Public,
        content_warning: None,
        sensitive: false,
    }
}

fn ids(comments: &[Comment]) -> Vec<i64> {
    comments.iter().map(|c| c.id).collect()
}

/// Reads one page; the cursors go through their text form, as clients
/// carry them between pages.
async fn page(store: &Store, item: i64, from: CommentsFrom, limit: u64) -> CommentPage {
    let p = store
        .list_comments_page(item, from, limit)
        .await
        .expect("page");
    assert!(
        p.comments.len() as u64 <= limit,
        "{} > {limit}",
        p.comments.len()
    );
    let round = |c: Option<CommentCursor>| {
        c.map(|c| CommentCursor::parse(&c.to_string()).expect("cursor reads back"))
    };
    CommentPage {
        next: round(p.next),
        prev: round(p.prev),
        comments: p.comments,
    }
}

/// Pages forwards from the start; the ids in the order seen and the size
/// of each page. `between` runs after each page.
async fn walk<F, Fut>(
    store: &Store,
    item: i64,
    limit: u64,
    mut between: F,
) -> (Vec<i64>, Vec<usize>)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (mut seen, mut sizes) = (Vec::new(), Vec::new());
    let mut from = CommentsFrom::Start;
    for _ in 0..1000 {
        let p = page(store, item, from, limit).await;
        seen.extend(ids(&p.comments));
        sizes.push(p.comments.len());
        match p.next {
            Some(c) => from = CommentsFrom::After(c),
            None => return (seen, sizes),
        }
        between().await;
    }
    panic!("paging did not end");
}

both!(
    comment_pages_hold_every_shown_comment_once_in_order,
    |store| {
        let oslo = agency(&store, "oslo", "Oslo kommune").await;
        let bergen = agency(&store, "bergen", "Bergen kommune").await;
        let item = store
            .put_item(oslo.id, &simple("question", "Mange svar", "nb", &[]))
            .await
            .expect("item");
        let other = store
            .put_item(oslo.id, &simple("guide", "Annet", "nb", &[]))
            .await
            .expect("other");
        let eve = store.put_remote_actor(person("eve")).await.expect("eve");

        // 250 comments: remote ones a minute apart, with runs of five at
        // one instant, and some of bergen's own; replies among them.
        let mut written = Vec::new();
        for n in 0..250usize {
            let c = if n % 10 == 9 {
                store
                    .put_agency_comment(
                        item.id,
                        bergen.id,
                        written.last().copied(),
                        "Svar",
                        "<p>Svar</p>",
                        None,
                    )
                    .await
                    .expect("own comment")
            } else {
                let minute = n / 5;
                let at = format!("2026-11-01T{:02}:{:02}:00.5Z", minute / 60, minute % 60);
                store
                    .put_remote_comment(remote(n, item.id, eve.id, &at))
                    .await
                    .expect("remote comment")
            };
            written.push(c.id);
        }
        // A comment on another item, one held hidden as it arrived, one hidden
        // by a moderator, one deleted: none of them on any page.
        store
            .put_remote_comment(remote(1000, other.id, eve.id, "2026-11-01T00:00:30Z"))
            .await
            .expect("other item's comment");
        let mut held = remote(1001, item.id, eve.id, "2026-11-01T00:00:30Z");
        held.hidden = true;
        let held = store.put_remote_comment(held).await.expect("held");
        assert!(
            store
                .set_comment_hidden(written[7], true)
                .await
                .expect("hide")
        );
        assert!(store.delete_comment(written[120]).await.expect("delete"));
        let hidden: HashSet<i64> = [held.id, written[7], written[120]].into();

        let all = ids(&store.list_comments(item.id).await.expect("all"));
        assert_eq!(all.len(), 248);
        assert!(all.iter().all(|id| !hidden.contains(id)));

        // The first page: 100, and where the next starts.
        let first = page(&store, item.id, CommentsFrom::Start, 100).await;
        assert_eq!(ids(&first.comments), all[..100].to_vec());
        assert!(first.next.is_some());
        assert_eq!(first.prev, None);

        // Forwards: every comment once, in order, in pages of 100, 100, 48.
        let (seen, sizes) = walk(&store, item.id, 100, || async {}).await;
        assert_eq!(seen, all);
        assert_eq!(sizes, vec![100, 100, 48]);
        // Through the runs of equal times, three at a time.
        let (seen, _) = walk(&store, item.id, 3, || async {}).await;
        assert_eq!(seen, all);

        // Backwards from the last page: the same pages, reversed.
        let second = page(
            &store,
            item.id,
            CommentsFrom::After(first.next.unwrap()),
            100,
        )
        .await;
        let last = page(
            &store,
            item.id,
            CommentsFrom::After(second.next.unwrap()),
            100,
        )
        .await;
        assert_eq!(last.next, None);
        assert_eq!(ids(&last.comments), all[200..].to_vec());
        let back = page(
            &store,
            item.id,
            CommentsFrom::Before(last.prev.unwrap()),
            100,
        )
        .await;
        assert_eq!(ids(&back.comments), ids(&second.comments));
        assert_eq!(back.next, second.next);
        let front = page(
            &store,
            item.id,
            CommentsFrom::Before(back.prev.unwrap()),
            100,
        )
        .await;
        assert_eq!(ids(&front.comments), ids(&first.comments));
        assert_eq!(front.prev, None, "the first page has nothing before it");
        // Before a place near the start: the first page, full.
        let near = CommentCursor::of(&first.comments[30]);
        let near = page(&store, item.id, CommentsFrom::Before(near), 100).await;
        assert_eq!(ids(&near.comments), all[..100].to_vec());
        assert_eq!(near.prev, None);

        // A link to a comment: the page read after its start begins with it.
        let starts = store
            .list_comment_starts(item.id, &[all[150], written[7], held.id, all[0] + 100_000])
            .await
            .expect("starts");
        assert_eq!(
            starts.len(),
            1,
            "only shown comments have a place: {starts:?}"
        );
        let at = page(&store, item.id, CommentsFrom::After(starts[&all[150]]), 10).await;
        assert_eq!(ids(&at.comments), all[150..160].to_vec());
        // Of another item's comments, none.
        assert!(
            store
                .list_comment_starts(other.id, &[all[150]])
                .await
                .expect("starts")
                .is_empty()
        );

        // Past the end: an empty last page.
        let end = CommentCursor::of(last.comments.last().unwrap());
        let past = page(&store, item.id, CommentsFrom::After(end), 100).await;
        assert!(past.comments.is_empty());
        assert_eq!(past.next, None);
    }
);

both!(comments_that_arrive_while_paging_come_at_the_end, |store| {
    let oslo = agency(&store, "oslo", "Oslo kommune").await;
    let item = store
        .put_item(oslo.id, &simple("question", "Svar meg", "nb", &[]))
        .await
        .expect("item");
    let mut before = Vec::new();
    for n in 0..10 {
        let c = store
            .put_agency_comment(
                item.id,
                oslo.id,
                None,
                "Før",
                &format!("<p>Før {n}</p>"),
                None,
            )
            .await
            .expect("comment");
        before.push(c.id);
    }
    let (seen, _) = walk(&store, item.id, 4, || {
        let store = store.clone();
        let oslo = oslo.id;
        let item = item.id;
        async move {
            store
                .put_agency_comment(item, oslo, None, "Ny", "<p>Ny</p>", None)
                .await
                .expect("new comment");
        }
    })
    .await;
    let added: Vec<i64> = seen
        .iter()
        .copied()
        .filter(|id| !before.contains(id))
        .collect();
    assert_eq!(seen[..10], before[..], "the first ten in order");
    assert!(!added.is_empty(), "the new ones are reached too");
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "none twice: {seen:?}");
    assert_eq!(seen, ids(&store.list_comments(item.id).await.expect("all")));
});
