//! Configuration: built-in defaults (config/default.toml, compiled in), an
//! optional file, then `DELING_*` environment variables.

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;
use std::{net::SocketAddr, path::Path};

/// The defaults, so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

/// Longest lifetime of a login token, in days (ten years).
pub const MAX_TOKEN_LIFETIME_DAYS: u32 = 3650;

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Public host (and port).
    pub domain: String,
    /// Listen address.
    pub bind: String,
    /// Database URL.
    pub database_url: String,
    /// `[instance]`.
    pub instance: InstanceConfig,
    /// `[http]`.
    pub http: HttpConfig,
    /// `[auth]`.
    pub auth: AuthConfig,
    /// `[federation]`.
    pub federation: FederationConfig,
    /// `[limits]`.
    pub limits: LimitsConfig,
    /// `[log]`.
    pub log: LogConfig,
    /// `[metrics]`.
    pub metrics: MetricsConfig,
    /// `[search]`.
    pub search: SearchConfig,
}

/// `[search]`: federated search.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Peers (`host` or `host:port`) asked besides those of followed and
    /// following agencies.
    pub peers: Vec<String>,
    /// How long a search waits for peers, in milliseconds.
    pub peer_timeout_ms: u64,
}

impl SearchConfig {
    /// The web layer's form of these settings.
    pub fn settings(&self) -> deling_web::SearchSettings {
        deling_web::SearchSettings {
            peers: self
                .peers
                .iter()
                .map(|p| p.trim().to_ascii_lowercase())
                .collect(),
            peer_timeout: std::time::Duration::from_millis(self.peer_timeout_ms),
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        for peer in &self.peers {
            if !deling_domain::host::authority_ok(peer.trim()) {
                return Err(ConfigError::Invalid {
                    key: "search.peers",
                    problem: format!(
                        "{peer:?} is not a host name with an optional port, like deling.example.no"
                    ),
                });
            }
        }
        if !(100..=30_000).contains(&self.peer_timeout_ms) {
            return Err(ConfigError::Invalid {
                key: "search.peer_timeout_ms",
                problem: "must be from 100 to 30000".into(),
            });
        }
        Ok(())
    }
}

/// `[metrics]`: where Prometheus scrapes `/metrics`. Off unless set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// A separate address (e.g. `127.0.0.1:9464`) that serves `/metrics`
    /// alone, without authentication; empty for none.
    pub bind: String,
    /// A bearer token that opens `/metrics` on the public port; empty for
    /// none (then `/metrics` there answers 404).
    pub token: String,
}

impl MetricsConfig {
    /// The separate metrics address, if one is set.
    pub fn bind_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        let bind = self.bind.trim();
        if bind.is_empty() {
            return Ok(None);
        }
        bind.parse().map(Some).map_err(|_| ConfigError::Invalid {
            key: "metrics.bind",
            problem: format!("{bind:?} is not an address and port like 127.0.0.1:9464"),
        })
    }

    /// The token that opens `/metrics` on the public port, if one is set.
    pub fn token(&self) -> Result<Option<String>, ConfigError> {
        let token = self.token.trim();
        if token.is_empty() {
            return Ok(None);
        }
        if token.chars().count() < 16 || token.chars().any(|c| c.is_control() || c == ' ') {
            return Err(ConfigError::Invalid {
                key: "metrics.token",
                problem: "must be at least 16 characters, with no spaces or control characters"
                    .into(),
            });
        }
        Ok(Some(token.to_owned()))
    }
}

/// `[instance]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    /// Display name.
    pub name: String,
    /// What the instance is, shown on the front page.
    pub description: String,
    /// Who runs it.
    pub operator: String,
    /// How to reach the operator.
    pub contact: String,
}

/// `[http]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Body size limit in bytes.
    pub max_body_bytes: usize,
    /// Seconds a request's body may take to arrive once its head has.
    pub body_timeout_seconds: u64,
    /// Worker threads (0 = per core).
    pub workers: usize,
    /// Take the client address (and links' scheme and host) from the
    /// reverse proxy's headers.
    pub trust_proxy_headers: bool,
    /// Which headers that proxy writes: `x-forwarded` or `forwarded`.
    pub proxy_headers: String,
    /// Keep rendered public answers (see `deling_web::cache`).
    pub page_cache: bool,
}

