//! "Follow / reply from your own server" (`POST /interact`): a visitor
//! names their server (or account), and is shown where that server's page
//! for interacting with one of our agencies or items is, with a link to
//! go on and one to go back.
//!
//! The address comes from the server's WebFinger: the template of its
//! `http://ostatus.org/schema/1.0/subscribe` link, with `{uri}` filled in;
//! failing that, Mastodon's `https://SERVER/authorize_interaction?uri=`.
//! It is never answered with a redirect: any page on the internet can
//! post this form with a server of its choosing, whose WebFinger names
//! whatever address it likes, and a redirect would lend our domain to
//! that address (a public body's name on a phishing link). The answer is
//! a page that names the destination's host plainly, and the visitor
//! decides. A template that does not make a plain http(s) address
//! (`javascript:`, `data:`, user names in the authority) is refused.
//!
//! The lookup is the one request here that goes to a server the visitor
//! chose, so it is fenced like every outbound fetch: the federation HTTP
//! client (no redirects, private and loopback addresses refused at
//! connect time unless the instance allows them for tests), https and a
//! host name without a port outside debug mode, [`LOOKUP_TIMEOUT`] for the
//! whole exchange, at most [`MAX_JRD_BYTES`] read, and a rate limit per
//! client address.

use super::{
    ctx::{Chrome, Ctx},
    errors::{self, Problem},
    views::web_href,
};
use crate::{ratelimit::ip_key, state::AppState};
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use askama::Template;
use deling_domain::handle::FollowTarget;
use deling_federation::urls::LocalRef;
use serde::Deserialize;
use std::time::Duration;
use url::Url;

/// The WebFinger link relation of a remote-interaction template.
pub const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";
/// The longest the WebFinger lookup may take, connection included.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest WebFinger document read.
pub const MAX_JRD_BYTES: usize = 64 << 10;

/// The form.
#[derive(Debug, Deserialize)]
pub struct InteractForm {
    /// One of our agencies' or items' URLs.
    pub uri: String,
    /// The visitor's server or account.
    pub server: String,
}

#[derive(Template)]
#[template(path = "interact_confirm.html")]
struct ConfirmPage {
    c: Chrome,
    lead: String,
    host: String,
    other_host: Option<String>,
    destination: String,
    warning: String,
    continue_text: String,
    back: String,
}

#[derive(Template)]
#[template(path = "interact.html")]
struct InteractPage {
    c: Chrome,
    problem: String,
    server: String,
    back: String,
    interact_uri: String,
    interact_id: &'static str,
    interact_button: String,
}

/// Where the visitor's account lives, as they typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// The user part, when they gave their account.
    pub user: Option<String>,
    /// Host, with `:port` when given.
    pub host: String,
}

/// Reads `mastodon.social`, `@kari@mastodon.social`, `kari@mastodon.social`
/// or `https://mastodon.social/...`.
pub fn parse_home(input: &str) -> Option<Home> {
    let input = input.trim();
    if input.starts_with("http://") || input.starts_with("https://") {
        let url = Url::parse(input).ok()?;
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str()?),
            None => url.host_str()?.to_owned(),
        };
        return deling_domain::host::authority_ok(&host).then_some(Home { user: None, host });
    }
    if input.contains('@') {
        return match FollowTarget::parse(input).ok()? {
            FollowTarget::Handle { user, host } => Some(Home {
                user: Some(user),
                host,
            }),
            FollowTarget::Url(_) => None,
        };
    }
    let host = input.trim_end_matches('/').to_ascii_lowercase();
    deling_domain::host::authority_ok(&host).then_some(Home { user: None, host })
}

/// The root URL of `home`'s server, if it may be asked: https and a host
/// name without a port, unless in debug mode (tests on loopback).
fn server_base(home: &Home, debug: bool) -> Option<Url> {
    let scheme = if debug { "http" } else { "https" };
    let base = Url::parse(&format!("{scheme}://{}/", home.host)).ok()?;
    if !debug && (base.port().is_some() || !matches!(base.host(), Some(url::Host::Domain(_)))) {
        return None;
    }
    Some(base)
}

/// Why a server's interaction template is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadTemplate {
    /// It has no `{uri}` to fill: Mastodon's address is tried instead.
    NoPlaceholder,
    /// Filled in, it is not a plain http(s) address: the visitor is told,
    /// and sent nowhere.
    NotWeb,
}

/// `template` with `{uri}` replaced by `target`, if that makes a plain
/// web address (see [`web_destination`]).
pub fn fill_template(template: &str, target: &str) -> Result<Url, BadTemplate> {
    let encoded: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
    let filled = template.replace("{uri}", &encoded);
    // The scheme is judged first, so a `javascript:` template is refused
    // whether or not it bothered with the placeholder.
    let url = web_destination(&filled).ok_or(BadTemplate::NotWeb)?;
    if !template.contains("{uri}") {
        return Err(BadTemplate::NoPlaceholder);
    }
    Ok(url)
}

