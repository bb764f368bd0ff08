//! A short post's text (an agency's comment or answer): Markdown rendered
//! as for items, and, as microblogging software writes posts, bare web
//! addresses made links and `#hashtags` linked to their tag page and
//! named, so peers index them.

use crate::item::Tag;
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag as MdTag, TagEnd, html};

/// A rendered post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// Sanitised HTML.
    pub html: String,
    /// The hashtags it names, each once, in order of appearance.
    pub tags: Vec<Tag>,
}

/// One piece of a text run.
enum Piece<'a> {
    Text(&'a str),
    Url(&'a str),
    Hashtag(&'a str, Tag),
}

/// Characters that end a bare address rather than belong to it when they
/// come last (`see https://x.no/a.`).
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', ')', '\'', '"'];

fn starts_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || c == '(')
}

/// Splits a run of plain text into text, bare `http(s)` addresses and
/// hashtags.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let found = if (rest.starts_with("https://") || rest.starts_with("http://"))
            && starts_word(text, i)
        {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '<')
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(TRAILING);
            url::Url::parse(url)
                .ok()
                .filter(|u| u.host_str().is_some())
                .map(|_| (url.len(), Piece::Url(url)))
        } else if rest.starts_with('#') && starts_word(text, i) {
            let end = rest[1..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(rest.len(), |n| n + 1);
            Tag::parse(&rest[1..end])
                .ok()
                .map(|tag| (end, Piece::Hashtag(&rest[..end], tag)))
        } else {
            None
        };
        match found {
            Some((len, piece)) => {
                if plain_from < i {
                    out.push(Piece::Text(&text[plain_from..i]));
                }
                out.push(piece);
                i += len;
                plain_from = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain_from < text.len() {
        out.push(Piece::Text(&text[plain_from..]));
    }
    out
}

fn link<'a>(events: &mut Vec<Event<'a>>, href: String, text: String) {
    events.push(Event::Start(MdTag::Link {
        link_type: LinkType::Inline,
        dest_url: CowStr::from(href),
        title: CowStr::from(""),
        id: CowStr::from(""),
    }));
    events.push(Event::Text(CowStr::from(text)));
    events.push(Event::End(TagEnd::Link));
}

/// Renders a post: Markdown as [`crate::markdown::render`] does, with bare
/// addresses linked and hashtags linked to `tag_href(tag)` (not inside
/// links or code).
pub fn render_post(source: &str, tag_href: impl Fn(&Tag) -> String) -> Post {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_FOOTNOTES);
    let mut tags: Vec<Tag> = Vec::new();
    // A post may name tens of thousands of distinct tags: each looked up
    // once, not against every one before it.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut events = Vec::new();
    let (mut in_link, mut in_code) = (0usize, 0usize);
    for event in Parser::new_ext(source, options) {
        match &event {
            Event::Start(MdTag::Link { .. } | MdTag::Image { .. }) => in_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
            Event::Start(MdTag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            _ => {}
        }
        let Event::Text(text) = &event else {
            events.push(event);
            continue;
        };
        if in_link > 0 || in_code > 0 {
            events.push(event);
            continue;
        }
        for piece in pieces(text) {
            match piece {
                Piece::Text(t) => events.push(Event::Text(CowStr::from(t.to_owned()))),
                Piece::Url(u) => link(&mut events, u.to_owned(), u.to_owned()),
                Piece::Hashtag(written, tag) => {
                    link(&mut events, tag_href(&tag), written.to_owned());
                    if seen.insert(tag.as_str().to_owned()) {
                        tags.push(tag);
                    }
                }
            }
        }
    }
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    let html = crate::markdown::sanitize(&unsafe_html);
    let hrefs: std::collections::HashSet<String> = tags
        .iter()
        .map(|t| tag_href(t).replace('&', "&amp;").replace('"', "&quot;"))
        .collect();
    let html = mark_hashtags(&html, &hrefs);
    Post { html, tags }
}

/// Marks the links to the tags' pages (`hrefs`, as attributes hold them)
/// as hashtags, as Mastodon writes them (`class="mention hashtag"
/// rel="tag"`): Mastodon takes the first link of a post that is not a
/// hashtag or a mention for its preview card, and tells a hashtag by
/// `rel="tag"`. Done after sanitising, which gives every link the same
/// `rel`; the hrefs are ours. One pass over the HTML, however many tags.
fn mark_hashtags(html: &str, hrefs: &std::collections::HashSet<String>) -> String {
    if hrefs.is_empty() {
        return html.to_owned();
    }
    const OPEN: &str = "<a href=\"";
    let plain = format!("\" rel=\"{}\">", crate::markdown::LINK_REL);
    let mut out = String::with_capacity(html.len() + hrefs.len() * 32);
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        let start = at + OPEN.len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if let Some(end) = rest.find('"')
            && hrefs.contains(&rest[..end])
            && rest[end..].starts_with(&plain)
        {
            out.push_str(&rest[..end]);
            out.push_str("\" class=\"mention hashtag\" rel=\"tag\">");
            rest = &rest[end + plain.len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Renders like [`render_post`] and refuses a post that shows as nothing
/// once sanitised, as [`crate::markdown::render_visible`] does.
pub fn render_post_visible(
    source: &str,
    tag_href: impl Fn(&Tag) -> String,
) -> Result<Post, crate::Invalid> {
    let post = render_post(source, tag_href);
    if crate::markdown::plain_text(&post.html)
        .chars()
        .all(crate::text::is_invisible)
    {
        return Err(crate::Invalid::new(
            "must not be empty: nothing visible is left once rendered and sanitised",
        ));
    }
    Ok(post)
}

/// The hashtags a post's text names (its plain text, or its Markdown
/// source), each once, in order.
pub fn hashtags(text: &str) -> Vec<Tag> {
    let mut tags: Vec<Tag> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for piece in pieces(text) {
        if let Piece::Hashtag(_, tag) = piece
            && seen.insert(tag.as_str().to_owned())
        {
            tags.push(tag);
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn href(t: &Tag) -> String {
        format!("https://deling.example.no/tags/{}", t.as_str())
    }

    #[test]
    fn links_addresses_and_hashtags() {
        let p = render_post(
            "Se https://www.oslo.kommune.no/byggesak. Spør om #Byggesak og #plan_2027!",
            href,
        );
        assert!(
            p.html.contains(
                "<a href=\"https://www.oslo.kommune.no/byggesak\" rel=\"noopener noreferrer nofollow\">https://www.oslo.kommune.no/byggesak</a>."
            ),
            "{}",
            p.html
        );
        assert!(
            p.html.contains(
                "<a href=\"https://deling.example.no/tags/byggesak\" class=\"mention hashtag\" rel=\"tag\">#Byggesak</a>"
            ),
            "{}",
            p.html
        );
        assert!(p.html.contains(">#Byggesak</a>"), "{}", p.html);
        let names: Vec<&str> = p.tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["byggesak", "plan_2027"]);
    }

    #[test]
    fn leaves_links_code_and_mid_word_marks_alone() {
        let p = render_post(
            "[les](https://x.no/#a) `#kode` C#sharp a#b\n\n```\n#ikke https://y.no\n```",
            href,
        );
        assert!(p.tags.is_empty(), "{:?}", p.tags);
        assert_eq!(p.html.matches("<a ").count(), 1, "{}", p.html);
        // A scheme that is not http(s), or no host, stays text.
        let p = render_post("javascript:alert(1) https:// #", href);
        assert!(!p.html.contains("<a "), "{}", p.html);
    }

    #[test]
    fn hashtags_of_plain_text() {
        let names: Vec<String> = hashtags("#Oslo og #oslo, (#Bergen) x#y")
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        assert_eq!(names, ["oslo", "bergen"]);
    }

    #[test]
    fn many_distinct_tags_are_each_marked_once() {
        let source: String = (0..3000).map(|n| format!("#t{n} #t{n} ")).collect();
        let p = render_post(&source, href);
        assert_eq!(p.tags.len(), 3000);
        assert_eq!(p.html.matches("class=\"mention hashtag\"").count(), 6000);
        assert!(
            !p.html.contains("rel=\"noopener"),
            "a tag link left unmarked"
        );
    }
}