impl HttpConfig {
    /// The style of headers the reverse proxy writes.
    pub fn proxy_headers(&self) -> Result<deling_web::proxy::ProxyHeaders, ConfigError> {
        self.proxy_headers
            .trim()
            .parse()
            .map_err(|problem| ConfigError::Invalid {
                key: "http.proxy_headers",
                problem,
            })
    }
}

/// `[auth]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Lifetime of login tokens.
    pub token_lifetime_days: u32,
    /// How long a staff member stays logged in on the web pages.
    pub session_hours: u32,
    /// Whether staff may log in with a password; turn it off when every
    /// login goes through single sign-on.
    pub password_login: bool,
    /// `[auth.oidc]`: single sign-on.
    pub oidc: OidcConfig,
}

/// `[auth.oidc]`: single sign-on with OpenID Connect. Off while `issuer`
/// is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL (its discovery document is at
    /// `ISSUER/.well-known/openid-configuration`); empty for none.
    pub issuer: String,
    /// This instance's client id at the provider.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// The claim whose value is a staff account's username.
    pub claim: String,
    /// When the claim is an e-mail address or principal name, the domain
    /// it must be in; the part before `@` is then the username.
    pub username_domain: String,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The provider's name on the login button ("Log in with LABEL").
    pub label: String,
}

/// Host names that mean this machine: the only ones an `http://` issuer
/// may have (a provider started by a test, or one reached through a
/// local tunnel). Anything else must be https.
fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl OidcConfig {
    /// Whether single sign-on is configured.
    pub fn enabled(&self) -> bool {
        !self.issuer.trim().is_empty()
    }

    /// The web layer's settings, or `None` when single sign-on is off.
    pub fn settings(&self) -> Result<Option<deling_web::staff::oidc::OidcSettings>, ConfigError> {
        if !self.enabled() {
            return Ok(None);
        }
        self.check()?;
        deling_web::staff::oidc::OidcSettings::new(deling_web::staff::oidc::OidcOptions {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            claim: self.claim.clone(),
            username_domain: self.username_domain.clone(),
            scopes: self.scopes.iter().map(|s| s.trim().to_owned()).collect(),
            label: self.label.clone(),
        })
        .map(Some)
        .map_err(|e| ConfigError::Invalid {
            key: "auth.oidc.issuer",
            problem: e.to_string(),
        })
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |key, problem: &str| ConfigError::Invalid {
            key,
            problem: problem.to_owned(),
        };
        if !self.enabled() {
            if !self.client_id.trim().is_empty() || !self.client_secret.is_empty() {
                return Err(invalid(
                    "auth.oidc.issuer",
                    "must be set when auth.oidc.client_id or client_secret is (or remove those)",
                ));
            }
            return Ok(());
        }
        let issuer = self.issuer.trim();
        let url = url::Url::parse(issuer).map_err(|_| ConfigError::Invalid {
            key: "auth.oidc.issuer",
            problem: format!("{issuer:?} is not a URL like https://login.example.no/"),
        })?;
        let scheme_ok =
            url.scheme() == "https" || (url.scheme() == "http" && is_loopback_host(&url));
        if !scheme_ok {
            return Err(ConfigError::Invalid {
                key: "auth.oidc.issuer",
                problem: format!(
                    "{issuer:?} must be an https:// URL (http:// only on localhost, for tests)"
                ),
            });
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(invalid(
                "auth.oidc.issuer",
                "must have no query, fragment or user name: it is the provider's issuer identifier",
            ));
        }
        if self.client_id.trim().is_empty() {
            return Err(invalid(
                "auth.oidc.client_id",
                "must be set: the client id the provider gave this instance",
            ));
        }
        if self.client_secret.is_empty() {
            return Err(invalid(
                "auth.oidc.client_secret",
                "must be set: the client secret the provider gave this instance                  (or set DELING_AUTH__OIDC__CLIENT_SECRET)",
            ));
        }
        let claim = self.claim.trim();
        if claim.is_empty()
            || !claim
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'))
        {
            return Err(invalid(
                "auth.oidc.claim",
                "must be a claim name such as preferred_username, email or sub",
            ));
        }
        let domain = self.username_domain.trim();
        if !domain.is_empty()
            && (domain.contains(':') || !deling_domain::host::authority_ok(domain))
        {
            return Err(ConfigError::Invalid {
                key: "auth.oidc.username_domain",
                problem: format!("{domain:?} is not a domain name like kommune.no"),
            });
        }
        for scope in &self.scopes {
            let scope = scope.trim();
            if scope.is_empty()
                || scope == "openid"
                || !scope
                    .chars()
                    .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
            {
                return Err(ConfigError::Invalid {
                    key: "auth.oidc.scopes",
                    problem: format!(
                        "{scope:?} is not a scope to add (openid is always asked for)"
                    ),
                });
            }
        }
        if self.label.chars().count() > 60 || self.label.chars().any(char::is_control) {
            return Err(invalid(
                "auth.oidc.label",
                "must be at most 60 characters, like ID-porten or Entra ID",
            ));
        }
        Ok(())
    }
}

