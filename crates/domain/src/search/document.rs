//! What of an item the search index holds: its fields as index terms, by
//! weight, and its dataset themes for the theme filter.

use super::analyze::{Stemming, index_terms};
use serde_json::Value;

/// An item's index entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    /// Terms of the title (weighed highest).
    pub title: String,
    /// Terms of the tags (weighed with the title).
    pub tags: String,
    /// Terms of the summary.
    pub summary: String,
    /// Terms of the body and of the text fields of the kind's metadata.
    pub body: String,
    /// Dataset themes (URIs), space-separated with a space at each end,
    /// so that ` URI ` finds one exactly.
    pub themes: String,
}

/// An item's text as the index needs it.
#[derive(Debug, Clone, Copy)]
pub struct Indexable<'a> {
    /// BCP 47 language: chooses the stemmer.
    pub language: &'a str,
    /// Title.
    pub title: &'a str,
    /// Summary.
    pub summary: &'a str,
    /// The body as sanitised HTML.
    pub body_html: &'a str,
    /// Tags.
    pub tags: &'a [String],
    /// Kind-specific metadata.
    pub metadata: &'a Value,
}

impl SearchDocument {
    /// The index entry of an item.
    pub fn of(item: Indexable<'_>) -> Self {
        let stemming = Stemming::for_language(item.language);
        // The rendered body, not the Markdown source: link targets and
        // markup are not words.
        let mut body = plain_text(item.body_html);
        metadata_text(item.metadata, &mut body);
        let themes: Vec<&str> = item
            .metadata
            .get("themes")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        Self {
            title: index_terms(item.title, stemming),
            tags: index_terms(&item.tags.join(" "), stemming),
            summary: index_terms(item.summary, stemming),
            body: index_terms(&body, stemming),
            themes: if themes.is_empty() {
                String::new()
            } else {
                format!(" {} ", themes.join(" "))
            },
        }
    }
}

/// The text of sanitised HTML: tags dropped (a block tag leaves a space),
/// the common entities decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                out.push(' ');
            }
            (true, '>') => in_tag = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Appends the words of every text value in `metadata` (not URLs, which
/// are not words anyone searches for, nor keys).
fn metadata_text(metadata: &Value, out: &mut String) {
    match metadata {
        Value::String(s) if !s.starts_with("http://") && !s.starts_with("https://") => {
            out.push(' ');
            out.push_str(s);
        }
        Value::Array(a) => a.iter().for_each(|v| metadata_text(v, out)),
        Value::Object(o) => o.values().for_each(|v| metadata_text(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_metadata_and_themes() {
        let metadata = json!({
            "themes": ["http://publications.europa.eu/resource/authority/data-theme/GOVE"],
            "distributions": [{"title": "Lekkasjer per kommune", "format": "CSV",
                               "access_url": "https://example.org/a.csv"}]
        });
        let doc = SearchDocument::of(Indexable {
            language: "nb",
            title: "Vannlekkasjer",
            summary: "Oversikt",
            body_html: "<p>Meld <b>brudd</b> &amp; lekkasjer</p>",
            tags: &["vann".into()],
            metadata: &metadata,
        });
        assert_eq!(doc.title, "vannlekkasj");
        assert_eq!(doc.tags, "vann");
        assert!(doc.body.contains("brudd") && doc.body.contains("kommun"));
        assert!(!doc.body.contains("example"));
        assert_eq!(
            doc.themes,
            " http://publications.europa.eu/resource/authority/data-theme/GOVE "
        );
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            plain_text("<p>a&amp;b</p><p>c</p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["a&b", "c"]
        );
    }
}
