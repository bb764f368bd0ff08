//! An item with hundreds of comments shows them a page at a time: the
//! first hundred, then "Later comments" links that reach every shown
//! comment once and in order, "Earlier comments" links back, the item's
//! whole count in the heading, replies to comments on other pages linked
//! there, a 400 page for a cursor that is not one, and the cached first
//! page never mixed up with a later one.

use crate::support::page;
use deling_testkit::{TestApp, comments::many_comments, guide, id_of};
use reqwest::StatusCode;

/// The comment ids on a page, in order, from their `id="comment-N"`.
fn anchors(html: &str) -> Vec<i64> {
    html.split("<li id=\"comment-")
        .skip(1)
        .map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().expect("a comment id")
        })
        .collect()
}

/// The path and query of the comment navigation's link with `rel`, if
/// the page has one (the link is absolute, under the instance's public
/// address, which is not where the test server listens).
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let nav = html
        .split("<nav class=\"pager\"")
        .nth(1)?
        .split("</nav>")
        .next()?;
    let attr = format!("rel=\"{rel}\"");
    let a = nav.split("<a ").find(|a| a.contains(&attr))?;
    let href = a.split("href=\"").nth(1)?.split('"').next()?;
    let url = url::Url::parse(href).expect("an absolute link");
    assert_eq!(url.fragment(), Some("comments"), "{href}");
    Some(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

struct Scene {
    app: TestApp,
    item: i64,
    /// The comments as written (every tenth answers the one before).
    written: Vec<i64>,
    /// The shown comments, in the order they are listed.
    shown: Vec<i64>,
    /// A reply on the last page to the first comment.
    late_reply: i64,
    /// A reply to a hidden comment.
    orphan: i64,
}

/// 250 comments written, one hidden, one deleted, then two replies by
/// the agency (the newest): one to the first comment, one to the hidden.
async fn scene() -> Scene {
    let app = TestApp::spawn().await;
    let oslo = app.agency("oslo", "Oslo kommune").await;
    let token = app.editor_of("kari", &oslo).await;
    let item = id_of(
        &app.create_item(&token, "oslo", &guide("Mange kommentarer"))
            .await,
    );
    let written = many_comments(&app.store, item, 250).await;
    let store = &app.store;
    assert!(store.set_comment_hidden(written[5], true).await.unwrap());
    assert!(store.delete_comment(written[150]).await.unwrap());
    let late_reply = store
        .put_agency_comment(
            item,
            oslo.id,
            Some(written[0]),
            "Takk",
            "<p>Takk til den første.</p>",
            None,
        )
        .await
        .unwrap()
        .id;
    let orphan = store
        .put_agency_comment(
            item,
            oslo.id,
            Some(written[5]),
            "Svar",
            "<p>Svar til en skjult.</p>",
            None,
        )
        .await
        .unwrap()
        .id;
    let mut shown: Vec<i64> = written
        .iter()
        .copied()
        .filter(|id| *id != written[5] && *id != written[150])
        .collect();
    shown.extend([late_reply, orphan]);
    Scene {
        app,
        item,
        written,
        shown,
        late_reply,
        orphan,
    }
}

/// The `<li>` of comment `id` on `html`.
fn comment_li(html: &str, id: i64) -> &str {
    let start = html
        .find(&format!("<li id=\"comment-{id}\""))
        .unwrap_or_else(|| panic!("comment {id} not on the page"));
    let rest = &html[start..];
    &rest[..rest.find("</li>").expect("the comment ends")]
}

#[tokio::test]
async fn comments_show_a_hundred_a_page_and_every_one_is_reached_once() {
    let s = scene().await;
    let path = format!("/items/{}", s.item);

    let (status, first) = page(&s.app, &path, "en").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(anchors(&first), s.shown[..100].to_vec());
    // The heading counts the item's comments, not the page's.
    assert!(
        first.contains("<h2 id=\"comments-h\">250 comments</h2>"),
        "{first}"
    );
    assert!(first.contains("<nav class=\"pager\" aria-label=\"More comments\">"));
    assert!(first.contains("Later comments"));
    assert_eq!(
        rel_link(&first, "prev"),
        None,
        "nothing before the first page"
    );

    // Later comments, page after page: each shown comment once, in order.
    let (mut seen, mut sizes, mut pages) = (Vec::new(), Vec::new(), Vec::new());
    let mut next = Some(path.clone());
    while let Some(p) = next {
        assert!(pages.len() < 10, "paging does not end: {pages:?}");
        let (status, html) = page(&s.app, &p, "en").await;
        assert_eq!(status, StatusCode::OK, "{p}: {html}");
        let on_page = anchors(&html);
        sizes.push(on_page.len());
        seen.extend(on_page);
        next = rel_link(&html, "next");
        pages.push((p, html));
    }
    assert_eq!(seen, s.shown);
    assert_eq!(sizes, vec![100, 100, 50]);

    // Earlier comments from the last page lead back through the same pages.
    let earlier = rel_link(&pages[2].1, "prev").expect("an earlier link on the last page");
    let (_, second) = page(&s.app, &earlier, "en").await;
    assert_eq!(anchors(&second), anchors(&pages[1].1));
    let earlier = rel_link(&second, "prev").expect("an earlier link on the second page");
    let (_, again) = page(&s.app, &earlier, "en").await;
    assert_eq!(anchors(&again), s.shown[..100].to_vec());
    assert_eq!(rel_link(&again, "prev"), None);

    // A reply on the last page to the first comment links to it on its
    // page; one to a hidden comment starts a thread without a link.
    let last = &pages[2].1;
    let li = comment_li(last, s.late_reply);
    assert!(li.contains("class=\"comment depth-0\""), "{li}");
    let href = li
        .split("href=\"")
        .filter_map(|h| h.split('"').next())
        .find(|h| h.ends_with(&format!("#comment-{}", s.shown[0])))
        .unwrap_or_else(|| panic!("no link to the first comment: {li}"));
    assert!(li.contains("in reply to a comment"), "{li}");
    let href = url::Url::parse(href).unwrap();
    let (_, there) = page(
        &s.app,
        &format!("{}?{}", href.path(), href.query().unwrap()),
        "en",
    )
    .await;
    assert_eq!(anchors(&there).first(), Some(&s.shown[0]));
    let li = comment_li(last, s.orphan);
    assert!(li.contains("class=\"comment depth-0\""), "{li}");
    assert!(!li.contains("in reply to"), "{li}");
    // A reply next to its parent on one page still nests under it.
    let (_, first_nb) = page(&s.app, &path, "nb").await;
    let li = comment_li(&first_nb, s.written[19]);
    assert!(li.contains("class=\"comment depth-1\""), "{li}");
    assert!(
        li.contains(&format!("href=\"#comment-{}\"", s.written[18])),
        "{li}"
    );
    assert!(first_nb.contains("<h2 id=\"comments-h\">250 kommentarer</h2>"));
    assert!(first_nb.contains("aria-label=\"Flere kommentarer\""));
    assert!(first_nb.contains("Senere kommentarer"));
}

#[tokio::test]
async fn a_cursor_that_is_not_one_is_a_bad_request_and_pages_are_cached_apart() {
    let s = scene().await;
    let path = format!("/items/{}", s.item);

    for bad in [
        "?after=nonsense",
        "?before=1.2_3",
        "?after=1790000000.000000000_1&before=1790000000.000000000_2",
    ] {
        let (status, html) = page(&s.app, &format!("{path}{bad}"), "en").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {html}");
        assert!(anchors(&html).is_empty(), "{bad}");
    }

    // The bare path is kept in the cache; a later page is never served
    // for it, nor it for a later page, whichever is asked for first.
    let later = {
        let (_, first) = page(&s.app, &path, "en").await;
        rel_link(&first, "next").expect("a later page")
    };
    for _ in 0..2 {
        let (_, html) = page(&s.app, &path, "en").await;
        assert_eq!(anchors(&html), s.shown[..100].to_vec());
        let (_, html) = page(&s.app, &later, "en").await;
        assert_eq!(anchors(&html), s.shown[100..200].to_vec());
    }
    // A cursor past every comment: an empty page that leads back.
    let past = format!("{path}?after=4102444800.000000000_1");
    let (status, html) = page(&s.app, &past, "en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(anchors(&html).is_empty());
    assert!(html.contains("No comments on this page"), "{html}");
    assert_eq!(rel_link(&html, "prev").as_deref(), Some(path.as_str()));
    assert_eq!(rel_link(&html, "next"), None);
}
