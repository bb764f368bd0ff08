//! What federation code can reach: the store, the URL scheme, settings, and
//! a signal to wake the workers when there is new work.

use crate::{Urls, error::FedError, objects::actors::InstanceActor};
use activitypub_federation::{
    config::{FederationConfig, UrlVerifier},
    resolver::ValidatingDnsResolver,
};
use deling_store::Store;
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;
use url::Url;

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
    pub key_refetches: Arc<crate::signature::KeyRefetches>,
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

/// Applies the federation policy to every URL activitypub_federation is
/// about to use: incoming activity ids (before the sender's actor is even
/// fetched), fetches, and its own sends. A suspended domain, or in
/// allow-list mode any domain not allowed, is refused.
#[derive(Clone)]
struct PolicyVerifier {
    store: Store,
}

#[async_trait::async_trait]
impl UrlVerifier for PolicyVerifier {
    async fn verify(&self, url: &Url) -> Result<(), activitypub_federation::error::Error> {
        let host = crate::objects::actors::authority(url);
        match self.store.get_host_verdict(&host).await {
            Ok(deling_store::queries::policy::Verdict::Refused) => {
                Err(activitypub_federation::error::Error::UrlVerificationError(
                    "the domain is blocked by this server's federation policy",
                ))
            }
            Ok(_) => Ok(()),
            // Fail closed: without the policy we cannot know.
            Err(_) => Err(activitypub_federation::error::Error::UrlVerificationError(
                "the federation policy could not be read",
            )),
        }
    }
}

/// Builds the activitypub_federation configuration. Outgoing fetches are
/// signed by the instance actor; connections to private addresses are
/// refused at connect time (after DNS) unless `allow_private_addresses`.
pub async fn build_config(ctx: FedContext) -> Result<Config, FedError> {
    let instance = ctx
        .store
        .get_instance()
        .await?
        .ok_or_else(|| FedError::NotFound("instance row".into()))?;
    // activitypub_federation panics on a key it cannot decode; say which.
    let instance_key = {
        use rsa::pkcs8::DecodePrivateKey;
        rsa::RsaPrivateKey::from_pkcs8_pem(&instance.private_key_pem).map_err(|e| {
            FedError::Refused(format!(
                "the instance actor's stored private key is not a PKCS#8 PEM RSA key: {e}"
            ))
        })?
    };
    let instance_actor = InstanceActor::new(&ctx.urls, instance);
    let timeout = Duration::from_secs(10);
    // Signed fetches knock with RFC 9421 first (see `fetch_knock`).
    let client = reqwest_middleware::ClientBuilder::new(ctx.client.clone())
        .with(crate::fetch_knock::FetchKnock {
            store: ctx.store.clone(),
            key_id: format!("{}#main-key", ctx.urls.instance_actor()),
            key: instance_key,
        })
        .build();
    let domain = ctx.settings.domain.clone();
    let policy_store = ctx.store.clone();
    let debug = ctx.settings.debug;
    FederationConfig::builder()
        .domain(domain)
        .app_data(ctx)
        .debug(debug)
        .allow_http_urls(debug)
        .client(client)
        .request_timeout(timeout)
        .http_fetch_limit(50)
        .url_verifier(Box::new(PolicyVerifier {
            store: policy_store,
        }))
        .signed_fetch_actor(&instance_actor)
        // Sign `(request-target) host date` (and `digest` on POSTs) with
        // rsa-sha256, as Mastodon requires in authorized-fetch mode, rather
        // than the draft-11 `(created)` form it does not accept on GETs.
        .http_signature_compat(true)
        .build()
        .await
        .map_err(|e| FedError::Refused(format!("federation configuration: {e}")))
}
