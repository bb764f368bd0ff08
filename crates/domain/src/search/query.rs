//! A search query as people type it, parsed once: words, `"quoted
//! phrases"`, `prefix*` and `-excluded` words, every word analysed as the
//! index is (see [`super::analyze`]).

use super::analyze::{self, MAX_WORD, Stemming};

/// Longest query accepted, in characters.
pub const MAX_QUERY: usize = 500;
/// Most clauses (words, phrases, prefixes) in one query.
pub const MAX_CLAUSES: usize = 16;
/// Shortest prefix: shorter ones match half the vocabulary.
pub const MIN_PREFIX: usize = 3;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// More than [`MAX_QUERY`] characters.
    #[error("the query is longer than {MAX_QUERY} characters")]
    TooLong,
    /// A `"` without its partner.
    #[error("a quotation mark is not closed")]
    UnbalancedQuote,
    /// A word longer than [`MAX_WORD`].
    #[error("a word is longer than {MAX_WORD} characters")]
    WordTooLong,
    /// More than [`MAX_CLAUSES`] clauses.
    #[error("the query has more than {MAX_CLAUSES} words and phrases")]
    TooManyClauses,
    /// A `prefix*` shorter than [`MIN_PREFIX`].
    #[error("a prefix search needs at least {MIN_PREFIX} letters before the *")]
    PrefixTooShort,
}

/// One part of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word: any of its stems (see [`analyze::query_stems`]).
    Word(Vec<String>),
    /// `bygg*`: any term that starts with one of these: the prefix as
    /// typed (lower-cased) and its stems, since the index holds stems
    /// (`lekkasje*` must find `lekkasj`, the stem of `lekkasjer`).
    Prefix(Vec<String>),
    /// `"digital byggesak"`: these terms next to each other, stemmed one
    /// way or the other (each variant is one stemmer's reading).
    Phrase(Vec<Vec<String>>),
}

/// A parsed query: every `must` clause matches and no `must_not` one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Clauses an item must match.
    pub must: Vec<Clause>,
    /// Clauses an item must not match (`-word`).
    pub must_not: Vec<Clause>,
}

impl SearchQuery {
    /// Parses what a person typed.
    pub fn parse(input: &str) -> Result<Self, QueryError> {
        if input.chars().count() > MAX_QUERY {
            return Err(QueryError::TooLong);
        }
        if input.matches('"').count() % 2 == 1 {
            return Err(QueryError::UnbalancedQuote);
        }
        let mut query = SearchQuery::default();
        // Alternate between outside and inside quotation marks.
        for (n, part) in input.split('"').enumerate() {
            if n % 2 == 1 {
                // A `-` right before the opening quote excludes the phrase.
                let negated = input
                    .split('"')
                    .nth(n - 1)
                    .is_some_and(|before| before.ends_with('-'));
                if let Some(clause) = phrase(part)? {
                    query.push(clause, negated);
                }
                continue;
            }
            for token in part.split_whitespace() {
                let (negated, token) = match token.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, token),
                };
                if token.is_empty() {
                    continue;
                }
                if let Some(prefix) = token.strip_suffix('*') {
                    for clause in prefixes(prefix)? {
                        query.push(clause, negated);
                    }
                    continue;
                }
                check_length(token)?;
                for (_, word) in analyze::words(token) {
                    if !analyze::is_stop_word(&word) {
                        query.push(Clause::Word(analyze::query_stems(&word)), negated);
                    }
                }
            }
        }
        if query.must.len() + query.must_not.len() > MAX_CLAUSES {
            return Err(QueryError::TooManyClauses);
        }
        Ok(query)
    }

    fn push(&mut self, clause: Clause, negated: bool) {
        let list = if negated {
            &mut self.must_not
        } else {
            &mut self.must
        };
        if !list.contains(&clause) {
            list.push(clause);
        }
    }

    /// Whether nothing is left to look for (only function words, or only
    /// exclusions): such a query finds nothing rather than everything.
    pub fn is_empty(&self) -> bool {
        self.must.is_empty()
    }

    /// Every stem and prefix the query looks for (not those it excludes),
    /// for marking matches in a snippet.
    pub fn wanted(&self) -> (Vec<&str>, Vec<&str>) {
        let mut stems = Vec::new();
        let mut prefixes = Vec::new();
        for clause in &self.must {
            match clause {
                Clause::Word(s) => stems.extend(s.iter().map(String::as_str)),
                Clause::Prefix(p) => prefixes.extend(p.iter().map(String::as_str)),
                Clause::Phrase(variants) => {
                    stems.extend(variants.iter().flatten().map(String::as_str))
                }
            }
        }
        (stems, prefixes)
    }
}