/// `href` as a place to send a visitor: an absolute http(s) URL with a
/// host and no user name or password (`https://our.domain@evil.example/`
/// reads as ours to a person, and goes elsewhere).
pub fn web_destination(href: &str) -> Option<Url> {
    let url = Url::parse(&web_href(href)?).ok()?;
    (url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none())
    .then_some(url)
}

/// The destination's host as the confirmation page shows it: the ASCII
/// (punycode) form the `url` crate keeps, so look-alike letters from
/// other scripts show as `xn--`, with the port when it is not the
/// scheme's own.
pub fn shown_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}

/// Asks `base`'s WebFinger about `home` for its interaction template.
async fn subscribe_template(state: &AppState, base: &Url, home: &Home) -> Option<String> {
    // A server this instance's policy refuses is not asked anything, on
    // a visitor's behalf either.
    if deling_federation::policy::refuses_host(&state.store, base)
        .await
        .unwrap_or(true)
    {
        return None;
    }
    let data = state.fed_data();
    let acct = format!(
        "acct:{}@{}",
        home.user.as_deref().unwrap_or(&home.host),
        home.host
    );
    let mut url = base.join(".well-known/webfinger").ok()?;
    url.query_pairs_mut().append_pair("resource", &acct);
    // The host is the visitor's choice: the client's resolver refuses
    // private addresses at connect time, and looks names up within a
    // bounded number of slots (`deling_federation::dns`).
    let lookup = async {
        let resp = data
            .client
            .get(url)
            .header(
                header::ACCEPT.as_str(),
                "application/jrd+json, application/json",
            )
            .send()
            .await
            .ok()?;
        if !resp.status().is_success() {
            return None;
        }
        let body = deling_federation::http_body::read_capped(resp, MAX_JRD_BYTES)
            .await
            .ok()?;
        let jrd: serde_json::Value = serde_json::from_slice(&body).ok()?;
        jrd.get("links")?
            .as_array()?
            .iter()
            .find(|l| l.get("rel").and_then(|r| r.as_str()) == Some(SUBSCRIBE_REL))
            .and_then(|l| l.get("template")?.as_str().map(str::to_owned))
    };
    tokio::time::timeout(LOOKUP_TIMEOUT, lookup)
        .await
        .ok()
        .flatten()
}

/// `POST /interact`.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Result<web::Form<InteractForm>, actix_web::Error>,
) -> HttpResponse {
    let ctx = Ctx::new(state, &req);
    let Ok(form) = form else {
        return errors::page(&ctx, Problem::BadRequest);
    };
    let state = &ctx.state;
    // Only our own agencies and items: this is no redirector for others.
    let target = Url::parse(form.uri.trim()).ok().filter(|u| {
        matches!(
            state.urls.parse_local(u),
            Some(LocalRef::Agency(_) | LocalRef::Item(_))
        )
    });
    let Some(target) = target else {
        return errors::page(&ctx, Problem::BadRequest);
    };
    let Some(home) = parse_home(&form.server) else {
        return again(&ctx, &form, &target, "interact-error-server");
    };
    let debug = state.federation.settings.debug;
    let Some(base) = server_base(&home, debug) else {
        return again(&ctx, &form, &target, "interact-error-server");
    };
    if state
        .limiters
        .interact_per_ip
        .check(&ip_key(state.client_ip(&req)))
        .is_err()
    {
        return errors::page(&ctx, Problem::TooMany);
    }
    let found = match subscribe_template(state, &base, &home).await {
        Some(t) => match fill_template(&t, target.as_str()) {
            Ok(u) => Some(u),
            Err(BadTemplate::NoPlaceholder) => None,
            Err(BadTemplate::NotWeb) => {
                tracing::info!(
                    server = %home.host,
                    "a remote-interaction template is not a web address: refused"
                );
                return again_with(
                    &ctx,
                    &form,
                    &target,
                    "interact-error-destination",
                    StatusCode::BAD_GATEWAY,
                );
            }
        },
        None => None,
    };
    let destination = found.or_else(|| {
        let mut u = base.join("authorize_interaction").ok()?;
        u.query_pairs_mut().append_pair("uri", target.as_str());
        web_destination(u.as_str())
    });
    match destination {
        Some(d) => confirm(&ctx, &home, &base, &d, &target),
        None => again(&ctx, &form, &target, "interact-error-server"),
    }
}

