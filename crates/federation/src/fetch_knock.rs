//! The double knock for signed fetches: activitypub_federation signs every
//! GET draft-cavage with the instance actor's key; this client middleware
//! signs it the RFC 9421 way instead (`@method`, `@target-uri`,
//! `@authority`, as Fedify signs fetches), and sends the library's
//! draft-cavage request when the peer answers 400 or 401. The style that
//! worked is kept per host with the deliveries' (see
//! [`crate::delivery::send`]), so later fetches knock once.

use crate::{
    delivery::send::{SignatureStyle, choose_style},
    rfc9421,
    urls::authority,
};
use deling_store::Store;
use reqwest::{Method, Request, Response};
use reqwest_middleware::{Middleware, Next};
use std::{collections::BTreeMap, sync::Arc};

/// The middleware; one per federation configuration.
pub struct FetchKnock {
    /// Where each host's signature style is kept.
    pub store: Store,
    /// The instance actor's `keyId`, as the library signs with it.
    pub key_id: String,
    /// The instance actor's key, parsed once (see [`crate::crypto`]).
    pub key: Arc<crate::crypto::SigningKey>,
}

/// What an RFC 9421 GET covers: what Fedify covers on its fetches.
const COVERED: [&str; 3] = ["@method", "@target-uri", "@authority"];

impl FetchKnock {
    /// `cavage` signed the RFC 9421 way: the draft-cavage `Signature`
    /// replaced by `Signature-Input` and `Signature`; `None` if it cannot
    /// be (the request is then sent as the library signed it).
    fn rfc9421(&self, cavage: &Request) -> Option<Request> {
        let mut req = cavage.try_clone()?;
        let headers = BTreeMap::new();
        let msg = rfc9421::Message {
            method: req.method().as_str(),
            target: req.url(),
            headers: &headers,
        };
        let signed = rfc9421::sign(
            &msg,
            &COVERED,
            &self.key_id,
            chrono::Utc::now().timestamp(),
            &self.key,
        )
        .ok()?;
        let h = req.headers_mut();
        h.remove("signature");
        h.insert("signature-input", signed.signature_input.parse().ok()?);
        h.insert("signature", signed.signature.parse().ok()?);
        Some(req)
    }
}

#[async_trait::async_trait]
impl Middleware for FetchKnock {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        // Only the library's signed GETs (deliveries do not come this way).
        if req.method() != Method::GET || !req.headers().contains_key("signature") {
            return next.run(req, extensions).await;
        }
        let host = authority(req.url());
        let stored = self
            .store
            .get_host_signature_style(&host)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(host, error = %e, "cannot read the host's signature style");
                None
            });
        let (first, known) = choose_style(stored, chrono::Utc::now());
        let remember = |style: SignatureStyle| async move {
            if let Err(e) = self
                .store
                .put_host_signature_style(&host, style.stored())
                .await
            {
                tracing::warn!(host, error = %e, "cannot record the host's signature style");
            }
        };
        let knock = match first {
            SignatureStyle::Rfc9421 => self.rfc9421(&req),
            SignatureStyle::Cavage => None,
        };
        let Some(knock) = knock else {
            return next.run(req, extensions).await;
        };
        let response = next.clone().run(knock, extensions).await?;
        if matches!(response.status().as_u16(), 400 | 401) {
            tracing::info!(url = %req.url(), status = %response.status(), "RFC 9421 fetch refused: knocking again with draft-cavage");
            let response = next.run(req, extensions).await?;
            if response.status().is_success() {
                remember(SignatureStyle::Cavage).await;
            }
            return Ok(response);
        }
        if response.status().is_success() && !known {
            remember(SignatureStyle::Rfc9421).await;
        }
        Ok(response)
    }
}
