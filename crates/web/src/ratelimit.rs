//! Rate limits: in-process token buckets, one per key (a client address, a
//! peer host, an API token, a staff web session).
//!
//! A staff web session's form posts count against a limiter of their own
//! ([`Limiters::staff_per_session`]).
//!
//! Each key gets a bucket that holds up to `n` requests and refills at `n`
//! a minute, so a client may send a burst of `n` and then `n` a minute. The
//! limits live in each server process, which is safe: several processes
//! only let through a multiple of the limit, never less. Memory stays
//! bounded: full buckets (keys that have been quiet long enough) are
//! dropped every minute, and when a limiter tracks [`MAX_KEYS`] keys the
//! longest-quiet tenth is dropped to make room.

use crate::{error::ApiError, proxy::ProxyHeaders};
use actix_web::HttpRequest;
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// Keys one limiter tracks at most (about 100 bytes each).
pub const MAX_KEYS: usize = 100_000;

/// How often full buckets are dropped.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// A keyed token-bucket limiter.
#[derive(Debug)]
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    max_keys: usize,
    buckets: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    map: HashMap<String, Bucket>,
    pruned: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `n` requests a minute per key, in bursts of up to `n` (`n` >= 1).
    pub fn per_minute(n: u32) -> Self {
        Self::new(n, Duration::from_secs(60), MAX_KEYS)
    }

    /// Bursts of up to `burst` requests per key, refilled at `burst` per
    /// `period`; at most `max_keys` keys are tracked.
    pub fn new(burst: u32, period: Duration, max_keys: usize) -> Self {
        let capacity = f64::from(burst.max(1));
        Self {
            capacity,
            per_second: capacity / period.as_secs_f64().max(0.001),
            max_keys: max_keys.max(1),
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                pruned: Instant::now(),
            }),
        }
    }

    /// Takes one request from `key`'s bucket, or says how long until the
    /// bucket holds one again.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    /// Keys tracked now.
    pub fn tracked(&self) -> usize {
        self.lock().map.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        // A panic while holding the lock leaves the map consistent (every
        // update is a single insert or remove), so carry on.
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut b = self.lock();
        if now.saturating_duration_since(b.pruned) >= PRUNE_EVERY {
            self.prune(&mut b, now);
        }
        if !b.map.contains_key(key) && b.map.len() >= self.max_keys {
            self.prune(&mut b, now);
            if b.map.len() >= self.max_keys {
                self.evict_quietest(&mut b);
            }
        }
        let bucket = b.map.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.capacity,
            at: now,
        });
        let tokens = self.refilled(bucket, now);
        bucket.at = now;
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            Ok(())
        } else {
            bucket.tokens = tokens;
            Err(Duration::from_secs_f64((1.0 - tokens) / self.per_second))
        }
    }

    fn refilled(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        (bucket.tokens + elapsed * self.per_second).min(self.capacity)
    }

    /// Drops full buckets: a key that comes back gets a full one anyway.
    fn prune(&self, b: &mut Buckets, now: Instant) {
        b.map
            .retain(|_, bucket| self.refilled(bucket, now) < self.capacity);
        b.pruned = now;
    }

    /// Drops the tenth of the keys that have been quiet longest.
    fn evict_quietest(&self, b: &mut Buckets) {
        let mut times: Vec<Instant> = b.map.values().map(|bucket| bucket.at).collect();
        let n = (times.len() / 10).max(1).min(times.len());
        if n == 0 {
            return;
        }
        let (_, cutoff, _) = times.select_nth_unstable(n - 1);
        let cutoff = *cutoff;
        let mut evicted = 0;
        b.map.retain(|_, bucket| {
            let evict = evicted < n && bucket.at <= cutoff;
            evicted += usize::from(evict);
            !evict
        });
    }
}

