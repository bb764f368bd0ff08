//! Signing and sending one delivery, and telling apart what the answer
//! means: delivered, refused for good, or worth another try.
//!
//! activitypub_federation's sender treats every 4xx as "done", which hides a
//! 401 (a key the peer could not fetch yet, often passing) and loses the
//! distinction the operator needs; so the request is built here with the
//! same signing primitives (draft-cavage over `(request-target) host date
//! digest content-type`, RSA-SHA256, as Mastodon requires).

use crate::{context::Data, error::FedError, objects::actors::authority};
use base64::Engine;
use deling_store::queries::delivery::Delivery;
use http_signature_normalization_reqwest::prelude::{Config, SignExt};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, pkcs8::DecodePrivateKey};
use sha2::{Digest, Sha256};
use std::{sync::LazyLock, time::Duration};
use url::Url;

static SIGNATURES: LazyLock<Config> = LazyLock::new(|| {
    Config::new()
        .mastodon_compat()
        .set_expiration(Duration::from_secs(3600))
});

/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// A 4xx other than 401, 408 and 429, or a target we may not send to:
    /// trying again changes nothing.
    Refused(String),
    /// 5xx, 401, 408, 429, a timeout or a connection error.
    Retry(String),
}

/// Where deliveries may go: http(s) only (http in debug mode), a host name
/// rather than an IP address and no explicit port unless in debug mode, and
/// (outside debug mode) a host that does not resolve to a private address.
async fn check_target(inbox: &Url, data: &Data) -> Result<(), String> {
    let debug = data.settings.debug;
    match inbox.scheme() {
        "https" => {}
        "http" if debug => {}
        other => return Err(format!("{other} inboxes are not delivered to")),
    }
    if !debug {
        if inbox.port().is_some() {
            return Err("inboxes with an explicit port are only delivered to in debug mode".into());
        }
        if !matches!(inbox.host(), Some(url::Host::Domain(_))) {
            return Err("inboxes must be named by host name, not IP address".into());
        }
    }
    data.is_valid_ip(inbox)
        .await
        .map_err(|e| format!("refused address: {e}"))
}

/// The key that signs for a delivery.
struct Signer {
    /// `ACTOR#main-key`: the same for the current key and the previous one,
    /// so a peer looks up the actor and tries the key it holds.
    key_id: String,
    /// The current private key.
    current: String,
    /// The key a rotation replaced, for the `Update` that announces the
    /// new one while the previous key is kept.
    previous: Option<String>,
}

/// The key that signs for a delivery: its agency's, or the instance actor's.
async fn signer(row: &Delivery, data: &Data) -> Result<Signer, FedError> {
    match row.agency_id {
        Some(id) => {
            let agency = data
                .store
                .get_agency(id)
                .await?
                .ok_or_else(|| FedError::Refused("the signing agency is gone".into()))?;
            // A withdrawn agency sends nothing but its own Delete, not even
            // what it queued (or what was retrying) before.
            if agency.deleted_at.is_some()
                && row.activity_id != data.urls.agency_delete(&agency.slug).as_str()
            {
                return Err(FedError::Refused("the agency has been withdrawn".into()));
            }
            let kept = agency
                .previous_key_expires_at
                .is_some_and(|until| until > chrono::Utc::now());
            if !kept
                && agency.previous_private_key_pem.is_some()
                && data.store.delete_expired_previous_key(id).await?
            {
                tracing::info!(agency = %agency.slug, "the key replaced by a rotation is past its grace period: erased");
            }
            // Only the announcement of the new key goes out with the old
            // one: a follower that holds the old key verifies it and takes
            // the new key from it. Anything else, and the announcement
            // itself after the grace period, is signed with the current
            // key, which a peer fetches when the old one fails.
            let previous = agency.previous_private_key_pem.filter(|_| {
                kept && data
                    .urls
                    .is_agency_key_update(&agency.slug, &row.activity_id)
            });
            Ok(Signer {
                key_id: format!("{}#main-key", data.urls.agency(&agency.slug)),
                current: agency.private_key_pem,
                previous,
            })
        }
        None => {
            let instance = data
                .store
                .get_instance()
                .await?
                .ok_or_else(|| FedError::Refused("no instance actor".into()))?;
            Ok(Signer {
                key_id: format!("{}#main-key", data.urls.instance_actor()),
                current: instance.private_key_pem,
                previous: None,
            })
        }
    }
}

