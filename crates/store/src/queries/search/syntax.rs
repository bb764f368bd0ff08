//! A parsed query in each database's match syntax: FTS5's `MATCH` string
//! and PostgreSQL's `tsquery`.

use deling_domain::search::{Clause, SearchQuery};

/// How one database writes a term, a prefix, a phrase and "either".
struct Syntax {
    term: fn(&str) -> String,
    prefix: fn(&str) -> String,
    phrase: fn(&[String]) -> String,
    or: &'static str,
}

impl Syntax {
    fn any<T>(&self, items: &[T], write: impl Fn(&T) -> String) -> String {
        let parts: Vec<String> = items.iter().map(write).collect();
        format!("({})", parts.join(self.or))
    }

    fn clause(&self, c: &Clause) -> String {
        match c {
            Clause::Word(stems) => self.any(stems, |s| (self.term)(s)),
            Clause::Prefix(forms) => self.any(forms, |f| (self.prefix)(f)),
            Clause::Phrase(variants) => self.any(variants, |v| (self.phrase)(v)),
        }
    }
}

/// FTS5: terms hold letters and digits only (see `analyze::words`), so
/// quoting them is all the escaping needed.
const FTS5: Syntax = Syntax {
    term: |t| format!("\"{t}\""),
    prefix: |p| format!("\"{p}\"*"),
    phrase: |words| format!("\"{}\"", words.join(" ")),
    or: " OR ",
};

/// PostgreSQL's `tsquery`.
const TSQUERY: Syntax = Syntax {
    term: |t| format!("'{t}'"),
    prefix: |p| format!("'{p}':*"),
    phrase: |words| {
        let terms: Vec<String> = words.iter().map(|t| format!("'{t}'")).collect();
        format!("({})", terms.join(" <-> "))
    },
    or: " | ",
};

/// The query in FTS5's syntax (`NOT` is binary there: it follows the rest).
pub(super) fn fts5_match(q: &SearchQuery) -> String {
    let must: Vec<String> = q.must.iter().map(|c| FTS5.clause(c)).collect();
    let mut out = format!("({})", must.join(" AND "));
    for c in &q.must_not {
        out.push_str(" NOT ");
        out.push_str(&FTS5.clause(c));
    }
    out
}

/// The query in PostgreSQL's `tsquery` syntax.
pub(super) fn tsquery(q: &SearchQuery) -> String {
    let mut parts: Vec<String> = q.must.iter().map(|c| TSQUERY.clause(c)).collect();
    parts.extend(q.must_not.iter().map(|c| format!("!{}", TSQUERY.clause(c))));
    parts.join(" & ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_in_both_dialects() {
        let q = SearchQuery::parse(r#"lekkasje "digital byggesak" bygg* -kommune"#).unwrap();
        let fts = fts5_match(&q);
        assert!(fts.starts_with("((\"lekkasj\" OR \"lekkasje\")"), "{fts}");
        assert!(fts.contains("\"bygg\"*"), "{fts}");
        assert!(fts.contains(" NOT (\"kommun"), "{fts}");
        let ts = tsquery(&q);
        assert!(ts.contains("'bygg':*"), "{ts}");
        assert!(ts.contains("'digital' <-> 'byggesak'"), "{ts}");
        assert!(ts.contains("& !("), "{ts}");
    }
}
