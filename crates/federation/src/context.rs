//! What federation code can reach: the store, the URL scheme, settings, and
//! a signal to wake the workers when there is new work.

use crate::{Urls, dns::BoundedResolver, error::FedError};
use activitypub_federation::config::FederationConfig;
use deling_store::Store;
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

/// Federation settings from the server's configuration.
#[derive(Debug, Clone)]
pub struct FedSettings {
    /// Public host (and port).
    pub domain: String,
    /// Plain HTTP on loopback, for tests.
    pub debug: bool,
    /// Allow peers on private and loopback addresses, for tests.
    pub allow_private_addresses: bool,
    /// Require signatures on GETs of our actors and objects.
    pub require_signed_fetch: bool,
    /// First retry delay of a failed delivery.
    pub retry_base: Duration,
    /// Give up on a delivery after this many attempts.
    pub max_attempts: i32,
    /// Timeouts and connection reuse of outgoing requests.
    pub http: HttpSettings,
    /// How many followers of one agency one server may have.
    pub follower_caps: deling_store::queries::follower_cap::FollowerCaps,
}

/// How outgoing requests (deliveries and fetches) wait and reuse
/// connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// Longest wait for a connection to a peer (DNS, TCP and TLS): a host
    /// that is down is given up on after this, not after the whole
    /// request timeout.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request, connection included. The delivery
    /// queue's lease (60 s) must outlast a host's turn (15 s) plus this.
    pub request_timeout: Duration,
    /// How long a claimed delivery stays this process's
    /// ([`crate::queue::LEASE`]; shorter only in tests). A turn renews
    /// it when another request might not fit in what is left, and cuts a
    /// delivery's requests (a double knock, a key's fallback: up to four)
    /// off before it runs out, so no other process sends the delivery
    /// while this one still may.
    pub delivery_lease: Duration,
    /// How long an idle connection to a peer is kept open for the next
    /// request (HTTP/1.1 keep-alive).
    pub idle_timeout: Duration,
}

impl Default for HttpSettings {
    /// What `config/default.toml` sets.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            delivery_lease: crate::queue::LEASE
                .to_std()
                .unwrap_or(Duration::from_secs(60)),
        }
    }
}

/// The application data activitypub_federation hands to our handlers.
#[derive(Debug, Clone)]
pub struct FedContext {
    /// The database.
    pub store: Store,
    /// Our URL scheme.
    pub urls: Urls,
    /// Settings.
    pub settings: FedSettings,
    /// Woken when deliveries, events or inbox activities are queued.
    pub wake: Arc<Notify>,
    /// The client deliveries go out with (see [`http_client`]).
    pub client: reqwest::Client,
    /// This process's counters.
    pub metrics: crate::metrics::Metrics,
    /// When remote actors' keys were last fetched again after a signature
    /// failed (shared by the clones of this context).
    pub key_refetches: Arc<crate::key_refetch::KeyRefetches>,
    /// Parsed signing and verifying keys (shared by the clones of this
    /// context).
    pub keys: Arc<crate::crypto::cache::KeyCache>,
    /// What accepting a delivery last read about its signer, trusted for
    /// a second (shared by the clones of this context; see
    /// [`crate::inbox::memo`] for why that is safe).
    pub inbox_memo: Arc<crate::inbox::memo::InboxMemo>,
    /// Where accepted deliveries gather to be stored together (shared by
    /// the clones of this context; see [`crate::inbox::batch`]).
    pub inbox_batch: Arc<crate::inbox::batch::InboxBatch>,
}

/// The HTTP client for outgoing requests, with the default
/// [`HttpSettings`] (see [`http_client_with`]).
pub fn http_client(allow_private_addresses: bool) -> Result<reqwest::Client, FedError> {
    http_client_with(allow_private_addresses, HttpSettings::default())
}

/// The HTTP client for outgoing requests: no proxy, no redirects, the timeouts of
/// `http`, and a resolver ([`BoundedResolver`]) that runs a bounded number
/// of lookups at once and (unless `allow_private_addresses`) refuses
/// loopback, private and link-local addresses at connect time, after DNS,
/// so a name cannot be rebound to an internal address between check and
/// use. One client serves the whole process (its clones share a pool), so
/// a connection to a peer's host, once open, carries the next deliveries
/// and fetches to that host (HTTP/1.1 keep-alive) until idle for
/// `http.idle_timeout`.
pub fn http_client_with(
    allow_private_addresses: bool,
    http: HttpSettings,
) -> Result<reqwest::Client, FedError> {
    reqwest::Client::builder()
        // Never through a proxy from the environment (`HTTPS_PROXY`,
        // `ALL_PROXY`): the address guard below would check only the
        // proxy's address, and the proxy would connect to any other.
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(http.request_timeout)
        .connect_timeout(http.connect_timeout)
        .pool_idle_timeout(http.idle_timeout)
        // A host gets at most a few turns at once (`delivery::host_slots`)
        // plus fetches: more idle connections than that are never reused.
        .pool_max_idle_per_host(8)
        .tcp_nodelay(true)
        .user_agent(concat!("deling/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(BoundedResolver::new(!allow_private_addresses)))
        .build()
        .map_err(|e| FedError::Refused(format!("cannot build the HTTP client: {e}")))
}

/// activitypub_federation's request data with our context.
pub type Data = activitypub_federation::config::Data<FedContext>;
/// activitypub_federation's configuration with our context.
pub type Config = FederationConfig<FedContext>;
