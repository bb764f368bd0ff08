//! activitypub_federation's configuration for our context: the federation
//! policy applied to every URL it uses, and the instance actor that signs
//! its fetches. Apart from `context` so that the context, which every
//! actor and object uses, does not in turn depend on the actors.

use crate::{
    context::{Config, FedContext},
    error::FedError,
    objects::actors::InstanceActor,
};
use activitypub_federation::config::{FederationConfig, UrlVerifier};
use deling_store::Store;
use url::Url;

/// Applies the federation policy to every URL activitypub_federation is
/// about to use: incoming activity ids (before the sender's actor is even
/// fetched), fetches, and its own sends. A suspended domain, or in
/// allow-list mode any domain not allowed, is refused.
#[derive(Clone)]
struct PolicyVerifier {
    store: Store,
    /// Not in debug mode: URLs with an explicit port are refused.
    production: bool,
}

#[async_trait::async_trait]
impl UrlVerifier for PolicyVerifier {
    async fn verify(&self, url: &Url) -> Result<(), activitypub_federation::error::Error> {
        if self.production && url.port().is_some() {
            return Err(activitypub_federation::error::Error::UrlVerificationError(
                "Explicit port is not allowed",
            ));
        }
        match crate::policy::refuses_host(&self.store, url).await {
            Ok(true) => Err(activitypub_federation::error::Error::UrlVerificationError(
                "the domain is blocked by this server's federation policy",
            )),
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
/// refused at connect time (after DNS, by the client's resolver) unless
/// `allow_private_addresses`.
pub async fn build_config(ctx: FedContext) -> Result<Config, FedError> {
    let instance = ctx
        .store
        .get_instance()
        .await?
        .ok_or_else(|| FedError::NotFound("instance row".into()))?;
    // The library parses it with the `rsa` crate (to sign its fetches) and
    // panics on a key it cannot decode; say which instead.
    {
        use rsa::pkcs8::DecodePrivateKey;
        rsa::RsaPrivateKey::from_pkcs8_pem(&instance.private_key_pem).map_err(|e| {
            FedError::Refused(format!(
                "the instance actor's stored private key is not a PKCS#8 PEM RSA key: {e}"
            ))
        })?;
    }
    // Parsed for our own signatures too (`crypto`), so a key the backend
    // refuses stops start-up rather than every delivery.
    let instance_key = ctx
        .keys
        .signing(
            ctx.urls.instance_actor_key().as_str(),
            &instance.private_key_pem,
        )
        .map_err(|e| FedError::Refused(format!("the instance actor's key: {e}")))?;
    let instance_actor = InstanceActor::new(&ctx.urls, instance);
    let timeout = ctx.settings.http.request_timeout;
    // Signed fetches knock with RFC 9421 first (see `fetch_knock`).
    let client = reqwest_middleware::ClientBuilder::new(ctx.client.clone())
        .with(crate::fetch_knock::FetchKnock {
            store: ctx.store.clone(),
            key_id: ctx.urls.instance_actor_key().to_string(),
            key: instance_key,
        })
        .build();
    let domain = ctx.settings.domain.clone();
    let policy_store = ctx.store.clone();
    let debug = ctx.settings.debug;
    FederationConfig::builder()
        .domain(domain)
        .app_data(ctx)
        // The library's production mode looks every URL's host up before
        // each fetch (`validate_url`, through tokio's `lookup_host`: a
        // blocking thread per lookup, with no bound and no deadline that
        // frees the thread), on hosts anyone may name, even in a `keyId`
        // before any signature is checked. Its production checks are made
        // here instead, and only at connect time does DNS run, within the
        // client resolver's slots (`dns`): https only (`allow_http_urls`),
        // no explicit port (`PolicyVerifier`), no IP literal (the library
        // refuses a URL without a domain in any mode), no private address
        // (the resolver). The library's debug mode changes nothing else we
        // use: WebFinger is asked by `activities::following` itself (the
        // library's would speak http), and we send through our own queue.
        .debug(true)
        .allow_http_urls(debug)
        .client(client)
        .request_timeout(timeout)
        .http_fetch_limit(50)
        .url_verifier(Box::new(PolicyVerifier {
            store: policy_store,
            production: !debug,
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