/// Signs and sends one delivery.
pub async fn send(row: &Delivery, data: &Data) -> Result<Outcome, FedError> {
    let inbox = match Url::parse(&row.inbox) {
        Ok(u) => u,
        Err(e) => return Ok(Outcome::Refused(format!("inbox is not a URL: {e}"))),
    };
    if let Err(why) = check_target(&inbox, data).await {
        return Ok(Outcome::Refused(why));
    }
    if data.store.get_host_verdict(&authority(&inbox)).await?
        == deling_store::queries::policy::Verdict::Refused
    {
        return Ok(Outcome::Refused(
            "the domain is blocked by this server's federation policy".into(),
        ));
    }
    let signer = match signer(row, data).await {
        Err(FedError::Refused(why)) => return Ok(Outcome::Refused(why)),
        other => other?,
    };
    if let Some(previous) = &signer.previous {
        let (outcome, status) = attempt(row, &inbox, &signer.key_id, previous, data).await?;
        // A peer that no longer holds the old key (it fetched the actor
        // since the rotation, or never had it) refuses that signature even
        // after fetching the actor again; the new key is what it holds.
        if status != Some(reqwest::StatusCode::UNAUTHORIZED) {
            return Ok(outcome);
        }
        tracing::info!(inbox = %inbox, "the previous key was refused: signing with the current key");
    }
    Ok(attempt(row, &inbox, &signer.key_id, &signer.current, data)
        .await?
        .0)
}

/// One signed POST of the delivery's body, and the status it got, if any.
async fn attempt(
    row: &Delivery,
    inbox: &Url,
    key_id: &str,
    pem: &str,
    data: &Data,
) -> Result<(Outcome, Option<reqwest::StatusCode>), FedError> {
    let key = match RsaPrivateKey::from_pkcs8_pem(pem) {
        Ok(key) => key,
        Err(e) => return Ok((Outcome::Refused(format!("unusable signing key: {e}")), None)),
    };
    let request = data
        .client
        .post(inbox.as_str())
        .timeout(TIMEOUT)
        .header("content-type", crate::protocol::AP_CONTENT_TYPE)
        .header("host", authority(inbox))
        .header(
            "date",
            httpdate::fmt_http_date(std::time::SystemTime::now()),
        )
        .signature_with_digest(
            SIGNATURES.clone(),
            key_id.to_owned(),
            Sha256::new(),
            row.body.clone().into_bytes(),
            move |signing_string| {
                let signature = key.sign(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(signing_string.as_bytes()),
                )?;
                Ok::<_, SignFailure>(base64::engine::general_purpose::STANDARD.encode(signature))
            },
        )
        .await;
    let request = match request {
        Ok(r) => r,
        Err(e) => return Ok((Outcome::Refused(format!("cannot sign: {e}")), None)),
    };
    let response = match data.client.execute(request).await {
        Ok(r) => r,
        Err(e) => return Ok((Outcome::Retry(format!("{e}")), None)),
    };
    let status = response.status();
    if status.is_success() {
        return Ok((Outcome::Delivered, Some(status)));
    }
    // A little of the answer helps the operator; more is not read (a
    // hostile peer could answer with gigabytes).
    let mut response = response;
    let mut head = Vec::new();
    while head.len() < 1024 {
        match response.chunk().await {
            Ok(Some(chunk)) => head.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text: String = String::from_utf8_lossy(&head).chars().take(300).collect();
    let what = format!("{status}: {}", text.trim());
    let retry = status.is_server_error() || matches!(status.as_u16(), 401 | 408 | 429);
    Ok((
        if retry {
            Outcome::Retry(what)
        } else {
            Outcome::Refused(what)
        },
        Some(status),
    ))
}

/// Errors while signing (the signing library wants its own error type).
#[derive(Debug, thiserror::Error)]
enum SignFailure {
    #[error("{0}")]
    Sign(#[from] http_signature_normalization_reqwest::SignError),
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    #[error("{0}")]
    Rsa(#[from] rsa::Error),
}
