//! What federation code can reach: the store, the URL scheme, settings, and
//! a signal to wake the workers when there is new work.

use crate::{Urls, error::FedError};
use activitypub_federation::{config::FederationConfig, resolver::ValidatingDnsResolver};
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
}

/// The HTTP client for outgoing requests: no redirects, 10-second timeouts,
/// and (unless `allow_private_addresses`) a resolver that refuses loopback,
/// private and link-local addresses at connect time, after DNS, so a name
/// cannot be rebound to an internal address between check and use.
pub fn http_client(allow_private_addresses: bool) -> Result<reqwest::Client, FedError> {
    let timeout = Duration::from_secs(10);
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("deling/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(ValidatingDnsResolver::new(
            vec![],
            !allow_private_addresses,
        )))
        .build()
        .map_err(|e| FedError::Refused(format!("cannot build the HTTP client: {e}")))
}

/// activitypub_federation's request data with our context.
pub type Data = activitypub_federation::config::Data<FedContext>;
/// activitypub_federation's configuration with our context.
pub type Config = FederationConfig<FedContext>;
