//! Markdown rendering: CommonMark source to sanitised HTML.

use pulldown_cmark::{Options, Parser, html};

/// Renders CommonMark (with tables, strikethrough and footnotes) to HTML and
/// sanitises it with ammonia, so stored HTML is safe to embed anywhere:
/// scripts, event handlers and `javascript:` links are removed, and links get
/// `rel="noopener noreferrer nofollow"`.
pub fn render(source: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_FOOTNOTES);
    let parser = Parser::new_ext(source, options);
    let mut unsafe_html = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    sanitize(&unsafe_html)
}

/// Renders like [`render`] and refuses a source that leaves no visible
/// text once sanitised (`<script>x</script>`, an empty link, only
/// zero-width characters): a comment or answer that shows as nothing.
pub fn render_visible(source: &str) -> Result<String, crate::Invalid> {
    let html = render(source);
    if plain_text(&html).chars().all(crate::text::is_invisible) {
        return Err(crate::Invalid::new(
            "must not be empty: nothing visible is left once rendered and sanitised",
        ));
    }
    Ok(html)
}

/// The `rel` every sanitised link gets.
pub const LINK_REL: &str = "noopener noreferrer nofollow";

/// Sanitises HTML from elsewhere (a remote comment, say) with the same rules.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some(LINK_REL))
        .clean(html)
        .to_string()
}

/// Sanitises a post or profile text from another server, as Mastodon
/// does: the rules of [`sanitize`] without images (an image from a stranger's
/// server tells that server who read the post, and when: every visitor of
/// a public page, or the staff opening a private message) and without
/// relative links (they would point into this server).
pub fn sanitize_remote(html: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img"])
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .clean(html)
        .to_string()
}

/// The text of an HTML fragment with every tag removed (entities stay
/// escaped), for names and summaries that peers send as HTML.
pub fn plain_text(html: &str) -> String {
    ammonia::Builder::empty()
        .clean(html)
        .to_string()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_posts_lose_images_and_relative_links() {
        let html = sanitize_remote(
            "<p>Se <img src=\"https://tracker.example/p.gif\"> her \
             <a href=\"/api/v1/admin\">intern</a> \
             <a href=\"https://kari.example/\">ute</a></p>",
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("tracker.example"), "{html}");
        assert!(!html.contains("/api/v1/admin"), "{html}");
        assert!(html.contains("href=\"https://kari.example/\""), "{html}");
        assert!(html.contains("intern"), "{html}");
        // Local Markdown keeps its images.
        assert!(render("![kart](https://kommune.example/kart.png)").contains("<img"));
    }

    #[test]
    fn plain_text_drops_markup_keeps_characters() {
        assert_eq!(
            plain_text("<p>Kari &amp; Ola <script>x</script><b>Nordmann</b></p>"),
            "Kari & Ola Nordmann"
        );
    }

    #[test]
    fn render_visible_refuses_what_sanitises_to_nothing() {
        for s in [
            "",
            "   ",
            "<script>alert(1)</script>",
            "<style>p{}</style>",
            "[](javascript:x)",
            "\u{200B}\u{200D}",
            "<!-- -->",
        ] {
            assert!(render_visible(s).is_err(), "{s:?}");
        }
        assert!(render_visible("Takk for deling!").is_ok());
        assert!(render_visible("<b>ok</b>").is_ok());
    }

    #[test]
    fn renders_commonmark() {
        let html = render("# Byggesak\n\nSe *veilederen*.");
        assert!(html.contains("<h1>Byggesak</h1>"), "{html}");
        assert!(html.contains("<em>veilederen</em>"), "{html}");
    }

    #[test]
    fn strips_scripts_and_js_links() {
        let html = render(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("href=\"javascript:"), "{html}");
        assert!(
            html.contains("<a rel=\"noopener noreferrer nofollow\">x</a>"),
            "{html}"
        );
        assert!(!html.contains("onerror"), "{html}");
    }
}
