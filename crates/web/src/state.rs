//! What every handler can reach.

use crate::{
    cache::ResponseCache,
    ratelimit::{LimitSettings, Limiters},
};
use deling_federation::{Urls, context::Config, search_peers::PeerSearch};
use deling_store::{Store, queries::login::LockoutPolicy};
use std::sync::Arc;

/// Settings the web layer needs from the server's configuration.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The instance's display name.
    pub instance_name: String,
    /// What the instance is, for the front page (empty: a standard text).
    pub instance_description: String,
    /// Who runs the instance (empty: not shown).
    pub instance_operator: String,
    /// How to reach them: an e-mail address, a web address or free text
    /// (empty: not shown).
    pub instance_contact: String,
    /// The public host (and port), the part after `@` in handles.
    pub domain: String,
    /// How long a token from `POST /api/v1/auth/login` lives.
    pub token_lifetime: chrono::Duration,
    /// How long a staff member's web session lasts after logging in.
    pub session_lifetime: chrono::Duration,
    /// Whether staff may log in with a password (off when the instance
    /// uses single sign-on only).
    pub password_login: bool,
    /// Single sign-on with OpenID Connect (`[auth.oidc]`), when configured.
    pub oidc: Option<crate::staff::oidc::OidcSettings>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long a request's body may take to arrive once its head has
    /// (see [`crate::body_deadline`]).
    pub body_deadline: std::time::Duration,
    /// Take the client's address, and the scheme and host of links, from
    /// what a reverse proxy wrote ([`Self::proxy_headers`]) rather than
    /// from the connection.
    pub trust_proxy_headers: bool,
    /// Which headers that proxy writes (and the only ones read).
    pub proxy_headers: crate::proxy::ProxyHeaders,
    /// Keep rendered public answers ([`crate::cache`]); off, every request
    /// reads the database (the growth benchmark measures that path).
    pub page_cache: bool,
    /// Rate limits and the login lock-out.
    pub limits: LimitSettings,
    /// The bearer token that opens `/metrics` on the public port; without
    /// one it is not served there.
    pub metrics_token: Option<String>,
    /// Federated search.
    pub search: SearchSettings,
}

/// Federated search settings, from `[search]` in the configuration.
#[derive(Debug, Clone, Default)]
pub struct SearchSettings {
    /// Peers (`host` or `host:port`) asked besides those of followed and
    /// following agencies.
    pub peers: Vec<String>,
    /// How long a search waits for peers.
    pub peer_timeout: std::time::Duration,
}

/// Shared state, cloned into each worker.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The public URL scheme.
    pub urls: Urls,
    /// Settings.
    pub settings: WebSettings,
    /// activitypub_federation's configuration (with our federation context).
    pub federation: Config,
    /// This process's rate limiters, shared by every worker.
    pub limiters: Arc<Limiters>,
    /// Asks peers in federated search; knows which peers answer it.
    pub peer_search: PeerSearch,
    /// Rendered public answers, shared by every worker.
    pub cache: Arc<ResponseCache>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `store`, with rate limiters built from `settings.limits`.
    pub fn new(store: Store, urls: Urls, settings: WebSettings, federation: Config) -> Self {
        let limiters = Arc::new(Limiters::new(&settings.limits));
        let cache = Arc::new(if settings.page_cache {
            ResponseCache::new()
        } else {
            ResponseCache::off()
        });
        Self {
            store,
            urls,
            settings,
            federation,
            limiters,
            peer_search: PeerSearch::new(),
            cache,
        }
    }

    /// How failed logins lock a username.
    pub fn lockout_policy(&self) -> LockoutPolicy {
        let l = &self.settings.limits;
        LockoutPolicy {
            after_failures: l.login_lockout_failures,
            base: l.login_lockout_base,
            max: l.login_lockout_max,
            // Longer than any lock, so failures on both sides of a lock
            // add up.
            forget_after: chrono::Duration::days(1) + l.login_lockout_max,
        }
    }

    /// The client's address as the rate limits see it.
    pub fn client_ip(&self, req: &actix_web::HttpRequest) -> Option<std::net::IpAddr> {
        crate::ratelimit::client_ip(req, self.proxy())
    }

    /// The headers of the trusted proxy, if any.
    fn proxy(&self) -> Option<crate::proxy::ProxyHeaders> {
        self.settings
            .trust_proxy_headers
            .then_some(self.settings.proxy_headers)
    }

    /// The scheme and host links in a response start with: the configured
    /// ones, or, when proxy headers are trusted, what the proxy says the
    /// client used, if that is http(s) and a plain host. Never taken from
    /// the request otherwise: a forged `Host` or `X-Forwarded-Host` must
    /// not turn a `next` link into someone else's (or a `javascript:`) URL.
    pub fn public_base(&self, req: &actix_web::HttpRequest) -> url::Url {
        let configured = self.urls.base().clone();
        let Some(proxy) = self.proxy() else {
            return configured;
        };
        let (scheme, host) = proxy.scheme_and_host(req);
        if !matches!(scheme.as_str(), "http" | "https") {
            return configured;
        }
        url::Url::parse(&format!("{scheme}://{host}/"))
            .ok()
            .filter(|u| {
                u.path() == "/"
                    && u.username().is_empty()
                    && u.password().is_none()
                    && u.query().is_none()
                    && u.host_str().is_some_and(|h| !h.is_empty())
            })
            .unwrap_or(configured)
    }

    /// Request data for activitypub_federation calls.
    pub fn fed_data(&self) -> deling_federation::context::Data {
        self.federation.to_request_data()
    }

    /// Wakes the federation worker: there is something to send.
    pub fn wake_federation(&self) {
        self.federation.wake.notify_one();
    }

    /// `@slug@domain`.
    pub fn handle(&self, slug: &str) -> String {
        format!("@{slug}@{}", self.settings.domain)
    }
}