/// `[federation]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationConfig {
    /// Plain HTTP on loopback, for tests.
    pub debug: bool,
    /// Allow private and loopback peers, for tests.
    pub allow_private_addresses: bool,
    /// Authorized fetch.
    pub require_signed_fetch: bool,
    /// First retry delay.
    pub retry_base_seconds: u64,
    /// Attempts before giving up a delivery.
    pub max_delivery_attempts: u32,
    /// Longest wait for a connection to a peer, in seconds.
    pub connect_timeout_seconds: u64,
    /// Longest wait for a whole outgoing request, in seconds.
    pub request_timeout_seconds: u64,
    /// How long an idle connection to a peer is kept for reuse, in seconds.
    pub idle_connection_seconds: u64,
    /// Followers of one agency that one server may have; a Follow past it
    /// is refused.
    pub max_followers_per_host: u64,
    /// Distinct inboxes among one server's followers of one agency (each
    /// a signed request per publish); a Follow that would add one past it
    /// is refused.
    pub max_inboxes_per_host: u64,
}

impl FederationConfig {
    /// The federation crate's form of the outgoing-request settings.
    pub fn http(&self) -> deling_federation::context::HttpSettings {
        deling_federation::context::HttpSettings {
            connect_timeout: std::time::Duration::from_secs(self.connect_timeout_seconds),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_seconds),
            idle_timeout: std::time::Duration::from_secs(self.idle_connection_seconds),
            ..Default::default()
        }
    }

    /// The store's form of the follower caps.
    pub fn follower_caps(&self) -> deling_store::queries::follower_cap::FollowerCaps {
        deling_store::queries::follower_cap::FollowerCaps {
            per_host: self.max_followers_per_host,
            inboxes_per_host: self.max_inboxes_per_host,
        }
    }

    /// The timeouts must fit the delivery queue: a request longer than 30
    /// seconds could outlast the lease of the row it delivers (60 s, of
    /// which a host's turn takes up to 15 s).
    fn check_http(&self) -> Result<(), ConfigError> {
        let bad = |key, problem: &str| {
            Err(ConfigError::Invalid {
                key,
                problem: problem.into(),
            })
        };
        if !(1..=30).contains(&self.request_timeout_seconds) {
            return bad("federation.request_timeout_seconds", "must be 1 to 30");
        }
        if !(1..=self.request_timeout_seconds).contains(&self.connect_timeout_seconds) {
            return bad(
                "federation.connect_timeout_seconds",
                "must be at least 1 and at most federation.request_timeout_seconds",
            );
        }
        if !(1..=3600).contains(&self.idle_connection_seconds) {
            return bad("federation.idle_connection_seconds", "must be 1 to 3600");
        }
        if self.max_followers_per_host == 0 {
            return bad("federation.max_followers_per_host", "must be at least 1");
        }
        if !(1..=self.max_followers_per_host).contains(&self.max_inboxes_per_host) {
            return bad(
                "federation.max_inboxes_per_host",
                "must be at least 1 and at most federation.max_followers_per_host",
            );
        }
        Ok(())
    }
}

/// `[limits]`: rate limits (per process) and the login lock-out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Inbox deliveries per client address per minute.
    pub inbox_per_ip_per_minute: u32,
    /// Inbox deliveries per remote host per minute.
    pub inbox_per_host_per_minute: u32,
    /// API requests per bearer token per minute.
    pub api_per_token_per_minute: u32,
    /// Login attempts per client address per minute.
    pub login_per_ip_per_minute: u32,
    /// Searches per client address per minute.
    pub search_per_ip_per_minute: u32,
    /// Searches sent to one peer per minute.
    pub search_per_peer_per_minute: u32,
    /// Failed logins in a row that lock a username.
    pub login_lockout_failures: u32,
    /// The first lock, in seconds; each further failure doubles it.
    pub login_lockout_base_seconds: u64,
    /// The longest lock, in seconds.
    pub login_lockout_max_seconds: u64,
}

