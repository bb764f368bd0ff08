//! Signing and sending one delivery, and telling apart what the answer
//! means: delivered, refused for good, or worth another try.
//!
//! activitypub_federation's sender treats every 4xx as "done", which hides a
//! 401 (a key the peer could not fetch yet, often passing) and loses the
//! distinction the operator needs; so the request is built here.
//!
//! It is signed the RFC 9421 way first (`rsa-v1_5-sha256` over `@method`,
//! `@target-uri`, `@authority`, `content-type` and `content-digest`, what
//! Mastodon 4.5 requires), and when the peer answers 400 or 401 the same
//! delivery is sent again at once with a draft-cavage signature (over
//! `(request-target) host date digest content-type`, RSA-SHA256): the
//! "double knock" of the SWICG ActivityPub HTTP Signature report, as
//! Fedify does it. The style that worked is kept per host in the store, so
//! later deliveries knock once; a host that took only draft-cavage is
//! tried with RFC 9421 again after [`REPROBE_AFTER`].

use super::{signer::signer, turn_cache::TurnCache};
use crate::{cavage, context::Data, crypto::SigningKey, error::FedError, rfc9421, urls::authority};
use deling_store::queries::{
    delivery::Delivery,
    host::{SIGNATURE_CAVAGE, SIGNATURE_RFC9421},
};
use http_signature_normalization_reqwest::prelude::{Config, SignExt};
use sha2::{Digest, Sha256};
use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};
use url::Url;

static SIGNATURES: LazyLock<Config> = LazyLock::new(|| {
    Config::new()
        .mastodon_compat()
        .set_expiration(Duration::from_secs(3600))
});

/// How long a host that refused RFC 9421 is signed for with draft-cavage
/// alone before RFC 9421 is tried again (servers upgrade; one extra
/// request a day per such host is what finding out costs).
pub const REPROBE_AFTER: chrono::Duration = chrono::Duration::days(1);

/// How a request is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStyle {
    /// RFC 9421 HTTP Message Signatures.
    Rfc9421,
    /// draft-cavage-http-signatures.
    Cavage,
}

impl SignatureStyle {
    pub(crate) fn stored(self) -> &'static str {
        match self {
            Self::Rfc9421 => SIGNATURE_RFC9421,
            Self::Cavage => SIGNATURE_CAVAGE,
        }
    }
}

/// The style to sign for `host` with first, and whether that is what the
/// store already says (so a success need not be written again); read once
/// per turn.
async fn first_style(
    host: &str,
    data: &Data,
    cache: &mut TurnCache,
) -> Result<(SignatureStyle, bool), FedError> {
    if let Some(style) = cache.style {
        return Ok(style);
    }
    let style = choose_style(
        data.store.get_host_signature_style(host).await?,
        chrono::Utc::now(),
    );
    cache.style = Some(style);
    Ok(style)
}

/// [`first_style`] given what the store holds: RFC 9421 unless the host
/// took only draft-cavage less than [`REPROBE_AFTER`] ago.
pub(crate) fn choose_style(
    stored: Option<(String, chrono::DateTime<chrono::Utc>)>,
    now: chrono::DateTime<chrono::Utc>,
) -> (SignatureStyle, bool) {
    match stored {
        Some((style, at)) if style == SIGNATURE_CAVAGE => {
            if now - at < REPROBE_AFTER {
                (SignatureStyle::Cavage, true)
            } else {
                (SignatureStyle::Rfc9421, false)
            }
        }
        Some((style, _)) if style == SIGNATURE_RFC9421 => (SignatureStyle::Rfc9421, true),
        _ => (SignatureStyle::Rfc9421, false),
    }
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// A 4xx other than 401, 408 and 429, or a target we may not send to:
    /// trying again changes nothing.
    Refused(String),
    /// 5xx, 408, 429, a timeout or a connection error: the host cannot
    /// take deliveries now.
    Retry(String),
    /// 401 to every signature tried: the host answers, but not to this
    /// signer (it could not fetch the key yet, or it refuses the agency).
    /// Worth another try, but a matter between the host and one signer,
    /// so the other signers' deliveries to the host go on.
    Unauthorized(String),
}

/// Where deliveries may go, as far as the inbox URL shows: http(s) only
/// (http in debug mode), and outside debug mode a host name rather than an
/// IP address and no explicit port.
///
/// Where the name leads is checked when connecting, by the client's
/// resolver ([`crate::context::http_client_with`]), on the very addresses
/// it connects to, so a name cannot be rebound between check and use; a
/// refusal there is for good too ([`refused_address`]). Checking here as
/// well cost a DNS lookup on a blocking thread for every turn, also when a
/// kept-alive connection was then reused, and a lookup that merely failed
/// (a resolver timing out) refused the delivery for good.
fn check_target(inbox: &Url, debug: bool) -> Result<(), String> {
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
    Ok(())
}

