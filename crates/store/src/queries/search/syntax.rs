//! A parsed query in each database's match syntax: FTS5's `MATCH` string
//! and PostgreSQL's `tsquery`.

use deling_domain::search::{Clause, SearchQuery};

/// The query in FTS5's syntax. Terms hold letters and digits only (see
/// `analyze::words`), so quoting them is all the escaping needed.
pub(super) fn fts5_match(q: &SearchQuery) -> String {
    fn clause(c: &Clause) -> String {
        match c {
            Clause::Word(stems) => format!(
                "({})",
                stems
                    .iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            Clause::Prefix(forms) => format!(
                "({})",
                forms
                    .iter()
                    .map(|f| format!("\"{f}\"*"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            Clause::Phrase(variants) => format!(
                "({})",
                variants
                    .iter()
                    .map(|v| format!("\"{}\"", v.join(" ")))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
        }
    }
    let must: Vec<String> = q.must.iter().map(clause).collect();
    let mut out = format!("({})", must.join(" AND "));
    for c in &q.must_not {
        out.push_str(" NOT ");
        out.push_str(&clause(c));
    }
    out
}

/// The query in PostgreSQL's `tsquery` syntax.
pub(super) fn tsquery(q: &SearchQuery) -> String {
    fn clause(c: &Clause) -> String {
        match c {
            Clause::Word(stems) => format!(
                "({})",
                stems
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Clause::Prefix(forms) => format!(
                "({})",
                forms
                    .iter()
                    .map(|f| format!("'{f}':*"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Clause::Phrase(variants) => format!(
                "({})",
                variants
                    .iter()
                    .map(|v| {
                        let terms: Vec<String> = v.iter().map(|t| format!("'{t}'")).collect();
                        format!("({})", terms.join(" <-> "))
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        }
    }
    let mut parts: Vec<String> = q.must.iter().map(clause).collect();
    parts.extend(q.must_not.iter().map(|c| format!("!{}", clause(c))));
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