impl LimitsConfig {
    /// The web layer's form of these settings.
    pub fn settings(&self) -> deling_web::ratelimit::LimitSettings {
        let secs = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX));
        deling_web::ratelimit::LimitSettings {
            inbox_per_ip_per_minute: self.inbox_per_ip_per_minute,
            inbox_per_host_per_minute: self.inbox_per_host_per_minute,
            api_per_token_per_minute: self.api_per_token_per_minute,
            login_per_ip_per_minute: self.login_per_ip_per_minute,
            search_per_ip_per_minute: self.search_per_ip_per_minute,
            search_per_peer_per_minute: self.search_per_peer_per_minute,
            login_lockout_failures: self.login_lockout_failures,
            login_lockout_base: secs(self.login_lockout_base_seconds),
            login_lockout_max: secs(self.login_lockout_max_seconds),
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        let at_least_one = |key: &'static str, v: u64| {
            if v == 0 {
                Err(ConfigError::Invalid {
                    key,
                    problem: "must be at least 1".into(),
                })
            } else {
                Ok(())
            }
        };
        at_least_one(
            "limits.inbox_per_ip_per_minute",
            self.inbox_per_ip_per_minute.into(),
        )?;
        at_least_one(
            "limits.inbox_per_host_per_minute",
            self.inbox_per_host_per_minute.into(),
        )?;
        at_least_one(
            "limits.api_per_token_per_minute",
            self.api_per_token_per_minute.into(),
        )?;
        at_least_one(
            "limits.login_per_ip_per_minute",
            self.login_per_ip_per_minute.into(),
        )?;
        at_least_one(
            "limits.search_per_ip_per_minute",
            self.search_per_ip_per_minute.into(),
        )?;
        at_least_one(
            "limits.search_per_peer_per_minute",
            self.search_per_peer_per_minute.into(),
        )?;
        at_least_one(
            "limits.login_lockout_failures",
            self.login_lockout_failures.into(),
        )?;
        at_least_one(
            "limits.login_lockout_base_seconds",
            self.login_lockout_base_seconds,
        )?;
        // A week is far longer than anyone should be locked out; it also
        // keeps the durations well inside what dates can hold.
        const WEEK: u64 = 7 * 24 * 3600;
        if self.login_lockout_base_seconds > WEEK {
            return Err(ConfigError::Invalid {
                key: "limits.login_lockout_base_seconds",
                problem: format!("must be at most {WEEK} (a week)"),
            });
        }
        if self.login_lockout_max_seconds < self.login_lockout_base_seconds
            || self.login_lockout_max_seconds > WEEK
        {
            return Err(ConfigError::Invalid {
                key: "limits.login_lockout_max_seconds",
                problem: format!(
                    "must be from limits.login_lockout_base_seconds ({}) to {WEEK} (a week)",
                    self.login_lockout_base_seconds
                ),
            });
        }
        Ok(())
    }
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// tracing filter.
    pub filter: String,
}

/// A configuration that cannot be used; shown to the operator as one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named by `--config` is not there.
    #[error("configuration file {0} does not exist")]
    MissingFile(String),
    /// A value does not parse, or a key is unknown (figment names both).
    #[error("configuration error: {0}")]
    Figment(String),
    /// A value parses but makes no sense.
    #[error("configuration error: {key}: {problem}")]
    Invalid {
        /// Dotted key.
        key: &'static str,
        /// Why.
        problem: String,
    },
}