/// Why the client's resolver refused to connect, when that is why sending
/// failed: the name resolves to a loopback, private or link-local address.
/// Any other failure to send (a lookup that failed, a refused connection,
/// a timeout) may pass and is worth another try.
fn refused_address(error: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(refusal @ activitypub_federation::error::Error::ResolveInternalIpError(..)) =
            e.downcast_ref()
        {
            return Some(format!("refused address: {refusal}"));
        }
        source = e.source();
    }
    None
}

/// Signs and sends one delivery, on its own.
pub async fn send(row: &Delivery, data: &Data) -> Result<Outcome, FedError> {
    send_in_turn(row, data, &mut TurnCache::default()).await
}

/// Signs and sends one delivery of a turn to its host, with what the turn
/// has read already (`cache`, fresh for each turn).
pub async fn send_in_turn(
    row: &Delivery,
    data: &Data,
    cache: &mut TurnCache,
) -> Result<Outcome, FedError> {
    let inbox = match Url::parse(&row.inbox) {
        Ok(u) => u,
        Err(e) => return Ok(Outcome::Refused(format!("inbox is not a URL: {e}"))),
    };
    if let Err(why) = check_target(&inbox, data.settings.debug) {
        return Ok(Outcome::Refused(why));
    }
    let refused = match cache.refused {
        Some(r) => r,
        None => *cache
            .refused
            .insert(crate::policy::refuses_host(&data.store, &inbox).await?),
    };
    if refused {
        return Ok(Outcome::Refused(
            "the domain is blocked by this server's federation policy".into(),
        ));
    }
    let signer = match signer(row, data, cache).await {
        Err(FedError::Refused(why)) => return Ok(Outcome::Refused(why)),
        other => other?,
    };
    if let Some(previous) = &signer.previous {
        let (outcome, status) = knock(row, &inbox, &signer.key_id, previous, data, cache).await?;
        // A peer that no longer holds the old key (it fetched the actor
        // since the rotation, or never had it) refuses that signature even
        // after fetching the actor again; the new key is what it holds.
        if status != Some(reqwest::StatusCode::UNAUTHORIZED) {
            return Ok(outcome);
        }
        tracing::info!(inbox = %inbox, "the previous key was refused: signing with the current key");
    }
    let (outcome, status) =
        knock(row, &inbox, &signer.key_id, &signer.current, data, cache).await?;
    if let (Some(old), Some(reqwest::StatusCode::UNAUTHORIZED)) = (&signer.fallback, status) {
        tracing::info!(inbox = %inbox, "the current key was refused during a rotation's grace period: signing with the previous key");
        return Ok(knock(row, &inbox, &signer.key_id, old, data, cache)
            .await?
            .0);
    }
    Ok(outcome)
}

/// Sends the delivery signed in the style the host is known to take (RFC
/// 9421 unless it is known to take only draft-cavage), and once more at
/// once with draft-cavage when an RFC 9421 signature is answered 400 or
/// 401; records the style that was taken.
async fn knock(
    row: &Delivery,
    inbox: &Url,
    key_id: &str,
    key: &Arc<SigningKey>,
    data: &Data,
    cache: &mut TurnCache,
) -> Result<(Outcome, Option<reqwest::StatusCode>), FedError> {
    let host = authority(inbox);
    let (first, known) = first_style(&host, data, cache).await?;
    let (mut outcome, mut status) = attempt(row, inbox, key_id, key, data, first).await?;
    let mut style = first;
    // Other failures (5xx, 403, 410...) say nothing about the signature.
    if first == SignatureStyle::Rfc9421 && matches!(status.map(|s| s.as_u16()), Some(400 | 401)) {
        tracing::info!(inbox = %inbox, status = ?status, "RFC 9421 signature refused: knocking again with draft-cavage");
        (outcome, status) = attempt(row, inbox, key_id, key, data, SignatureStyle::Cavage).await?;
        style = SignatureStyle::Cavage;
    }
    if outcome == Outcome::Delivered && !(known && style == first) {
        // The peer has taken the delivery: failing to note how it was
        // signed must not undo that (the style is learnt again next time).
        match data
            .store
            .put_host_signature_style(&host, style.stored())
            .await
        {
            Ok(()) => cache.style = Some((style, true)),
            Err(e) => {
                tracing::warn!(error = %e, host = %host, style = style.stored(),
                    "delivered, but cannot record the signature style the host took");
                cache.style = Some((style, false));
            }
        }
    }
    Ok((outcome, status))
}

/// The components an RFC 9421 delivery signature covers: what Mastodon 4.5
/// requires (`@method`, `@target-uri`, `content-digest`) and what Fedify
/// adds (`@authority`), and the content type as our draft-cavage
/// signature covers it.
pub const COVERED: [&str; 5] = [
    "@method",
    "@target-uri",
    "@authority",
    "content-type",
    "content-digest",
];

