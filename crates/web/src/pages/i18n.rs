//! The pages' two languages: Norwegian bokmål (the default) and English,
//! from the Fluent files in `crates/web/locales/`, compiled into the
//! binary. A visitor's language comes from `?lang=`, then the `lang`
//! cookie that `?lang=` sets, then `Accept-Language`.

use actix_web::HttpRequest;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use std::sync::OnceLock;
use unic_langid::LanguageIdentifier;

/// The cookie that remembers a language chosen with `?lang=`.
pub const LANG_COOKIE: &str = "lang";

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Norwegian bokmål, the default.
    Nb,
    /// English.
    En,
}

impl Lang {
    /// Both, the default first.
    pub const ALL: [Lang; 2] = [Lang::Nb, Lang::En];

    /// The BCP 47 code, for `lang` attributes and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nb => "nb",
            Self::En => "en",
        }
    }

    /// The OpenGraph locale.
    pub fn og_locale(self) -> &'static str {
        match self {
            Self::Nb => "nb_NO",
            Self::En => "en_GB",
        }
    }

    /// `nb` or `en` exactly (a `?lang=` or cookie value).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    /// The language's Fluent files, one per part of the site: the public
    /// pages, the staff pages' frame and login, and one per staff area.
    fn sources(self) -> [&'static str; 6] {
        macro_rules! files {
            ($lang:literal) => {
                [
                    include_str!(concat!("../../locales/", $lang, "/pages.ftl")),
                    include_str!(concat!("../../locales/", $lang, "/staff.ftl")),
                    include_str!(concat!("../../locales/", $lang, "/staff-items.ftl")),
                    include_str!(concat!("../../locales/", $lang, "/staff-manage.ftl")),
                    include_str!(concat!("../../locales/", $lang, "/staff-admin.ftl")),
                    include_str!(concat!("../../locales/", $lang, "/oidc.ftl")),
                ]
            };
        }
        match self {
            Self::Nb => files!("nb"),
            Self::En => files!("en"),
        }
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        static NB: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
        static EN: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
        let cell = match self {
            Self::Nb => &NB,
            Self::En => &EN,
        };
        cell.get_or_init(|| build_bundle(self))
    }
}

/// A bundle of one language. The files are part of the binary and a unit
/// test parses both, so a broken message is caught before it ships; here a
/// message that fails to parse is left out (and shows as its key).
fn build_bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: the pages set `dir`
    // and `lang` themselves, and the marks would end up in copied text.
    bundle.set_use_isolating(false);
    for source in lang.sources() {
        let resource = match FluentResource::try_new(source.to_owned()) {
            Ok(r) => r,
            Err((r, errors)) => {
                tracing::error!(lang = lang.code(), ?errors, "a Fluent file has errors");
                r
            }
        };
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                lang = lang.code(),
                ?errors,
                "a Fluent file has duplicate messages"
            );
        }
    }
    bundle
}

/// Translates message ids into one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Lang);

impl Tr {
    /// The language.
    pub fn lang(&self) -> Lang {
        self.0
    }

    /// The message `key`.
    pub fn msg(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The message `key` with a number `$n` (plural forms choose on it).
    pub fn msg_n(&self, key: &str, n: u64) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(n));
        self.format(key, Some(&args))
    }

    /// The message `key` with string arguments.
    pub fn msg_with(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(*name, FluentValue::from(*value));
        }
        self.format(key, Some(&args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.0.bundle();
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::error!(key, lang = self.0.code(), "no such message");
            return key.to_owned();
        };
        let mut errors = vec![];
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::error!(key, ?errors, "a message did not format");
        }
        text.into_owned()
    }

    /// Whether the message `key` exists (for ids built from data, like
    /// `kind-dataset`).
    pub fn has(&self, key: &str) -> bool {
        self.0.bundle().has_message(key)
    }
}

/// The language a request is answered in, and whether it was chosen with
/// `?lang=` just now (then the answer sets the cookie).
pub fn negotiate(req: &HttpRequest) -> (Lang, bool) {
    let from_query = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::from_code(&v));
    if let Some(lang) = from_query {
        return (lang, true);
    }
    if let Some(lang) = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
    {
        return (lang, false);
    }
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    (from_accept_language(accept), false)
}

