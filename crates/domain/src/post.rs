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
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
            }
        }
    }
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    let mut html = crate::markdown::sanitize(&unsafe_html);
    for tag in &tags {
        html = mark_hashtag(&html, &tag_href(tag));
    }
    Post { html, tags }
}

/// Marks the links to `href` as hashtags, as Mastodon writes them
/// (`class="mention hashtag" rel="tag"`): Mastodon takes the first link
/// of a post that is not a hashtag or a mention for its preview card, and
/// tells a hashtag by `rel="tag"`. Done after sanitising, which gives
/// every link the same `rel`; `href` is one of ours.
fn mark_hashtag(html: &str, href: &str) -> String {
    let href = href.replace('&', "&amp;").replace('"', "&quot;");
    html.replace(
        &format!("<a href=\"{href}\" rel=\"{}\">", crate::markdown::LINK_REL),
        &format!("<a href=\"{href}\" class=\"mention hashtag\" rel=\"tag\">"),
    )
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
    for piece in pieces(text) {
        if let Piece::Hashtag(_, tag) = piece
            && !tags.contains(&tag)
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
}
