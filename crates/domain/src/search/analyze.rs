//! Turning text into the terms the search index holds: words split on
//! anything that is not a letter or digit, lower-cased, common function
//! words dropped, and stemmed by the text's language (Snowball's Norwegian
//! for bokmål and nynorsk, Snowball's English), so that `lekkasjer` and
//! `lekkasje` are one term.
//!
//! The same analysis runs when an item is indexed and when a query is
//! read, in Rust, so SQLite (whose FTS5 has no Norwegian stemmer) and
//! PostgreSQL (which is given the terms as they are, with its `simple`
//! configuration) find exactly the same items.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::LazyLock;

/// Longest word indexed or searched for, in characters; longer "words"
/// are identifiers, hashes or garbage, not what anyone types.
pub const MAX_WORD: usize = 64;

/// Which stemmer a text gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stemming {
    /// Norwegian Snowball, for `nb`, `nn` and `no`.
    Norwegian,
    /// English Snowball (Porter 2).
    English,
    /// Lower-casing only, for languages without a stemmer here.
    None,
}

impl Stemming {
    /// The stemmer for a BCP 47 language tag (its primary subtag decides).
    pub fn for_language(tag: &str) -> Self {
        let primary = tag.split('-').next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "nb" | "nn" | "no" => Self::Norwegian,
            "en" => Self::English,
            _ => Self::None,
        }
    }
}

static NORWEGIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Norwegian));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Function words of bokmål, nynorsk and English that carry no meaning for
/// a search: dropped from the index and from queries alike.
const STOP_WORDS: &[&str] = &[
    // bokmål
    "og", "i", "jeg", "det", "at", "en", "et", "den", "til", "er", "som", "på", "de", "med", "han",
    "av", "ikke", "der", "så", "var", "meg", "seg", "men", "ett", "har", "om", "vi", "min", "mitt",
    "ha", "hadde", "hun", "nå", "over", "da", "ved", "fra", "du", "ut", "sin", "dem", "oss", "opp",
    "man", "kan", "hans", "hvor", "eller", "hva", "skal", "selv", "her", "alle", "vil", "bli",
    "ble", "blitt", "kunne", "inn", "når", "være", "kom", "noen", "noe", "ville", "dere", "deres",
    "kun", "ja", "etter", "ned", "skulle", "denne", "for", "deg", "si", "sine", "sitt", "mot", "å",
    "dette", "disse", "uten", "hvordan", "ingen", "din", "ditt", "blir", "samme", "hvilken",
    "hvilke", "sånn", "mellom", "vår", "hver", "hvem", "hvis", "både", "bare", "enn", "fordi",
    "før", "også", "slik", "vært", "begge", "siden", // nynorsk
    "dei", "deira", "deim", "di", "då", "eg", "ein", "eit", "eitt", "elles", "ho", "henne",
    "hennar", "ikkje", "korleis", "kva", "kvar", "kven", "kvifor", "me", "medan", "mi", "mykje",
    "no", "nokon", "noko", "nokre", "sidan", "so", "um", "upp", "vere", "vore", "verte", "vart",
    // English
    "a", "an", "and", "are", "as", "at", "be", "by", "from", "has", "have", "he", "in", "is", "it",
    "its", "of", "on", "or", "that", "the", "this", "these", "those", "to", "was", "were", "will",
    "with", "not", "but", "which", "who", "we", "they", "you",
];

/// Whether `word` (lower-cased) is dropped as a function word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// The words of `text`, lower-cased, in order, as byte ranges into `text`
/// with the lower-cased word: what is indexed and what a snippet marks.
pub fn words(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, String)> + '_ {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        loop {
            // Skip to the next letter or digit.
            let (start, _) = loop {
                let (i, c) = rest.next()?;
                if c.is_alphanumeric() {
                    break (i, c);
                }
            };
            let mut end = text.len();
            while let Some(&(i, c)) = rest.peek() {
                if !c.is_alphanumeric() {
                    end = i;
                    break;
                }
                rest.next();
            }
            let word = &text[start..end];
            if word.chars().count() <= MAX_WORD {
                return Some((start..end, word.to_lowercase()));
            }
        }
    })
}