/// The first language of `Accept-Language` we write in: `nb`, and `no`
/// and `nn` (whose readers read bokmål better than English), or `en`;
/// bokmål when none is there.
pub fn from_accept_language(header: &str) -> Lang {
    let requested = fluent_langneg::accepted_languages::parse(header);
    let available: Vec<LanguageIdentifier> = ["nb", "no", "nn", "en"]
        .iter()
        .filter_map(|c| c.parse().ok())
        .collect();
    let chosen = fluent_langneg::negotiate_languages(
        &requested,
        &available,
        None,
        fluent_langneg::NegotiationStrategy::Lookup,
    );
    match chosen.first().map(|l| l.language.as_str()) {
        Some("en") => Lang::En,
        _ => Lang::Nb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(lang: Lang) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for source in lang.sources() {
            let resource = FluentResource::try_new(source.to_owned())
                .unwrap_or_else(|(_, e)| panic!("{} does not parse: {e:?}", lang.code()));
            for e in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = e {
                    assert!(
                        ids.insert(m.id.name.to_owned()),
                        "message {} is in two {} files",
                        m.id.name,
                        lang.code()
                    );
                }
            }
        }
        ids
    }

    /// Every file under `dir`, however deep.
    fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.map(|e| e.path()).unwrap_or_default();
            if path.is_dir() {
                files_under(&path, out);
            } else if path.is_file() {
                out.push(path);
            }
        }
    }

    #[test]
    fn both_files_parse_and_hold_the_same_messages() {
        let nb = ids(Lang::Nb);
        let en = ids(Lang::En);
        assert!(!nb.is_empty());
        assert_eq!(
            nb.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "messages in one language only"
        );
    }

    /// Every id the templates and page code use exists in both languages,
    /// and the templates hold no text of their own outside messages.
    #[test]
    fn every_message_used_exists_and_templates_have_no_text_of_their_own() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources = vec![];
        let mut paths = vec![];
        for dir in ["templates", "src/pages", "src/staff"] {
            files_under(&root.join(dir), &mut paths);
        }
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            sources.push((path, text));
        }
        let nb = ids(Lang::Nb);
        let mut used = 0;
        for (path, text) in &sources {
            for call in ["msg(\"", "msg_n(\"", "msg_with(\""] {
                for part in text.split(call).skip(1) {
                    let key = part.split('"').next().unwrap_or_default();
                    assert!(nb.contains(key), "{}: no message {key:?}", path.display());
                    used += 1;
                }
            }
            if path.extension().is_some_and(|e| e == "html") {
                let bare = strip_markup(text);
                assert!(
                    !bare.chars().any(char::is_alphabetic),
                    "{}: text outside the Fluent files: {bare:?}",
                    path.display()
                );
            }
        }
        assert!(used > 50, "only {used} messages found: is the scan broken?");
        for kind in deling_domain::kind::ItemKind::ALL {
            for prefix in ["kind-", "kinds-"] {
                let key = format!("{prefix}{kind}");
                assert!(nb.contains(&key), "no message {key}");
            }
        }
    }

    /// A template with its tags, expressions, statements and comments
    /// taken out: what is left is text a person reads.
    fn strip_markup(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        loop {
            let next = ["{{", "{%", "{#", "<"]
                .iter()
                .filter_map(|open| rest.find(open).map(|i| (i, *open)))
                .min();
            let Some((i, open)) = next else {
                out.push_str(rest);
                return out;
            };
            out.push_str(&rest[..i]);
            let close = match open {
                "{{" => "}}",
                "{%" => "%}",
                "{#" => "#}",
                _ => ">",
            };
            rest = &rest[i + open.len()..];
            rest = rest.find(close).map_or("", |j| &rest[j + close.len()..]);
        }
    }

    #[test]
    fn accept_language_picks_a_written_language() {
        assert_eq!(from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(from_accept_language("nn-NO,en;q=0.5"), Lang::Nb);
        assert_eq!(from_accept_language("no"), Lang::Nb);
        assert_eq!(from_accept_language("de-DE,en;q=0.5"), Lang::En);
        assert_eq!(from_accept_language("de-DE"), Lang::Nb);
        assert_eq!(from_accept_language(""), Lang::Nb);
        assert_eq!(from_accept_language("*"), Lang::Nb);
    }

    #[test]
    fn messages_format_with_numbers_and_text() {
        let en = Tr(Lang::En);
        assert_eq!(en.msg_n("items-total", 1), "1 item");
        assert_eq!(en.msg_n("items-total", 3), "3 items");
        assert_eq!(Tr(Lang::Nb).msg_n("items-total", 3), "3 oppføringer");
        assert!(en.has("kind-dataset") && !en.has("kind-nothing"));
    }
}
