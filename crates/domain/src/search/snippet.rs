//! Snippets: a short piece of an item's own text around the words a query
//! matched, those words marked with `<mark>`, the rest HTML-escaped.

use super::analyze::{self, Stemming};

/// Words in a snippet, at most.
pub const SNIPPET_WORDS: usize = 24;

/// How much of a text a snippet is looked for in, in characters: every
/// word there is stemmed, per hit shown, and an item's text may run to
/// hundreds of thousands of characters (a peer's body).
pub const SNIPPET_SCAN_CHARS: usize = 20_000;

/// The best window of `text` (plain text) for the wanted stems and
/// prefixes: the one with the most matched words, as HTML with each
/// match in `<mark>`; `None` when no word of `text` matches.
pub fn snippet(
    text: &str,
    stemming: Stemming,
    stems: &[&str],
    prefixes: &[&str],
) -> Option<String> {
    let text = match text.char_indices().nth(SNIPPET_SCAN_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    };
    let words: Vec<(std::ops::Range<usize>, bool)> = analyze::words(text)
        .map(|(range, word)| {
            let hit = !analyze::is_stop_word(&word)
                && (stems.contains(&analyze::stem(&word, stemming).as_str())
                    || prefixes.iter().any(|p| word.starts_with(p)));
            (range, hit)
        })
        .collect();
    let hits: Vec<usize> = (0..words.len()).filter(|&n| words[n].1).collect();
    let &first = hits.first()?;
    // The window that starts a few words before a hit and holds the most.
    // Near the beginning, the text is shown from its start.
    let lead = |h: usize| if h < SNIPPET_WORDS / 3 { 0 } else { h - 3 };
    let mut best = (0, lead(first));
    for &h in &hits {
        let start = lead(h);
        // `hits` is in order: the hits in the window by two searches, not
        // a count over all of them (a text of one word repeated has as
        // many hits as words).
        let count = hits.partition_point(|&x| x < start + SNIPPET_WORDS)
            - hits.partition_point(|&x| x < start);
        if count > best.0 {
            best = (count, start);
        }
    }
    let start = best.1;
    let end = (start + SNIPPET_WORDS).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = words[start].0.start;
    for (range, hit) in &words[start..end] {
        out.push_str(&escape(&text[at..range.start]));
        if *hit {
            out.push_str("<mark>");
            out.push_str(&escape(&text[range.clone()]));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(&text[range.clone()]));
        }
        at = range.end;
    }
    if end < words.len() {
        out.push('…');
    } else {
        out.push_str(&escape(&text[at..]));
    }
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_marked_and_the_rest_escaped() {
        let stem = analyze::stem("lekkasje", Stemming::Norwegian);
        let got = snippet(
            "Slik melder du <lekkasjer> & brudd",
            Stemming::Norwegian,
            &[stem.as_str()],
            &[],
        )
        .unwrap();
        assert_eq!(
            got,
            "Slik melder du &lt;<mark>lekkasjer</mark>&gt; &amp; brudd"
        );
    }

    #[test]
    fn a_long_text_is_cut_around_the_match() {
        let text = format!("{} vannlekkasje {}", "ord ".repeat(100), "mer ".repeat(100));
        let got = snippet(&text, Stemming::Norwegian, &[], &["vann"]).unwrap();
        assert!(got.starts_with('…') && got.ends_with('…'), "{got}");
        assert!(got.contains("<mark>vannlekkasje</mark>"));
        assert!(got.split_whitespace().count() <= SNIPPET_WORDS + 2);
    }

    #[test]
    fn the_window_with_most_hits_wins_and_only_the_start_is_read() {
        let text = format!(
            "vann {} vann vann vann {}",
            "ord ".repeat(50),
            "mer ".repeat(30)
        );
        let got = snippet(&text, Stemming::Norwegian, &[], &["vann"]).unwrap();
        assert_eq!(got.matches("<mark>").count(), 3, "{got}");
        // A match only past what is read is not found.
        let late = format!("{}vannlekkasje", "x".repeat(SNIPPET_SCAN_CHARS));
        assert_eq!(snippet(&late, Stemming::Norwegian, &[], &["vann"]), None);
    }

    #[test]
    fn no_match_no_snippet() {
        assert_eq!(
            snippet("noe annet", Stemming::Norwegian, &["vann"], &[]),
            None
        );
    }
}