/// The limiters of one server process, built once from the settings.
#[derive(Debug)]
pub struct Limiters {
    /// Inbox deliveries per client address.
    pub inbox_per_ip: RateLimiter,
    /// Inbox deliveries per remote host (of the actor whose key verified).
    pub inbox_per_host: RateLimiter,
    /// Signed ActivityPub GETs checked per client address (with
    /// `federation.require_signed_fetch`): each may fetch the signer's
    /// key from wherever `keyId` points, so it is limited before that, as
    /// a delivery is; as many as deliveries, in a bucket of its own, so
    /// that a peer's fetches and deliveries do not compete.
    pub signed_get_per_ip: RateLimiter,
    /// API requests per bearer token.
    pub api_per_token: RateLimiter,
    /// Staff form posts per web session, as many as a token's requests:
    /// a session acts with the same rights as a token, so it gets the
    /// same budget, in a bucket of its own.
    pub staff_per_session: RateLimiter,
    /// `POST /api/v1/auth/login` per client address.
    pub login_per_ip: RateLimiter,
    /// `GET /api/v1/search` per client address.
    pub search_per_ip: RateLimiter,
    /// Searches sent to one peer (by host) by federated search.
    pub search_per_peer: RateLimiter,
    /// "Follow / reply from your own server" lookups per client address
    /// (each asks another server's WebFinger); as many as searches.
    pub interact_per_ip: RateLimiter,
    /// When this process last removed stale failed-login rows.
    pub(crate) login_rows_pruned: Mutex<Option<Instant>>,
    /// One login at a time per username in this process (see
    /// [`Limiters::login_turn`]).
    login_turns: Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl Limiters {
    /// Limiters for these per-minute limits.
    pub fn new(limits: &LimitSettings) -> Self {
        Self {
            inbox_per_ip: RateLimiter::per_minute(limits.inbox_per_ip_per_minute),
            inbox_per_host: RateLimiter::per_minute(limits.inbox_per_host_per_minute),
            signed_get_per_ip: RateLimiter::per_minute(limits.inbox_per_ip_per_minute),
            api_per_token: RateLimiter::per_minute(limits.api_per_token_per_minute),
            staff_per_session: RateLimiter::per_minute(limits.api_per_token_per_minute),
            login_per_ip: RateLimiter::per_minute(limits.login_per_ip_per_minute),
            search_per_ip: RateLimiter::per_minute(limits.search_per_ip_per_minute),
            search_per_peer: RateLimiter::per_minute(limits.search_per_peer_per_minute),
            interact_per_ip: RateLimiter::per_minute(limits.search_per_ip_per_minute),
            login_rows_pruned: Mutex::new(None),
            login_turns: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for this process's turn to check a password for `name` (the
    /// lock-out key). The lock is read before the password is checked and
    /// the failure counted after it; guesses for one name sent at once
    /// would all pass the lock check before any was counted, so they take
    /// turns instead: the one that locks the name is counted before the
    /// next reads the lock. (Several processes on one database each take
    /// their own turns: at most one guess each slips through a lock.)
    pub(crate) async fn login_turn(&self, name: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let turn = {
            let mut turns = self
                .login_turns
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if turns.len() >= MAX_KEYS {
                // Names nobody is logging in as now.
                turns.retain(|_, t| std::sync::Arc::strong_count(t) > 1);
            }
            turns.entry(name.to_owned()).or_default().clone()
        };
        turn.lock_owned().await
    }

    /// True at most once per `every` in this process: time to prune the
    /// failed-login rows.
    pub(crate) fn login_prune_due(&self, every: Duration) -> bool {
        let mut last = self
            .login_rows_pruned
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        match *last {
            Some(t) if now.saturating_duration_since(t) < every => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }
}

/// Rate limits and the login lock-out, from `[limits]` in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Inbox deliveries per client address per minute.
    pub inbox_per_ip_per_minute: u32,
    /// Inbox deliveries per remote host per minute.
    pub inbox_per_host_per_minute: u32,
    /// API requests per bearer token per minute; also staff form posts
    /// per web session.
    pub api_per_token_per_minute: u32,
    /// Login attempts per client address per minute.
    pub login_per_ip_per_minute: u32,
    /// Searches per client address per minute.
    pub search_per_ip_per_minute: u32,
    /// Searches federated search sends to one peer per minute.
    pub search_per_peer_per_minute: u32,
    /// Failed logins in a row that lock a username.
    pub login_lockout_failures: u32,
    /// The first lock; each further failure doubles it.
    pub login_lockout_base: chrono::Duration,
    /// The longest lock.
    pub login_lockout_max: chrono::Duration,
}

impl Default for LimitSettings {
    /// The built-in defaults (as in `config/default.toml`).
    fn default() -> Self {
        Self {
            inbox_per_ip_per_minute: 600,
            inbox_per_host_per_minute: 300,
            api_per_token_per_minute: 300,
            login_per_ip_per_minute: 20,
            search_per_ip_per_minute: 120,
            search_per_peer_per_minute: 120,
            login_lockout_failures: 5,
            login_lockout_base: chrono::Duration::minutes(1),
            login_lockout_max: chrono::Duration::hours(1),
        }
    }
}

/// A 429 problem for `what`, with `Retry-After` in whole seconds (at least 1).
pub fn too_many(what: &str, retry_after: Duration) -> ApiError {
    let secs = retry_after_secs(retry_after);
    ApiError::TooManyRequests {
        detail: format!(
            "{what}; try again in {secs} second{}",
            if secs == 1 { "" } else { "s" }
        ),
        retry_after: secs,
    }
}

/// Whole seconds to wait, rounded up, at least 1.
pub fn retry_after_secs(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

/// The client's address: the connection's peer, or, when a reverse
/// proxy's headers are trusted (`proxy`), the address the proxy wrote
/// there (see [`ProxyHeaders::client_ip`]).
pub fn client_ip(req: &HttpRequest, proxy: Option<ProxyHeaders>) -> Option<IpAddr> {
    let forwarded = proxy.and_then(|p| p.client_ip(req.headers()));
    forwarded.or_else(|| req.peer_addr().map(|a| a.ip()))
}

/// The key for an address: IPv4 as is, IPv6 by its /64 (one site's
/// network, which a single client usually has whole).
pub fn ip_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn bursts_then_refills() {
        let l = RateLimiter::new(3, Duration::from_secs(60), 10);
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at("a", t).is_ok());
        }
        let wait = l.check_at("a", t).unwrap_err();
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20));
        // Another key has its own bucket.
        assert!(l.check_at("b", t).is_ok());
        // One request back after 20 s, not two.
        let later = t + Duration::from_secs(20);
        assert!(l.check_at("a", later).is_ok());
        assert!(l.check_at("a", later).is_err());
    }

    #[test]
    fn memory_stays_bounded() {
        let l = RateLimiter::new(5, Duration::from_secs(60), 100);
        let t = Instant::now();
        for i in 0..1000 {
            assert!(l.check_at(&format!("k{i}"), t).is_ok());
            assert!(l.tracked() <= 100);
        }
        // Quiet keys are pruned once their buckets are full again.
        let later = t + Duration::from_secs(120);
        assert!(l.check_at("new", later).is_ok());
        assert_eq!(l.tracked(), 1);
    }

    #[test]
    fn eviction_keeps_the_busiest_recent_keys() {
        let l = RateLimiter::new(1, Duration::from_secs(3600), 10);
        let t = Instant::now();
        for i in 0..10 {
            let _ = l.check_at(&format!("k{i}"), t + Duration::from_millis(i));
        }
        assert!(l.check_at("k9", t + Duration::from_millis(20)).is_err());
        let _ = l.check_at("new", t + Duration::from_millis(21));
        // k9 was recent, so it is still limited.
        assert!(l.check_at("k9", t + Duration::from_millis(22)).is_err());
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }

    #[test]
    fn proxy_headers_only_when_trusted() {
        let peer = "10.0.0.1:5000".parse().unwrap();
        let req = TestRequest::default()
            .peer_addr(peer)
            .insert_header(("x-forwarded-for", "6.6.6.6, 192.0.2.7"))
            .to_http_request();
        assert_eq!(client_ip(&req, None), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(
            client_ip(&req, Some(ProxyHeaders::XForwarded)),
            Some("192.0.2.7".parse().unwrap())
        );
        // Nothing the proxy wrote: the connection's peer.
        assert_eq!(
            client_ip(&req, Some(ProxyHeaders::Forwarded)),
            Some("10.0.0.1".parse().unwrap())
        );
    }

    #[test]
    fn ipv6_keys_by_network() {
        let a = ip_key(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = ip_key(Some("2001:db8:1:2:bbbb::2".parse().unwrap()));
        assert_eq!(a, b);
        assert_eq!(
            ip_key(Some("::ffff:192.0.2.1".parse().unwrap())),
            "192.0.2.1"
        );
        assert_eq!(ip_key(None), "unknown");
    }
}