/// The page that says where the visitor is about to go, with a link to
/// go on and one back: 200, never a redirect (see the module's comment).
fn confirm(ctx: &Ctx, home: &Home, asked: &Url, destination: &Url, target: &Url) -> HttpResponse {
    let t = &ctx.t;
    let site = ctx.state.settings.instance_name.as_str();
    let host = shown_host(destination);
    // The visitor named a server; a WebFinger that sends them to another
    // host is worth a second look, so the page says so. Compared in the
    // form both URLs hold (punycode, no default port).
    let other_host = (host != shown_host(asked))
        .then(|| t.msg_with("interact-confirm-other-host", &[("server", &home.host)]));
    let page = ConfirmPage {
        c: ctx.chrome(t.msg("interact-confirm-title")),
        lead: t.msg_with("interact-confirm-lead", &[("site", site)]),
        other_host,
        destination: destination.to_string(),
        warning: t.msg_with("interact-confirm-warning", &[("site", site)]),
        continue_text: t.msg_with("interact-confirm-continue", &[("host", &host)]),
        host,
        back: target.to_string(),
    };
    let mut res = ctx.render(StatusCode::OK, &page);
    // The answer depends on what was posted and on another server's
    // answer at that moment: nothing to keep.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// The form again, with what was typed and why it was refused.
fn again(ctx: &Ctx, form: &InteractForm, target: &Url, problem: &str) -> HttpResponse {
    again_with(ctx, form, target, problem, StatusCode::BAD_REQUEST)
}

/// [`again`] with `status`.
fn again_with(
    ctx: &Ctx,
    form: &InteractForm,
    target: &Url,
    problem: &str,
    status: StatusCode,
) -> HttpResponse {
    let page = InteractPage {
        c: ctx.chrome(ctx.t.msg("interact-title")),
        problem: ctx.t.msg(problem),
        server: form.server.clone(),
        back: target.to_string(),
        interact_uri: target.to_string(),
        interact_id: "again",
        interact_button: ctx.t.msg("interact-continue-button"),
    };
    ctx.render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_are_read_from_what_people_type() {
        let h = |s: &str| parse_home(s);
        assert_eq!(
            h("mastodon.social"),
            Some(Home {
                user: None,
                host: "mastodon.social".into()
            })
        );
        assert_eq!(
            h("@kari@Mastodon.Social"),
            Some(Home {
                user: Some("kari".into()),
                host: "mastodon.social".into()
            })
        );
        assert_eq!(
            h("https://mastodon.social/@kari").map(|h| h.host),
            Some("mastodon.social".into())
        );
        assert_eq!(
            h("localhost:3000").map(|h| h.host),
            Some("localhost:3000".into())
        );
        for bad in ["", "mastodon social", "javascript:alert(1)", "@@x", "a/b/c"] {
            assert_eq!(h(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_hosts_by_name_on_the_https_port_outside_debug() {
        let home = |host: &str| Home {
            user: None,
            host: host.into(),
        };
        assert!(server_base(&home("mastodon.social"), false).is_some());
        assert!(server_base(&home("mastodon.social:8443"), false).is_none());
        assert!(server_base(&home("127.0.0.1"), false).is_none());
        assert_eq!(
            server_base(&home("localhost:3000"), true).map(|u| u.to_string()),
            Some("http://localhost:3000/".into())
        );
    }

    #[test]
    fn templates_are_filled_and_must_stay_web_addresses() {
        assert_eq!(
            fill_template(
                "https://m.example/authorize_interaction?uri={uri}",
                "https://d.example/items/1"
            )
            .map(String::from),
            Ok(
                "https://m.example/authorize_interaction?uri=https%3A%2F%2Fd.example%2Fitems%2F1"
                    .into()
            )
        );
        for bad in [
            "javascript:alert('{uri}')",
            "javascript:alert(1)",
            "JavaScript:alert('{uri}')",
            "data:text/html,<script>alert('{uri}')</script>",
            "vbscript:x{uri}",
            "/relative?uri={uri}",
            "https://deling.oslo.kommune.no@evil.example/?u={uri}",
            "https://user:pw@evil.example/?u={uri}",
            "file:///etc/passwd?{uri}",
        ] {
            assert_eq!(fill_template(bad, "x"), Err(BadTemplate::NotWeb), "{bad}");
        }
        assert_eq!(
            fill_template("https://m.example/no-placeholder", "x"),
            Err(BadTemplate::NoPlaceholder)
        );
    }

    #[test]
    fn the_shown_host_is_the_one_the_link_goes_to() {
        let host = |s: &str| shown_host(&Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")));
        assert_eq!(host("https://Mastodon.Social/x"), "mastodon.social");
        assert_eq!(host("https://evil.example:8443/x"), "evil.example:8443");
        assert_eq!(host("https://evil.example:443/x"), "evil.example");
        // A Cyrillic "а" in a look-alike name shows as punycode.
        assert_eq!(
            host("https://m\u{430}stodon.social/"),
            "xn--mstodon-2fg.social"
        );
    }
}