/// The stem of a lower-cased word.
pub fn stem(word: &str, stemming: Stemming) -> String {
    match stemming {
        Stemming::Norwegian => norwegian(word),
        Stemming::English => ENGLISH.stem(word).into_owned(),
        Stemming::None => word.to_owned(),
    }
}

/// Snowball's Norwegian stem, with the verbal noun ending `-ing` taken off
/// as well (Snowball leaves it), so that `bygging`, `byggingen` and
/// `bygge` meet at `bygg`, as a person searching expects.
fn norwegian(word: &str) -> String {
    let stem = NORWEGIAN.stem(word);
    match stem.strip_suffix("ing") {
        // A short remainder is a word of its own (`ting`, `ring`).
        Some(root) if root.chars().count() >= 4 => root.to_owned(),
        _ => stem.into_owned(),
    }
}

/// The index terms of `text`: its words without function words, stemmed,
/// separated by single spaces.
pub fn index_terms(text: &str, stemming: Stemming) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    for (_, word) in words(text) {
        if is_stop_word(&word) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&stem(&word, stemming));
    }
    out
}

/// The stems a query word may stand for: the reader's language is not
/// known, so both stemmers' answers (and the word itself, for items in
/// languages without a stemmer) are tried.
pub fn query_stems(word: &str) -> Vec<String> {
    let mut stems = vec![
        stem(word, Stemming::Norwegian),
        stem(word, Stemming::English),
        word.to_owned(),
    ];
    stems.sort();
    stems.dedup();
    stems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norwegian_inflections_meet() {
        let n = |w: &str| stem(w, Stemming::Norwegian);
        assert_eq!(n("lekkasjer"), n("lekkasje"));
        assert_eq!(n("lekkasjen"), n("lekkasje"));
        assert_eq!(n("bygging"), n("bygge"));
        assert_eq!(n("byggingen"), n("bygge"));
        assert_eq!(n("vannlekkasjer"), n("vannlekkasje"));
        // Short words ending in -ing are left alone.
        assert_eq!(n("ting"), "ting");
        assert_ne!(n("lekkasje"), n("bygge"));
    }

    #[test]
    fn english_inflections_meet() {
        let e = |w: &str| stem(w, Stemming::English);
        assert_eq!(e("leaks"), e("leak"));
        assert_eq!(e("building"), e("build"));
    }

    #[test]
    fn language_tags_choose_the_stemmer() {
        assert_eq!(Stemming::for_language("nb"), Stemming::Norwegian);
        assert_eq!(Stemming::for_language("nn-NO"), Stemming::Norwegian);
        assert_eq!(Stemming::for_language("EN-gb"), Stemming::English);
        assert_eq!(Stemming::for_language("se"), Stemming::None);
    }

    #[test]
    fn words_split_on_anything_but_letters_and_digits() {
        let text = "Vann-lekkasje i Bodø, 2024!";
        let got: Vec<_> = words(text).map(|(r, w)| (text[r].to_owned(), w)).collect();
        assert_eq!(
            got,
            [
                ("Vann".into(), "vann".into()),
                ("lekkasje".into(), "lekkasje".into()),
                ("i".into(), "i".into()),
                ("Bodø".into(), "bodø".into()),
                ("2024".into(), "2024".into()),
            ]
        );
        assert_eq!(words(&"x".repeat(MAX_WORD + 1)).count(), 0);
    }

    #[test]
    fn index_terms_drop_function_words() {
        assert_eq!(
            index_terms("Lekkasjer i vannet og i bygget", Stemming::Norwegian),
            index_terms("lekkasje vann bygg", Stemming::Norwegian)
        );
        assert_eq!(index_terms("og i på", Stemming::Norwegian), "");
    }

    #[test]
    fn a_query_word_covers_both_stemmers() {
        let stems = query_stems("lekkasjer");
        assert!(stems.contains(&stem("lekkasjer", Stemming::Norwegian)));
        assert!(stems.contains(&"lekkasjer".to_owned()));
    }
}