/// The delivery as a POST signed the RFC 9421 way.
fn rfc9421_request(
    row: &Delivery,
    inbox: &Url,
    key_id: &str,
    key: &SigningKey,
    data: &Data,
) -> Result<reqwest::Request, String> {
    let mut headers = std::collections::BTreeMap::new();
    headers.insert(
        "content-type".to_owned(),
        crate::protocol::AP_CONTENT_TYPE.to_owned(),
    );
    headers.insert(
        "content-digest".to_owned(),
        rfc9421::content_digest(row.body.as_bytes()),
    );
    let msg = rfc9421::Message {
        method: "POST",
        target: inbox,
        headers: &headers,
    };
    let signed = rfc9421::sign(&msg, &COVERED, key_id, chrono::Utc::now().timestamp(), key)
        .map_err(|e| e.to_string())?;
    let mut request = data
        .client
        .post(inbox.as_str())
        .header("host", authority(inbox))
        .header(
            "date",
            httpdate::fmt_http_date(std::time::SystemTime::now()),
        )
        .header("signature-input", signed.signature_input)
        .header("signature", signed.signature)
        .body(row.body.clone());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.build().map_err(|e| e.to_string())
}

/// One signed POST of the delivery's body, and the status it got, if any.
async fn attempt(
    row: &Delivery,
    inbox: &Url,
    key_id: &str,
    key: &Arc<SigningKey>,
    data: &Data,
    style: SignatureStyle,
) -> Result<(Outcome, Option<reqwest::StatusCode>), FedError> {
    let request = match style {
        SignatureStyle::Rfc9421 => rfc9421_request(row, inbox, key_id, key, data),
        SignatureStyle::Cavage => cavage_request(row, inbox, key_id, key.clone(), data)
            .await
            .map_err(|e| e.to_string()),
    };
    let request = match request {
        Ok(r) => r,
        Err(e) => return Ok((Outcome::Refused(format!("cannot sign: {e}")), None)),
    };
    let response = match data.client.execute(request).await {
        Ok(r) => r,
        Err(e) => {
            let outcome = match refused_address(&e) {
                Some(why) => Outcome::Refused(why),
                None => Outcome::Retry(format!("{e}")),
            };
            return Ok((outcome, None));
        }
    };
    let status = response.status();
    // Read to the end (of a short answer): a connection whose answer was
    // left unread cannot carry the next request. A little of the answer
    // also helps the operator; more is not read (a hostile peer could
    // answer with gigabytes), and that connection is closed.
    let mut response = response;
    let mut head = Vec::new();
    while head.len() < 1024 {
        match response.chunk().await {
            Ok(Some(chunk)) => head.extend_from_slice(&chunk),
            _ => break,
        }
    }
    if status.is_success() {
        return Ok((Outcome::Delivered, Some(status)));
    }
    let text: String = String::from_utf8_lossy(&head).chars().take(300).collect();
    let what = format!("{status}: {}", text.trim());
    let outcome = if status == reqwest::StatusCode::UNAUTHORIZED {
        Outcome::Unauthorized(what)
    } else if status.is_server_error() || matches!(status.as_u16(), 408 | 429) {
        Outcome::Retry(what)
    } else {
        Outcome::Refused(what)
    };
    Ok((outcome, Some(status)))
}

/// The delivery as a POST signed the draft-cavage way.
async fn cavage_request(
    row: &Delivery,
    inbox: &Url,
    key_id: &str,
    key: Arc<SigningKey>,
    data: &Data,
) -> Result<reqwest::Request, SignFailure> {
    data.client
        .post(inbox.as_str())
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
            // Run by the library on a blocking thread, with the digest.
            move |signing_string| Ok::<_, SignFailure>(cavage::sign(&key, signing_string)?),
        )
        .await
}

/// Errors while signing (the signing library wants its own error type).
#[derive(Debug, thiserror::Error)]
enum SignFailure {
    #[error("{0}")]
    Sign(#[from] http_signature_normalization_reqwest::SignError),
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    #[error("{0}")]
    Key(#[from] crate::crypto::KeyError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration as Span, Utc};

    #[test]
    fn a_cavage_host_is_reprobed_with_rfc9421_after_a_day() {
        let now = Utc::now();
        let cavage = |ago: Span| Some((SIGNATURE_CAVAGE.to_owned(), now - ago));
        // Never delivered to: RFC 9421 first, and the answer is new.
        assert_eq!(choose_style(None, now), (SignatureStyle::Rfc9421, false));
        assert_eq!(
            choose_style(
                Some((SIGNATURE_RFC9421.to_owned(), now - Span::days(30))),
                now
            ),
            (SignatureStyle::Rfc9421, true)
        );
        assert_eq!(
            choose_style(cavage(Span::hours(23)), now),
            (SignatureStyle::Cavage, true)
        );
        // A day on, RFC 9421 is tried again, and whatever works is written.
        assert_eq!(
            choose_style(cavage(REPROBE_AFTER + Span::seconds(1)), now),
            (SignatureStyle::Rfc9421, false)
        );
        // A value this version does not know counts as nothing known.
        assert_eq!(
            choose_style(Some(("ed25519".to_owned(), now)), now),
            (SignatureStyle::Rfc9421, false)
        );
    }
}