/// A word of more than [`MAX_WORD`] characters is refused rather than
/// silently dropped, so that the person learns why nothing was found.
fn check_length(token: &str) -> Result<(), QueryError> {
    if token
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.chars().count() > MAX_WORD)
    {
        return Err(QueryError::WordTooLong);
    }
    Ok(())
}

/// `bygg*`: the lower-cased prefix. `vann-bygg*` is `vann` and `bygg*`.
fn prefixes(token: &str) -> Result<Vec<Clause>, QueryError> {
    check_length(token)?;
    let words: Vec<String> = analyze::words(token).map(|(_, w)| w).collect();
    let Some((last, first)) = words.split_last() else {
        return Ok(vec![]);
    };
    if last.chars().count() < MIN_PREFIX {
        return Err(QueryError::PrefixTooShort);
    }
    let mut clauses: Vec<Clause> = first
        .iter()
        .filter(|w| !analyze::is_stop_word(w))
        .map(|w| Clause::Word(analyze::query_stems(w)))
        .collect();
    let mut forms = analyze::query_stems(last);
    // A stem shorter than the minimum would widen the search past what
    // was typed: only the typed prefix then.
    forms.retain(|f| f.chars().count() >= MIN_PREFIX);
    clauses.push(Clause::Prefix(forms));
    Ok(clauses)
}

/// The phrase's terms as each stemmer reads them (function words are not
/// indexed, so they are left out here too). One word is a plain word.
fn phrase(text: &str) -> Result<Option<Clause>, QueryError> {
    check_length(text)?;
    let words: Vec<String> = analyze::words(text)
        .map(|(_, w)| w)
        .filter(|w| !analyze::is_stop_word(w))
        .collect();
    match words.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(Clause::Word(analyze::query_stems(one)))),
        _ => {
            let mut variants: Vec<Vec<String>> =
                [Stemming::Norwegian, Stemming::English, Stemming::None]
                    .into_iter()
                    .map(|s| words.iter().map(|w| analyze::stem(w, s)).collect())
                    .collect();
            variants.sort();
            variants.dedup();
            Ok(Some(Clause::Phrase(variants)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Clause {
        Clause::Word(analyze::query_stems(w))
    }

    #[test]
    fn words_phrases_prefixes_and_exclusions() {
        let q = SearchQuery::parse(r#"vannlekkasje "digital byggesak" bygg* -kommune"#).unwrap();
        assert_eq!(q.must.len(), 3);
        assert_eq!(q.must[0], word("vannlekkasje"));
        assert!(matches!(&q.must[1], Clause::Phrase(v) if v.iter().all(|p| p.len() == 2)));
        assert_eq!(q.must[2], Clause::Prefix(vec!["bygg".into()]));
        // The stem of a prefix counts too: the index holds stems.
        let stemmed = SearchQuery::parse("lekkasje*").unwrap();
        assert_eq!(
            stemmed.must,
            [Clause::Prefix(vec!["lekkasj".into(), "lekkasje".into()])]
        );
        assert_eq!(q.must_not, [word("kommune")]);
    }

    #[test]
    fn an_excluded_phrase() {
        let q = SearchQuery::parse(r#"vann -"digital byggesak""#).unwrap();
        assert_eq!(q.must, [word("vann")]);
        assert_eq!(q.must_not.len(), 1);
    }

    #[test]
    fn bad_queries_are_refused_with_a_reason() {
        assert_eq!(
            SearchQuery::parse(r#""digital byggesak"#),
            Err(QueryError::UnbalancedQuote)
        );
        assert_eq!(
            SearchQuery::parse(&"x".repeat(MAX_WORD + 1)),
            Err(QueryError::WordTooLong)
        );
        assert_eq!(
            SearchQuery::parse(&"y".repeat(MAX_QUERY + 1)),
            Err(QueryError::TooLong)
        );
        assert_eq!(SearchQuery::parse("by*"), Err(QueryError::PrefixTooShort));
        let many: Vec<String> = (0..=MAX_CLAUSES).map(|n| format!("ord{n}")).collect();
        assert_eq!(
            SearchQuery::parse(&many.join(" ")),
            Err(QueryError::TooManyClauses)
        );
    }

    #[test]
    fn function_words_alone_find_nothing() {
        assert!(SearchQuery::parse("og i på the").unwrap().is_empty());
        assert!(SearchQuery::parse("   ").unwrap().is_empty());
        assert!(SearchQuery::parse("-vann").unwrap().is_empty());
        assert!(SearchQuery::parse(r#""og i""#).unwrap().is_empty());
    }

    #[test]
    fn punctuation_inside_words_splits_them() {
        let q = SearchQuery::parse("vann-lekkasje").unwrap();
        assert_eq!(q.must, [word("vann"), word("lekkasje")]);
    }
}