impl Config {
    /// Loads defaults, then `file`, then the environment, and checks values.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::new().merge(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile(path.display().to_string()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(Env::prefixed("DELING_").split("__"));
        let config: Config = figment.extract().map_err(|e| {
            // figment reports every error; the first is enough to act on,
            // and one line is what an operator reads.
            let first = e.into_iter().next().map(describe).unwrap_or_default();
            ConfigError::Figment(first)
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        self.bind_addr()?;
        // The URL check refuses what cannot stand in an id (a path, a user);
        // an IP address gets its own message; anything else must be a host
        // name with an optional port, checked as peers' hosts are.
        let parsed = url::Url::parse(&format!("http://{}/", self.domain))
            .ok()
            .filter(|u| u.path() == "/" && u.query().is_none() && u.username().is_empty())
            .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()) && !self.domain.contains('/'));
        let is_ip = parsed
            .as_ref()
            .is_some_and(|u| matches!(u.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))));
        if is_ip {
            // activitypub_federation (and most peers) refuse ids whose host
            // is an IP address, so such an instance could never federate.
            return Err(ConfigError::Invalid {
                key: "domain",
                problem: format!(
                    "{:?} is an IP address; ActivityPub peers need a host name \
                     (for a local test instance use localhost:PORT)",
                    self.domain
                ),
            });
        }
        if parsed.is_none() || !deling_domain::host::authority_ok(&self.domain) {
            return Err(ConfigError::Invalid {
                key: "domain",
                problem: format!(
                    "{:?} is not a host name with an optional port, like deling.example.no",
                    self.domain
                ),
            });
        }
        let db_ok = url::Url::parse(&self.database_url)
            .is_ok_and(|u| matches!(u.scheme(), "sqlite" | "postgres" | "postgresql"));
        if !db_ok {
            return Err(ConfigError::Invalid {
                key: "database_url",
                problem: format!(
                    "{:?} is not a database URL; use sqlite://PATH?mode=rwc or postgres://USER@HOST/DB",
                    redact(&self.database_url)
                ),
            });
        }
        if self.http.max_body_bytes < 1024 {
            return Err(ConfigError::Invalid {
                key: "http.max_body_bytes",
                problem: "must be at least 1024".into(),
            });
        }
        if !(1..=600).contains(&self.http.body_timeout_seconds) {
            return Err(ConfigError::Invalid {
                key: "http.body_timeout_seconds",
                problem: "must be 1 to 600".into(),
            });
        }
        if self.federation.retry_base_seconds == 0 {
            return Err(ConfigError::Invalid {
                key: "federation.retry_base_seconds",
                problem: "must be at least 1".into(),
            });
        }
        if self.federation.max_delivery_attempts == 0 || self.federation.max_delivery_attempts > 100
        {
            return Err(ConfigError::Invalid {
                key: "federation.max_delivery_attempts",
                problem: "must be 1 to 100".into(),
            });
        }
        self.federation.check_http()?;
        // Bounded above too: a login adds it to today's date, and a date
        // past what dates can hold would fail every login instead of the
        // start.
        if !(1..=MAX_TOKEN_LIFETIME_DAYS).contains(&self.auth.token_lifetime_days) {
            return Err(ConfigError::Invalid {
                key: "auth.token_lifetime_days",
                problem: format!("must be 1 to {MAX_TOKEN_LIFETIME_DAYS}"),
            });
        }
        self.auth.oidc.check()?;
        if !self.auth.password_login && !self.auth.oidc.enabled() {
            return Err(ConfigError::Invalid {
                key: "auth.password_login",
                problem: "false needs single sign-on in [auth.oidc] (issuer, client_id, \
                          client_secret): otherwise no one can log in to the staff pages"
                    .into(),
            });
        }
        if !(1..=24 * 31).contains(&self.auth.session_hours) {
            return Err(ConfigError::Invalid {
                key: "auth.session_hours",
                problem: "must be 1 to 744 (31 days)".into(),
            });
        }
        self.limits.check()?;
        self.search.check()?;
        self.http.proxy_headers()?;
        self.metrics.bind_addr()?;
        self.metrics.token()?;
        Ok(())
    }

    /// The listen address.
    pub fn bind_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.bind.parse().map_err(|_| ConfigError::Invalid {
            key: "bind",
            problem: format!(
                "{:?} is not an address and port like 127.0.0.1:8080",
                self.bind
            ),
        })
    }
}

/// One line for a figment error: the key as the file spells it (environment
/// keys arrive upper-cased), what is wrong, and where the value came from.
fn describe(e: figment::Error) -> String {
    let key = e.path.join(".").to_lowercase();
    let what = e
        .kind
        .to_string()
        .replace("``", "`")
        .replace("`one of ", "one of ");
    let source = e.metadata.as_ref().map(|m| match &m.source {
        Some(src) => format!("{} {src}", m.name),
        None => m.name.to_string(),
    });
    let mut line = if key.is_empty() {
        what
    } else {
        format!("{key}: {what}")
    };
    if let Some(source) = source {
        line.push_str(&format!(" (from {source})"));
    }
    line
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
